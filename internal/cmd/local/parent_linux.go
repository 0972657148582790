package main

import "syscall"

// stopWithParent has the kernel send this process SIGTERM when the process
// that started it exits. `go run`, and so `make local`, does not pass a
// SIGTERM on to the program it runs: without this, stopping it would leave
// the stack running with nothing to stop it.
func stopWithParent() error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0); errno != 0 {
		return errno
	}
	return nil
}
