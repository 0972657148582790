package lambdabuild

import (
	"slices"
	"testing"
)

func TestBuildEnvKeepsOnlyWhatCannotChangeTheBinary(t *testing.T) {
	caller := []string{
		"PATH=/usr/local/go/bin:/usr/bin",
		"HOME=/home/dev",
		"http_proxy=http://proxy:3128",
		"SystemRoot=C:\\Windows",
		// Each of these would change the bytes, or which Go writes them.
		"GOFLAGS=-gcflags=all=-N",
		"GOEXPERIMENT=jsonv2",
		"GOFIPS140=latest",
		"GOAMD64=v3",
		"GOARM64=v9.0",
		"CGO_ENABLED=1",
		"CGO_CFLAGS=-O3",
		"GOROOT=/opt/go1.25",
		"GOTOOLCHAIN=local",
		"GOOS=darwin",
		"GOWORK=/work/go.work",
		// Settings come resolved, from go env, never from here.
		"GOPROXY=https://stale.example",
		// Nothing the build does needs credentials.
		"AWS_SECRET_ACCESS_KEY=secret",
		"PULUMI_ACCESS_TOKEN=token",
	}
	settings := map[string]string{
		"GOMOD":      "/work/app/go.mod", // not a setting the build takes
		"GOPATH":     "/home/dev/go",
		"GOMODCACHE": "/home/dev/go/pkg/mod",
		"GOCACHE":    "/home/dev/.cache/go-build",
		"GOPROXY":    "https://proxy.golang.org,direct",
		"GOPRIVATE":  "",
		"GOSUMDB":    "sum.golang.org",
	}
	got := buildEnv(caller, settings, target{toolchain: "go1.26.8", goarch: "arm64"})
	want := []string{
		"PATH=/usr/local/go/bin:/usr/bin",
		"HOME=/home/dev",
		"http_proxy=http://proxy:3128",
		"SystemRoot=C:\\Windows",
		"GOPATH=/home/dev/go",
		"GOMODCACHE=/home/dev/go/pkg/mod",
		"GOCACHE=/home/dev/.cache/go-build",
		"GOPROXY=https://proxy.golang.org,direct",
		"GOSUMDB=sum.golang.org",
		"GOENV=off",
		"GOWORK=off",
		"GOTOOLCHAIN=go1.26.8",
		"GOOS=linux",
		"GOARCH=arm64",
		"CGO_ENABLED=0",
		"GOAMD64=v1",
		"GOARM64=v8.0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("buildEnv =\n%q\nwant\n%q", got, want)
	}
}
