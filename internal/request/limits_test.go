package request

import (
	"strings"
	"testing"
)

func TestLimitsValidate(t *testing.T) {
	tests := []struct {
		limits Limits
		want   string // "" = valid
	}{
		{DefaultLimits(), ""},
		{Limits{MinLength: 4, MaxLength: 4}, ""},
		{Limits{MinLength: 4, MaxLength: 4096}, ""},
		{Limits{MinLength: 4096, MaxLength: 4096}, ""},
		{Limits{MinLength: 3, MaxLength: 128}, "min must be between 4 and 4096, got 3"},
		{Limits{MinLength: 8, MaxLength: 4097}, "max must be between 4 and 4096, got 4097"},
		{Limits{MinLength: 0, MaxLength: 0}, "min must be between 4 and 4096, got 0"},
		{Limits{MinLength: -8, MaxLength: 128}, "min must be between 4 and 4096, got -8"},
		{Limits{MinLength: 129, MaxLength: 128}, "min (129) must not exceed max (128)"},
	}
	for _, tt := range tests {
		err := tt.limits.Validate("min", "max")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v.Validate() = %v, want nil", tt.limits, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v.Validate() = %v, want %q", tt.limits, err, tt.want)
		}
	}
	if d := DefaultLimits(); d.MinLength != 8 || d.MaxLength != 128 {
		t.Errorf("DefaultLimits() = %+v, want the recipe's 8..128", d)
	}
}
