//go:build !linux

package miniotest

import "os/exec"

// setParentDeathSignal does nothing where the kernel has no parent-death
// signal; there Main's cleanup is the only way the server is stopped.
func setParentDeathSignal(*exec.Cmd) {}
