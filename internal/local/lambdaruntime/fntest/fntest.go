// Package fntest builds the test function in lambdaruntime's testdata/fn,
// a real aws-lambda-go bootstrap whose events name what it should do (echo,
// whoami, error, ...), for the tests of lambdaruntime and of the packages
// that serve it.
package fntest

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"github.com/passwordgen/passwordgen/internal/lambdabuild"
)

// Build compiles the test function for this machine into a new temporary
// directory, which cleanup removes.
func Build(ctx context.Context) (binary string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "lambdaruntime-fn-")
	if err != nil {
		return "", nil, fmt.Errorf("fntest: %w", err)
	}
	a, err := lambdabuild.Build(ctx, lambdabuild.Options{
		Package: "github.com/passwordgen/passwordgen/internal/local/lambdaruntime/testdata/fn",
		GOARCH:  runtime.GOARCH,
		OutDir:  dir,
	})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("fntest: %w", err)
	}
	return a.Binary, func() { os.RemoveAll(dir) }, nil
}
