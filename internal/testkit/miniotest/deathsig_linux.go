package miniotest

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal has the kernel kill MinIO if the test binary dies
// without running Main's cleanup (a panic, a timeout, a SIGKILL), so no
// server outlives its tests.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
