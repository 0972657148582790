package lambdabuild

import (
	"strings"
	"testing"
)

func TestPinnedToolchain(t *testing.T) {
	tests := []struct {
		name    string
		gomod   string
		want    string
		wantErr string
	}{
		{"pinned", "module m\n\ngo 1.26.6\n\ntoolchain go1.26.8\n", "go1.26.8", ""},
		{"pinned with a comment", "module m\ngo 1.26.6\ntoolchain go1.26.8 // what CI runs\n", "go1.26.8", ""},
		{"go line only", "module m\n\ngo 1.26.6\n", "", "has no toolchain line"},
		{"switching turned off", "module m\ngo 1.26.6\ntoolchain default\n", "", "has no toolchain line"},
		{"not a go.mod", "module m\ntoolchain\n", "", "go.mod:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pinnedToolchain("/src/m/go.mod", []byte(tt.gomod))
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("pinnedToolchain = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "/src/m/go.mod") {
				t.Fatalf("pinnedToolchain error = %v, want one naming /src/m/go.mod and containing %q", err, tt.wantErr)
			}
		})
	}
}
