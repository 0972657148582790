package lambdaruntime

import "syscall"

// sysProcAttr puts each process in its own group, so that a terminal's
// Ctrl-C reaches only the parent, which then stops the pool in order; and
// has the kernel kill it should the parent die without Close.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
