package lambdabuild

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// callerSettings are the go settings a build takes from its caller, as the
// caller's go command resolves them (environment, `go env -w` file,
// defaults): where caches and modules are and how to fetch and verify
// modules. None of them changes what the compiler and linker write.
// Everything else the caller may have set (GOFLAGS, GOEXPERIMENT, GOAMD64,
// GOFIPS140, CGO_*, GOROOT, GOTOOLCHAIN, ...) is left out.
var callerSettings = []string{
	"GOPATH", "GOMODCACHE", "GOCACHE", "GOTMPDIR",
	"GOPROXY", "GONOPROXY", "GOPRIVATE", "GONOSUMDB", "GOSUMDB", "GOINSECURE", "GOVCS", "GOAUTH",
}

// hostVars are the operating system's variables a build passes through: what
// the go command, and the git or HTTPS client it may start to fetch a module
// or the pinned toolchain, need to find programs, a home, temporary space, a
// proxy and certificates. The Windows names are there because Go on Windows
// cannot open a network connection without SYSTEMROOT. Names are matched
// without regard to case, as Windows does and as proxy variables are spelt.
var hostVars = []string{
	"PATH", "HOME", "TMPDIR", "NETRC",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
	"SYSTEMROOT", "USERPROFILE", "LOCALAPPDATA", "APPDATA", "TEMP", "TMP",
}

// target is what a build pins.
type target struct {
	toolchain string // e.g. go1.26.8
	goarch    string // arm64 or amd64
}

// buildEnv is the whole environment of the go build: the host variables of
// caller (an os.Environ list), the resolved callerSettings, and the pinned
// target. GOENV=off keeps the caller's `go env -w` file, whose relevant
// values are already in settings, from bringing back a GOFLAGS; GOWORK=off
// keeps a go.work around the module from changing its dependencies. The
// microarchitecture levels are pinned so that a developer's GOAMD64 or
// GOARM64 can neither produce a binary Lambda's CPUs cannot run nor change
// the artifact's bytes.
func buildEnv(caller []string, settings map[string]string, t target) []string {
	var env []string
	for _, kv := range caller {
		name, _, _ := strings.Cut(kv, "=")
		if slices.ContainsFunc(hostVars, func(h string) bool { return strings.EqualFold(h, name) }) {
			env = append(env, kv)
		}
	}
	for _, name := range callerSettings {
		if v := settings[name]; v != "" {
			env = append(env, name+"="+v)
		}
	}
	return append(env,
		"GOENV=off",
		"GOWORK=off",
		"GOTOOLCHAIN="+t.toolchain,
		"GOOS=linux",
		"GOARCH="+t.goarch,
		"CGO_ENABLED=0",
		"GOAMD64=v1",
		"GOARM64=v8.0",
	)
}

// goEnv resolves go settings the way the caller's go command does, in the
// working directory and the caller's environment.
func goEnv(ctx context.Context, names ...string) (map[string]string, error) {
	out, err := run(exec.CommandContext(ctx, "go", append([]string{"env", "-json"}, names...)...))
	if err != nil {
		return nil, fmt.Errorf("go env: %w", err)
	}
	env := map[string]string{}
	if err := json.Unmarshal([]byte(out), &env); err != nil {
		return nil, fmt.Errorf("read go env: %w", err)
	}
	return env, nil
}
