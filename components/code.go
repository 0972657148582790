package components

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/lambdabuild"
)

// functionCode returns the deployment package: the prebuilt zip the args
// name, or the function compiled now. The result is always a .zip file archive,
// which Pulumi ships byte for byte, so the bootstrap keeps its executable
// bit (archives Pulumi assembles itself drop it) and unchanged source gives
// an unchanged hash, hence no code update in the next preview.
func functionCode(ctx *pulumi.Context, s settings) (pulumi.Archive, error) {
	switch {
	case s.codeZip != "":
		return prebuiltZip(s.codeZip)
	case ctx.RunningWithMocks():
		// Unit tests check the resource graph, not the compiler; nothing
		// reads this archive under mocks.
		return pulumi.NewAssetArchive(map[string]any{"bootstrap": pulumi.NewStringAsset("mock")}), nil
	default:
		return buildZip(ctx.Context(), s)
	}
}

// buildZip compiles the function for its architecture, from the copy of
// this module that the program's module requires, so that it works in any
// Go program that imports this package.
func buildZip(ctx context.Context, s settings) (pulumi.Archive, error) {
	dir := s.buildDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "passwordgen-build-"); err != nil {
			return nil, fmt.Errorf("create build directory: %w", err)
		}
	}
	artifact, err := lambdabuild.Build(ctx, lambdabuild.Options{GOARCH: s.goarch, OutDir: dir})
	if err != nil {
		return nil, fmt.Errorf("compile the function (or set CodeZip to deploy a prebuilt zip): %w", err)
	}
	return pulumi.NewFileArchive(artifact.Zip), nil
}

// prebuiltZip checks what Lambda would otherwise reject only at the first
// invocation: a zip whose root holds an executable bootstrap.
func prebuiltZip(path string) (pulumi.Archive, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("code zip %q: %w", path, err)
	}
	// Pulumi picks the archive format by extension.
	if !strings.HasSuffix(abs, ".zip") {
		return nil, fmt.Errorf("code zip %q: the file name must end in .zip", path)
	}
	r, err := zip.OpenReader(abs)
	if err != nil {
		return nil, fmt.Errorf("code zip %q: %w", path, err)
	}
	defer r.Close()
	for _, f := range r.File {
		if f.Name != "bootstrap" {
			continue
		}
		if f.Mode()&0o111 == 0 || !f.Mode().IsRegular() {
			return nil, fmt.Errorf("code zip %q: bootstrap is not an executable file (mode %v); Lambda could not start it", path, f.Mode())
		}
		return pulumi.NewFileArchive(abs), nil
	}
	return nil, fmt.Errorf("code zip %q: no bootstrap at the root of the zip; the provided.al2023 runtime starts ./bootstrap", path)
}
