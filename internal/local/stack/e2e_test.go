//go:build linux

package stack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/passwordgen/passwordgen/internal/local/minio"
	"github.com/passwordgen/passwordgen/internal/password"
	"github.com/passwordgen/passwordgen/internal/testkit/miniotest"
)

// The end-to-end test runs what a user runs: the command `make local`
// starts, and the AWS CLI commands it prints, verbatim, against it. It is
// Linux-only because it looks for leftover processes in /proc.

// awsCLI is the real AWS CLI v2: $AWS_CLI, else Debian's /usr/bin/aws (an
// `aws` on PATH may be a CLI v1 shim). In CI a missing CLI fails the test,
// so CI cannot pass by skipping it.
func awsCLI(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the local stack and the AWS CLI; skipped under -short")
	}
	path := os.Getenv("AWS_CLI")
	if path == "" {
		path = "/usr/bin/aws"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("AWS CLI: %v (CI installs Debian's awscli)", err)
		}
		t.Skipf("AWS CLI: %v (install Debian's awscli, or set AWS_CLI)", err)
	}
	return path
}

// buildCommand builds internal/cmd/local, the program `make local` runs.
// The stack needs the pinned MinIO already built: a test does not wait for
// that build.
func buildCommand(t *testing.T) string {
	t.Helper()
	miniotest.Binary(t)
	bin := filepath.Join(t.TempDir(), "local")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/passwordgen/passwordgen/internal/cmd/local").CombinedOutput()
	if err != nil {
		t.Fatalf("build the local command: %v\n%s", err, out)
	}
	return bin
}

// stack is one run of the local command.
type stack struct {
	cmd *exec.Cmd
	// The command writes to files, which the test reads as they grow.
	stdout, stderr string
	exited         chan struct{}
	waitErr        error // set before exited is closed
	// tmp is the command's TMPDIR, where it builds the bootstrap: every
	// runtime process's executable lies below it.
	tmp string
	// viaParent: cmd is a shell running the command, as `go run` does.
	viaParent bool
	data      string // the data directory, which its MinIO serves

	lambdaURL, s3URL, httpURL, issuerURL string
	printed                              []string // the shell commands it printed
}

var endpoints = regexp.MustCompile(`(?m)^\s*Lambda Invoke API\s+(http://\S+).*\n\s*S3 API \(MinIO\)\s+(http://\S+).*\n\s*HTTP API\s+(http://\S+).*\n\s*Token issuer\s+(http://\S+)`)

// startStack runs the command on data with free ports, the Lambda and
// issuer ones set by environment and the others by flag, and waits until
// it has printed its
// commands. viaParent runs it under a shell that the test can end, as
// `make local` runs it under `go run`.
func startStack(t *testing.T, bin, data string, secrets *secrets, viaParent bool) *stack {
	t.Helper()
	logs := t.TempDir()
	s := &stack{stdout: filepath.Join(logs, "stdout"), stderr: filepath.Join(logs, "stderr"), exited: make(chan struct{}), tmp: t.TempDir(), viaParent: viaParent, data: data}
	args := []string{bin, "-s3-addr", "127.0.0.1:0", "-http-addr", "127.0.0.1:0", "-data", data}
	if viaParent {
		args = append([]string{"sh", "-c", `"$@" & wait`, "sh"}, args...)
	}
	s.cmd = exec.Command(args[0], args[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PASSWORDGEN_LOCAL_") && !strings.HasPrefix(kv, "TMPDIR=") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Env = append(s.cmd.Env, "PASSWORDGEN_LOCAL_LAMBDA_ADDR=127.0.0.1:0", "PASSWORDGEN_LOCAL_ISSUER_ADDR=127.0.0.1:0", "TMPDIR="+s.tmp)
	for path, w := range map[string]*io.Writer{s.stdout: &s.cmd.Stdout, s.stderr: &s.cmd.Stderr} {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // the child has its own copy once started
		*w = f
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		// A stack that failed to stop with its parent must not outlive
		// the test; its runtime processes and MinIO die with it.
		for _, pid := range processes(func(exe, _ string) bool { return exe == bin }) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if t.Failed() {
			t.Logf("local stack's log:\n%s", secrets.redact(read(t, s.stderr)))
		}
	})

	deadline := time.After(5 * time.Minute) // a cold build cache compiles the AWS SDK
	for !strings.Contains(read(t, s.stdout), "Press Ctrl-C to stop") {
		select {
		case <-s.exited:
			t.Fatalf("the local stack exited before it was ready: %v\nstdout:\n%s", s.waitErr, read(t, s.stdout))
		case <-deadline:
			t.Fatalf("the local stack printed no commands within 5 minutes; stdout:\n%s", read(t, s.stdout))
		case <-time.After(50 * time.Millisecond):
		}
	}
	out := read(t, s.stdout)
	m := endpoints.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no endpoints in the local stack's output:\n%s", out)
	}
	s.lambdaURL, s.s3URL, s.httpURL, s.issuerURL = m[1], m[2], m[3], m[4]
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "export ") || strings.HasPrefix(line, "aws ") || strings.HasPrefix(line, "cat ") ||
			strings.HasPrefix(line, "TOKEN=") || strings.HasPrefix(line, "curl ") {
			s.printed = append(s.printed, line)
		}
	}
	return s
}

// read returns what the command has written to path so far.
func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stop signals the command, or the shell running it, and checks that it
// stops in order, leaving no runtime process, no MinIO and no build
// directory behind, and that it never printed a password.
func (s *stack) stop(t *testing.T, sig syscall.Signal, secrets *secrets) {
	t.Helper()
	if n := len(s.runtimeProcesses(t)); n != 12 {
		t.Errorf("%d runtime processes before the stop, want the default 4 for each of the three functions", n)
	}
	if n := len(s.minioProcesses(t)); n != 1 {
		t.Errorf("%d MinIO processes on the data directory before the stop, want 1", n)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal the local stack: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the local stack did not stop within 30 s of %v", sig)
	}
	if !s.viaParent && s.waitErr != nil {
		t.Errorf("after %v the local stack exited with %v, want 0", sig, s.waitErr)
	}
	// Its last line comes once everything is stopped; when the test
	// ended only its parent, that line is all there is to wait for.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(read(t, s.stderr), "msg=stopped"); {
		if time.Now().After(deadline) {
			t.Fatalf("the local stack did not stop in order within 30 s of %v", sig)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if pids := s.runtimeProcesses(t); len(pids) > 0 {
		t.Errorf("runtime processes %v outlived the local stack", pids)
	}
	if pids := s.minioProcesses(t); len(pids) > 0 {
		t.Errorf("MinIO %v outlived the local stack", pids)
	}
	if left, _ := filepath.Glob(filepath.Join(s.tmp, "passwordgen-local-*")); len(left) > 0 {
		t.Errorf("build directories left behind: %v", left)
	}
	for _, out := range []string{read(t, s.stdout), read(t, s.stderr)} {
		if secrets.redact(out) != out {
			t.Error("the local stack printed a stored password")
		}
	}
}

// runtimeProcesses lists the processes whose executable is a bootstrap the
// stack built.
func (s *stack) runtimeProcesses(t *testing.T) []int {
	t.Helper()
	dir, err := filepath.EvalSymlinks(s.tmp)
	if err != nil {
		t.Fatal(err)
	}
	return processes(func(exe, _ string) bool { return strings.HasPrefix(exe, dir+string(filepath.Separator)) })
}

// minioProcesses lists the MinIO servers on the stack's data directory;
// other tests may run servers of their own.
func (s *stack) minioProcesses(t *testing.T) []int {
	t.Helper()
	bin, err := minio.Cached()
	if err != nil {
		t.Fatal(err)
	}
	return processes(func(exe, cmdline string) bool { return exe == bin && strings.Contains(cmdline, s.data) })
}

// processes lists the processes whose executable's path and command line
// match.
func processes(match func(exe, cmdline string) bool) []int {
	exes, _ := filepath.Glob("/proc/[0-9]*/exe")
	var pids []int
	for _, exe := range exes {
		// Processes that are not ours or are gone cannot be read; they
		// cannot be the stack's either.
		target, err := os.Readlink(exe)
		if err != nil {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(exe), "cmdline"))
		if match(target, string(cmdline)) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(exe))) // the glob matched digits
			pids = append(pids, pid)
		}
	}
	return pids
}

// shell runs commands the way a user pastes them, with the AWS CLI under
// test as `aws` and a home of its own, so the developer's AWS
// configuration and credentials never take part.
type shell struct {
	dir  string // working directory: response.json lands here
	path string
	home string
}

func newShell(t *testing.T, cli string) *shell {
	t.Helper()
	sh := &shell{dir: t.TempDir(), path: t.TempDir(), home: t.TempDir()}
	if err := os.Symlink(cli, filepath.Join(sh.path, "aws")); err != nil {
		t.Fatal(err)
	}
	return sh
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs script with sh. Its output is returned, never logged: it may
// hold a password.
func (sh *shell) run(t *testing.T, script string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Dir = sh.dir
	cmd.Env = []string{
		"PATH=" + sh.path + ":/usr/bin:/bin",
		"HOME=" + sh.home,
		"AWS_CONFIG_FILE=" + filepath.Join(sh.home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(sh.home, "credentials"),
		"AWS_PAGER=",
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run sh: %v", err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// invoked checks an `aws lambda invoke` that succeeded and returns the
// function's response from response.json.
func (sh *shell) invoked(t *testing.T, r result, wantStatusCode int) functionResponse {
	t.Helper()
	var out struct {
		StatusCode      int
		ExecutedVersion string
		FunctionError   string
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
		t.Fatalf("aws lambda invoke: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if out.StatusCode != 200 || out.ExecutedVersion != "$LATEST" || out.FunctionError != "" {
		t.Errorf("aws lambda invoke printed %s, want StatusCode 200 and ExecutedVersion $LATEST", r.stdout)
	}
	raw, err := os.ReadFile(filepath.Join(sh.dir, "response.json"))
	if err != nil {
		t.Fatal(err)
	}
	var resp functionResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatalf("response.json %s: %v", raw, err)
	}
	if err := json.Unmarshal([]byte(resp.Body), &resp.body); err != nil {
		t.Fatalf("response.json body %q: %v", resp.Body, err)
	}
	if resp.StatusCode != wantStatusCode {
		t.Errorf("response.json has statusCode %d (body %s), want %d", resp.StatusCode, resp.Body, wantStatusCode)
	}
	resp.raw = string(raw)
	return resp
}

// functionResponse is the function's proxy-integration response.
type functionResponse struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
	body       struct {
		S3Key string `json:"s3_key"`
	}
	raw string
}

// secrets are the passwords read back, kept out of every message.
type secrets struct {
	mu        sync.Mutex
	passwords []string
}

func (s *secrets) add(pw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passwords = append(s.passwords, pw)
}

func (s *secrets) redact(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pw := range s.passwords {
		text = strings.ReplaceAll(text, pw, "[password]")
	}
	return text
}

// stored is the object the function writes; only what the test checks.
type stored struct {
	Password   string `json:"password"`
	Length     int    `json:"length"`
	Parameters struct {
		IncludeSymbols bool `json:"include_symbols"`
	} `json:"parameters"`
}

// readPassword runs an `aws s3 cp ... -` and checks the stored password's
// length and character classes without ever showing it.
func readPassword(t *testing.T, sh *shell, secrets *secrets, script string, length int, symbols bool) string {
	t.Helper()
	r := sh.run(t, script)
	var rec stored
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rec) != nil {
		t.Fatalf("aws s3 cp: exit %d, %d bytes that are not a stored record; stderr: %s", r.code, len(r.stdout), r.stderr)
	}
	secrets.add(rec.Password)
	if len(rec.Password) != length || rec.Length != length || rec.Parameters.IncludeSymbols != symbols {
		t.Errorf("stored a %d-character password recorded as length %d, include_symbols %v; want %d and %v",
			len(rec.Password), rec.Length, rec.Parameters.IncludeSymbols, length, symbols)
	}
	classes := []struct {
		name  string
		chars string
		want  bool
	}{
		{"uppercase", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", true},
		{"lowercase", "abcdefghijklmnopqrstuvwxyz", true},
		{"digit", "0123456789", true},
		{"symbol", password.DefaultSymbols, symbols},
	}
	allowed := ""
	for _, c := range classes {
		if got := strings.ContainsAny(rec.Password, c.chars); got != c.want {
			t.Errorf("stored password has a %s: %v, want %v", c.name, got, c.want)
		}
		if c.want {
			allowed += c.chars
		}
	}
	if n := strings.IndexFunc(rec.Password, func(r rune) bool { return !strings.ContainsRune(allowed, r) }); n >= 0 {
		t.Errorf("stored password has a character outside its classes at position %d", n)
	}
	return rec.Password
}

func fingerprint(pw string) [32]byte { return sha256.Sum256([]byte(pw)) }

// requireCurl is curl at /usr/bin/curl, which runs the printed HTTP API
// commands; in CI its absence fails the test.
func requireCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("/usr/bin/curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("curl: %v (CI installs Debian's curl)", err)
		}
		t.Skipf("curl: %v (install Debian's curl)", err)
	}
}

func TestLocalStackWithAWSCLI(t *testing.T) {
	cli := awsCLI(t)
	requireCurl(t)
	bin := buildCommand(t)
	sh := newShell(t, cli)
	data := filepath.Join(t.TempDir(), "data")
	secrets := &secrets{}

	st := startStack(t, bin, data, secrets, false)
	L, S, H, I := st.lambdaURL, st.s3URL, st.httpURL, st.issuerURL
	want := []string{
		"export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local-secret AWS_REGION=us-east-1",
		"aws lambda invoke --endpoint-url " + L + ` --function-name password-generator --cli-binary-format raw-in-base64-out --payload '{"length": 20, "name": "test-password-1"}' response.json`,
		"aws lambda invoke --endpoint-url " + L + ` --function-name password-generator --cli-binary-format raw-in-base64-out --payload '{"length": 12, "include_symbols": false, "name": "simple-password"}' response.json`,
		"cat response.json",
		"aws s3 ls --endpoint-url " + S + " s3://password-generator-local/passwords/",
		"aws s3 cp --endpoint-url " + S + " s3://password-generator-local/passwords/test-password-1.json -",
		`TOKEN=$(curl -s -u admin:admin-local-secret -d grant_type=client_credentials ` + I + `/oauth2/token | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')`,
		`curl -s -i -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"length": 20, "name": "team-a/db-admin"}' ` + H + `/passwords`,
		`curl -s -i -H "Authorization: Bearer $TOKEN" ` + H + `/passwords/team-a/db-admin`,
		`curl -s -H "Authorization: Bearer $TOKEN" '` + H + `/passwords?prefix=team-a/'`,
		"aws lambda invoke --endpoint-url " + L + ` --function-name password-generator --cli-binary-format raw-in-base64-out --payload '{"name": "rotating-password", "rotate_every_days": 1}' response.json`,
		"aws lambda invoke --endpoint-url " + L + ` --function-name password-rotator --cli-binary-format raw-in-base64-out --payload "{\"scheduled_time\": \"$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)\"}" rotation.json`,
		"cat rotation.json",
		"aws s3api list-object-versions --endpoint-url " + S + " --bucket password-generator-local --prefix passwords/rotating-password.json --query 'Versions[].[VersionId,LastModified]' --output text",
	}
	if strings.Join(st.printed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("printed commands:\n%s\nwant:\n%s", strings.Join(st.printed, "\n"), strings.Join(want, "\n"))
	}
	export, invoke1, invoke2, cat, ls, cp := st.printed[0], st.printed[1], st.printed[2], st.printed[3], st.printed[4], st.printed[5]
	// with runs a command in a shell that has run the printed export.
	with := func(command string) result { return sh.run(t, export+"\n"+command) }

	// The recipe as README tells it: both invocations store, the listing
	// shows both, and the stored passwords follow the requests.
	if r := sh.invoked(t, with(invoke1), 200); r.body.S3Key != "passwords/test-password-1.json" {
		t.Errorf("first invocation stored %q", r.body.S3Key)
	}
	r := sh.invoked(t, with(invoke2), 200)
	if r.body.S3Key != "passwords/simple-password.json" {
		t.Errorf("second invocation stored %q", r.body.S3Key)
	}
	if c := with(cat); c.code != 0 || c.stdout != r.raw {
		t.Errorf("cat response.json: exit %d, %s; want %s", c.code, c.stdout, r.raw)
	}
	listed := with(ls)
	for _, name := range []string{"test-password-1.json", "simple-password.json"} {
		if listed.code != 0 || !strings.Contains(listed.stdout, name) {
			t.Errorf("aws s3 ls: exit %d, %s%s; want %s listed", listed.code, listed.stdout, listed.stderr, name)
		}
	}
	first := readPassword(t, sh, secrets, export+"\n"+cp, 20, true)
	readPassword(t, sh, secrets, export+"\n"+strings.Replace(cp, "test-password-1", "simple-password", 1), 12, false)

	// Stored as the stack stores by default: SSE-KMS, versioned.
	head := with("aws s3api head-object --endpoint-url " + S + " --bucket password-generator-local --key passwords/test-password-1.json")
	var meta struct{ ServerSideEncryption, SSEKMSKeyId, VersionId string }
	if err := json.Unmarshal([]byte(head.stdout), &meta); err != nil || meta.ServerSideEncryption != "aws:kms" || meta.SSEKMSKeyId == "" || meta.VersionId == "" {
		t.Errorf("aws s3api head-object: exit %d, %s%s; want SSE-KMS and a version id", head.code, head.stdout, head.stderr)
	}

	// Names are create-only: the same invocation again is refused and
	// leaves the stored password alone.
	sh.invoked(t, with(invoke1), 409)
	if again := readPassword(t, sh, secrets, export+"\n"+cp, 20, true); fingerprint(again) != fingerprint(first) {
		t.Error("a refused invocation changed the stored password")
	}

	base := "aws lambda invoke --endpoint-url " + L + " --cli-binary-format raw-in-base64-out "
	// Errors the service answers itself, as the CLI reports them.
	for _, tt := range []struct{ name, command, want string }{
		{"not JSON", base + "--function-name password-generator --payload 'not json' response.json",
			"An error occurred (InvalidRequestContentException) when calling the Invoke operation: Could not parse request body into json"},
		{"unknown function", base + `--function-name no-such-function --payload '{"length": 20}' response.json`,
			"An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function"},
	} {
		if r := with(tt.command); r.code == 0 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %s; want a failure saying %q", tt.name, r.code, r.stderr, tt.want)
		}
	}
	// Invocation types and function name forms.
	for _, tt := range []struct{ name, command, want string }{
		{"dry run", base + `--function-name password-generator --invocation-type DryRun --payload '{"name": "dry-run-password"}' response.json`, `"StatusCode": 204`},
		{"event", base + `--function-name password-generator --invocation-type Event --payload '{"name": "event-password"}' response.json`, `"StatusCode": 202`},
		{"ARN and qualifier", base + `--function-name arn:aws:lambda:us-east-1:000000000000:function:password-generator --qualifier '$LATEST' --payload '{"name": "arn-password"}' response.json`, `"StatusCode": 200`},
	} {
		if r := with(tt.command); r.code != 0 || !strings.Contains(r.stdout, tt.want) {
			t.Errorf("%s: exit %d, %s%s; want %s", tt.name, r.code, r.stdout, r.stderr, tt.want)
		}
	}

	// The HTTP API with the printed curl commands, verbatim: a token, a new
	// password (201 with its Location, 409 the second time), read back
	// exactly as S3 holds it with no-store, and listed.
	token, create, get, list := st.printed[6], st.printed[7], st.printed[8], st.printed[9]
	curl := func(command string) (head, body string) {
		r := sh.run(t, token+"\n"+command)
		head, body, _ = strings.Cut(strings.ReplaceAll(r.stdout, "\r\n", "\n"), "\n\n")
		if r.code != 0 {
			t.Errorf("%s: exit %d, %s", command, r.code, r.stderr)
		}
		return head, body
	}
	if head, _ := curl(create); !strings.HasPrefix(head, "HTTP/1.1 201") || !strings.Contains(head, "Location: /passwords/team-a/db-admin") {
		t.Errorf("curl create: %s", head)
	}
	if head, _ := curl(create); !strings.HasPrefix(head, "HTTP/1.1 409") {
		t.Errorf("curl create again: %s", head)
	}
	inS3 := readPassword(t, sh, secrets, export+"\n"+strings.Replace(cp, "test-password-1", "team-a/db-admin", 1), 20, true)
	got, body := curl(get)
	var read struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(body), &read); err != nil || !strings.HasPrefix(got, "HTTP/1.1 200") || !strings.Contains(got, "Cache-Control: no-store") || fingerprint(read.Password) != fingerprint(inS3) {
		t.Errorf("curl get: %s, %v; want 200, no-store and the password S3 holds", got, err)
	}
	// Without -i curl prints the body alone.
	if listed, _ := curl(list); !strings.Contains(listed, `"name":"team-a/db-admin"`) {
		t.Errorf("curl list: %s", secrets.redact(listed))
	}

	// A rotation on demand with the printed commands, verbatim: a password
	// that rotates daily, a run as of two days ahead that rotates it, and
	// its two versions.
	store, rotate, report, versions := st.printed[10], st.printed[11], st.printed[12], st.printed[13]
	sh.invoked(t, with(store), 200)
	if r := with(rotate); r.code != 0 || !strings.Contains(r.stdout, `"StatusCode": 200`) || strings.Contains(r.stdout, "FunctionError") {
		t.Errorf("rotate: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if r := with(report); r.code != 0 || !strings.Contains(r.stdout, `"due":1,"rotated":1,`) || !strings.Contains(r.stdout, `"complete":true`) {
		t.Errorf("cat rotation.json: exit %d, %s", r.code, r.stdout)
	}
	if r := with(versions); r.code != 0 || len(strings.Fields(r.stdout)) != 4 {
		t.Errorf("the rotated password's versions: exit %d, %s%s; want two lines of version and time", r.code, r.stdout, r.stderr)
	}
	// Read for the leak check that stop makes.
	readPassword(t, sh, secrets, export+"\n"+strings.Replace(cp, "test-password-1", "rotating-password", 1), password.Default().Length, true)
	if c := with(strings.Replace(cp, "test-password-1", "rotating-password", 1)); !strings.Contains(c.stdout, `"created_by": "rotator"`) {
		t.Errorf("the current version of rotating-password was not written by the rotator")
	}

	// One stack per data directory, and per address: a second one is
	// refused, saying why.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s3Addr, httpAddr := strings.TrimPrefix(S, "http://"), strings.TrimPrefix(H, "http://")
	for _, tt := range []struct{ name, s3Addr, httpAddr, data, want string }{
		{"same data directory", "127.0.0.1:0", "127.0.0.1:0", data, "is in use by another local stack"},
		{"same S3 address", s3Addr, "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), "listen tcp " + s3Addr + ": bind: address already in use\nlocal: is another `make local` running?"},
		{"same HTTP API address", "127.0.0.1:0", httpAddr, filepath.Join(t.TempDir(), "data"), "listen for the HTTP API on " + httpAddr + ": listen tcp " + httpAddr + ": bind: address already in use"},
	} {
		second := exec.CommandContext(ctx, bin, "-lambda-addr", "127.0.0.1:0", "-s3-addr", tt.s3Addr, "-http-addr", tt.httpAddr, "-issuer-addr", "127.0.0.1:0", "-data", tt.data)
		if out, err := second.CombinedOutput(); err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("a second stack on the %s: %v, %s; want it refused with %q", tt.name, err, secrets.redact(string(out)), tt.want)
		}
	}

	st.stop(t, syscall.SIGINT, secrets) // Ctrl-C

	// The data survives a restart: everything stored is there, the event
	// invocation included (the stop waited for it), the dry run stored
	// nothing, and names stay taken. This time the stack runs under a
	// parent, and ending the parent stops it (with SIGTERM).
	st = startStack(t, bin, data, secrets, true)
	export, cp = st.printed[0], st.printed[5]
	ls, invoke1 = st.printed[4], st.printed[1]
	listed = with(ls)
	for name, want := range map[string]bool{"test-password-1.json": true, "simple-password.json": true, "event-password.json": true, "arn-password.json": true, "dry-run-password.json": false} {
		if strings.Contains(listed.stdout, name) != want {
			t.Errorf("after a restart aws s3 ls shows %s: %v, want %v (exit %d, %s%s)", name, !want, want, listed.code, listed.stdout, listed.stderr)
		}
	}
	if again := readPassword(t, sh, secrets, export+"\n"+cp, 20, true); fingerprint(again) != fingerprint(first) {
		t.Error("the stored password changed across a restart")
	}
	sh.invoked(t, with(invoke1), 409)
	st.stop(t, syscall.SIGKILL, secrets)
}
