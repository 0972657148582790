package lambdabuild

import (
	"context"
	"os"
	"sync"
)

// Once builds a package for this machine at most once per process, into a
// directory of its own. Test suites that start many copies of a function
// share one build: each new build, even from Go's cache, costs a link of
// a second or more.
type Once struct {
	// Options say what to build; an empty OutDir means a new temporary
	// directory, which Remove deletes.
	Options Options

	once sync.Once
	dir  string // created by Build, "" if the caller gave OutDir
	art  Artifact
	err  error
}

// Build builds on the first call and returns that result on every call.
func (o *Once) Build(ctx context.Context) (Artifact, error) {
	o.once.Do(func() {
		opts := o.Options
		if opts.OutDir == "" {
			if o.dir, o.err = os.MkdirTemp("", "lambdabuild-"); o.err != nil {
				return
			}
			opts.OutDir = o.dir
		}
		o.art, o.err = Build(ctx, opts)
	})
	return o.art, o.err
}

// Remove deletes the temporary directory Build created, if any. Call it
// when no process runs the binary any more, e.g. after m.Run in TestMain.
func (o *Once) Remove() error {
	if o.dir == "" {
		return nil
	}
	return os.RemoveAll(o.dir)
}
