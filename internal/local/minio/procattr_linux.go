package minio

import "syscall"

// sysProcAttr puts the server in its own process group, so that a
// terminal's Ctrl-C reaches only its parent, which stops it last, after
// whatever still writes to it; and has the kernel kill it should the parent
// die without stopping it (a panic, a timeout, a SIGKILL), so no server
// outlives the process that started it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
