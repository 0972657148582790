package iampolicy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files from the current output")

// TestFunctionGolden pins the exact bytes of the function policy for the
// stack's defaults (KMS key, prefix "passwords/"). The golden file is
// indented for review; JSON() is compact, so the test compacts the file,
// which removes whitespace only, and compares byte for byte.
func TestFunctionGolden(t *testing.T) {
	doc, err := Function(FunctionArgs{BucketARN: testBucket, KeyPrefix: testPrefix, LogGroupARN: testLogGroup, KMSKeyARN: testKey})
	if err != nil {
		t.Fatalf("Function: %v", err)
	}
	got, err := doc.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	path := filepath.Join("testdata", "function_default.json")
	if *update {
		var indented bytes.Buffer
		if err := json.Indent(&indented, []byte(got), "", "  "); err != nil {
			t.Fatalf("indent: %v", err)
		}
		indented.WriteByte('\n')
		if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden: %v", err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, golden); err != nil {
		t.Fatalf("golden %s is not JSON: %v", path, err)
	}
	if got != want.String() {
		t.Errorf("function policy differs from %s:\n got %s\nwant %s", path, got, want.String())
	}
}
