//go:build unix && !linux

package lambdaruntime

import "syscall"

// sysProcAttr puts each process in its own group, so that a terminal's
// Ctrl-C reaches only the parent, which then stops the pool in order. Only
// Linux can also tie the process's life to the parent's.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
