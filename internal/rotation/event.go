// Package rotation decides which stored passwords are due for a new
// version, as of a run's scheduled time, and carries the event the
// schedule sends the rotator. Its Runner is the run itself: it lists the
// current versions, reads their tags, and writes each due password's next
// version with a bounded number of workers, conditionally on the ETag it
// listed, stopping before its deadline. What is due (due.go) is pure; the
// run reaches S3 through the Store interface, and generation through the
// Renew function the handler gives it, so it never sees how a password is
// made and never reads one.
package rotation

// Event is the rotator's payload.
type Event struct {
	// ScheduledTime is the run's scheduled time, RFC 3339; empty means
	// now. Judging a run by its scheduled time rather than the moment it
	// starts makes a retried or rerun invocation see the same passwords
	// as due, and skip those it already rotated.
	ScheduledTime string `json:"scheduled_time"`
}

// SchedulerInput is the input the schedule gives its target: EventBridge
// Scheduler replaces the context attribute with the invocation's scheduled
// time.
const SchedulerInput = `{"scheduled_time":"<aws.scheduler.scheduled-time>"}`
