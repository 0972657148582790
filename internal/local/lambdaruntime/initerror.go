package lambdaruntime

// InitError is a failed cold start: the runtime posted to
// /runtime/init/error, exited before polling for work, or did not poll
// within Lambda's 10-second init limit.
type InitError struct {
	Type    string // Lambda's error type, e.g. Runtime.ExitError
	Message string
	// Output is the end of what the process wrote, where a function that
	// exits at init usually says why.
	Output string
}

func (e *InitError) Error() string {
	msg := "init failed: " + e.Type + ": " + e.Message
	if e.Output != "" {
		msg += "; output: " + e.Output
	}
	return msg
}
