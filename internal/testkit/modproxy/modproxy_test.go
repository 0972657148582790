package modproxy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passwordgen/passwordgen/internal/testkit/modproxy"
)

// TestPublishedModuleBuildsFromAnEmptyCache has the go command fetch a
// published module, check it against the go.sum lines Publish returned, and
// run it; EmptyCache's cleanup must then remove the read-only cache.
func TestPublishedModuleBuildsFromAnEmptyCache(t *testing.T) {
	tiny := writeFiles(t, map[string]string{
		"go.mod":  "module example.com/tiny\n\ngo 1.21\n",
		"main.go": "package main\n\nfunc main() { println(\"tiny v1.2.3\") }\n",
	})
	proxy, goSum := modproxy.Publish(t, tiny, "example.com/tiny", "v1.2.3")
	consumer := writeFiles(t, map[string]string{
		"go.mod": "module example.com/consumer\n\ngo 1.21\n\nrequire example.com/tiny v1.2.3\n",
		"go.sum": goSum,
	})
	cmd := exec.Command("go", "run", "example.com/tiny")
	cmd.Dir = consumer
	cmd.Env = append(os.Environ(), "GOPROXY="+proxy, "GOMODCACHE="+modproxy.EmptyCache(t), "GOFLAGS=-mod=readonly", "GOSUMDB=off")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "tiny v1.2.3") {
		t.Fatalf("go run example.com/tiny: %v: %s", err, out)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
