package lambdaruntime

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

const (
	// initTimeout is Lambda's limit on the init phase of an on-demand function.
	initTimeout = 10 * time.Second
	// shutdownGrace is how long a process may take to exit after SIGTERM, as
	// Lambda allows a runtime during its shutdown phase.
	shutdownGrace = 500 * time.Millisecond
)

// process is one execution environment: a bootstrap process and the Runtime
// API server only it talks to. A replacement gets a new server, so a request
// still in flight from a dead process can never touch its successor's state.
type process struct {
	f       *Function
	cmd     *exec.Cmd
	srv     *http.Server
	out     *output
	started time.Time

	pollOnce  sync.Once
	polled    chan struct{} // closed by the first /next: the cold start is over
	coldStart time.Duration // written before polled is closed

	initOnce   sync.Once
	initFailed chan struct{} // closed by /runtime/init/error
	initErr    *InitError    // written before initFailed is closed

	exited  chan struct{} // closed once the process has been reaped
	exitErr error         // written before exited is closed

	mu      sync.Mutex
	first   *invocation // served before the queue: the one that asked for this init
	current *invocation // the invocation the process is working on
	timer   *time.Timer // its deadline
	gone    bool        // reaped: never hand it an invocation nor signal its pid
}

// launch execs a bootstrap and waits for its cold start to end: its first
// poll of /next, which receives first if there is one. A process that fails
// to get there is gone when launch returns, and first is left to the caller.
func (f *Function) launch(ctx context.Context, first *invocation) (*process, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the Runtime API: %w", err)
	}
	p := f.newProcess(first)
	p.srv = &http.Server{Handler: p.api(), ReadHeaderTimeout: initTimeout}
	p.cmd = exec.Command(f.cfg.Binary)
	p.cmd.Dir = filepath.Dir(f.cfg.Binary)
	p.cmd.Env = f.environ(ln.Addr().String())
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	p.cmd.SysProcAttr = sysProcAttr()
	// A child the function spawned could hold the output pipe open forever.
	p.cmd.WaitDelay = time.Second
	p.started = time.Now()
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits, not the process; holding this thread until the
		// child is gone keeps the Go runtime from retiring it early.
		runtime.LockOSThread()
		err := p.cmd.Start()
		started <- err
		if err == nil {
			p.wait()
		}
	}()
	if err := <-started; err != nil {
		ln.Close()
		return nil, fmt.Errorf("start %s: %w", f.cfg.Binary, err)
	}
	// Serving only now orders the handlers after every write above; the
	// listener already queues the runtime's first connection.
	go p.srv.Serve(ln) // ends with http.ErrServerClosed when the process is gone

	timer := time.NewTimer(initTimeout)
	defer timer.Stop()
	select {
	case <-p.polled:
		return p, nil
	case <-p.exited:
		if closed(p.initFailed) { // reported, then exited on its own as it should
			return nil, p.failedInit()
		}
		return nil, &InitError{Type: "Runtime.ExitError", Message: exitMessage(p.exitErr), Output: p.out.tail()}
	case <-p.initFailed:
		p.reap(shutdownGrace)
		return nil, p.failedInit()
	case <-timer.C:
		p.kill()
		<-p.exited
		msg := fmt.Sprintf("Init timed out after %.2f seconds", initTimeout.Seconds())
		return nil, &InitError{Type: "Sandbox.Timedout", Message: msg, Output: p.out.tail()}
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
}

// newProcess is an execution environment before its bootstrap runs.
func (f *Function) newProcess(first *invocation) *process {
	return &process{
		f:          f,
		out:        f.out.newOutput(),
		polled:     make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		first:      first,
	}
}

// failedInit is the reported init error with the process's last words; call
// it only once the process has exited, when its output is complete.
func (p *process) failedInit() *InitError {
	e := *p.initErr
	e.Output = p.out.tail()
	return &e
}

// wait reaps the process and ends whatever invocation it held.
func (p *process) wait() {
	err := p.cmd.Wait()
	p.out.flush()
	p.mu.Lock()
	p.gone = true
	p.exitErr = err
	inv := p.current
	p.current = nil
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	close(p.exited)
	p.srv.Close()
	if inv != nil {
		p.abandon(inv)
	}
}

// abandon ends an invocation whose process died under it.
func (p *process) abandon(inv *invocation) {
	if p.f.life.Err() != nil {
		inv.finish(Result{}, ErrClosed)
		return
	}
	inv.finish(exitResult(inv.id, p.exitErr), nil)
}

// assign makes inv the process's current invocation and arms its deadline.
func (p *process) assign(inv *invocation, deadline time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		p.abandon(inv)
		return false
	}
	p.current = inv
	p.timer = time.AfterFunc(time.Until(deadline), func() { p.timeout(inv) })
	return true
}

// take ends the current invocation if its id is id, and returns it.
func (p *process) take(id string) *invocation {
	p.mu.Lock()
	defer p.mu.Unlock()
	inv := p.current
	if inv == nil || inv.id != id {
		return nil
	}
	p.current = nil
	p.timer.Stop()
	return inv
}

// timeout fails an invocation that outlived its deadline and discards the
// process, as Lambda resets an execution environment after a timeout.
func (p *process) timeout(inv *invocation) {
	p.mu.Lock()
	mine := p.current == inv
	if mine {
		p.current = nil
	}
	p.mu.Unlock()
	if mine {
		inv.finish(timeoutResult(inv.id, p.f.cfg.Timeout), nil)
		p.kill()
	}
}

// stop asks the process to exit and kills it if it does not in time.
func (p *process) stop() {
	p.signal(syscall.SIGTERM)
	p.reap(shutdownGrace)
}

// reap waits for the process to exit, killing it once grace has passed.
func (p *process) reap(grace time.Duration) {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		p.kill()
		<-p.exited
	}
}

func (p *process) kill() { p.signal(syscall.SIGKILL) }

// closed reports whether ch, a channel that only ever gets closed, is.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// signal reaches the whole process group, so that nothing the function
// started outlives it.
func (p *process) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.gone {
		_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}
