// Package handlerbuild gives tests the password generator's bootstrap as it
// is deployed (handler/, the deployment's build flags), built for this
// machine once per test binary: every test that starts the function shares
// one build, because each build, even from Go's cache, costs a link of a
// second or more.
package handlerbuild

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/lambdabuild"
)

var once = lambdabuild.Once{Options: lambdabuild.Options{GOARCH: runtime.GOARCH}}

// Binary returns the path of the bootstrap, building it on first use.
func Binary(t testing.TB) string {
	t.Helper()
	// Minutes, for a cold build cache on a slow CI machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	art, err := once.Build(ctx)
	if err != nil {
		t.Fatalf("build bootstrap: %v", err)
	}
	return art.Binary
}

// Remove deletes the build. Call it from TestMain after m.Run, when no
// process runs the binary any more.
func Remove() error { return once.Remove() }
