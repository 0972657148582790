package iampolicy

// SchedulerTrust is the schedule's execution role's trust policy: only
// EventBridge Scheduler may assume the role, only for a schedule of
// groupARN (arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>),
// whose account is the only one aws:SourceAccount allows. Scheduler passes
// the schedule group's ARN as aws:SourceArn, so no schedule of another
// group or account can borrow the role to invoke the rotator (the confused
// deputy).
func SchedulerTrust(groupARN string) (Document, error) {
	var in inputs
	m := in.arn("schedule group ARN", "arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>", scheduleGroupPattern, groupARN)
	if err := in.err("scheduler trust policy"); err != nil {
		return Document{}, err
	}
	return Document{
		Version: version,
		Statement: []Statement{{
			Sid:       "SchedulerAssumeRole",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {"scheduler.amazonaws.com"}},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"StringEquals": {
				"aws:SourceAccount": {m[3]},
				"aws:SourceArn":     {groupARN},
			}},
		}},
	}, nil
}

// SchedulerArgs are what the schedule's execution role acts on.
type SchedulerArgs struct {
	// FunctionARN is the rotator, unqualified: the schedule's target is the
	// function itself, and Scheduler invokes exactly the ARN it targets.
	FunctionARN string
	// DeadLetterQueueARN is the schedule's dead-letter queue: Scheduler
	// sends a run it could not deliver there with this role.
	DeadLetterQueueARN string
}

// Scheduler is the execution role's only inline policy: invoke the
// rotator, and no version or alias of it, and send an undelivered run to
// the dead-letter queue.
func Scheduler(a SchedulerArgs) (Document, error) {
	var in inputs
	in.arn("function ARN", "arn:<partition>:lambda:<region>:<account>:function:<name>, without a version or alias", functionPattern, a.FunctionARN)
	in.arn("dead-letter queue ARN", "arn:<partition>:sqs:<region>:<account>:<queue>", queuePattern, a.DeadLetterQueueARN)
	if err := in.err("scheduler policy"); err != nil {
		return Document{}, err
	}
	return Document{
		Version: version,
		Statement: []Statement{
			{Sid: "InvokeRotator", Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: []string{a.FunctionARN}},
			{Sid: "SendUndeliveredRuns", Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{a.DeadLetterQueueARN}},
		},
	}, nil
}
