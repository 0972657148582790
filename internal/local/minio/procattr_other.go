//go:build unix && !linux

package minio

import "syscall"

// sysProcAttr puts the server in its own process group, so that a
// terminal's Ctrl-C reaches only its parent, which stops it last. Only Linux
// can also tie the server's life to the parent's; elsewhere Stop is the only
// way it ends.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
