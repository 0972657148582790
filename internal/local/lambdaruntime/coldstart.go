package lambdaruntime

import (
	"context"
	"time"
)

// MeasureColdStart execs one runtime process as Start would with c and
// returns the time from exec until its first poll of
// /runtime/invocation/next: the init duration Lambda reports for this
// binary, without the sandbox setup the service adds around it. The process
// is stopped before MeasureColdStart returns.
func MeasureColdStart(ctx context.Context, c Config) (time.Duration, error) {
	f, err := newFunction(c)
	if err != nil {
		return 0, err
	}
	defer f.end()
	p, err := f.launch(ctx, nil)
	if err != nil {
		return 0, err
	}
	p.stop()
	return p.coldStart, nil
}
