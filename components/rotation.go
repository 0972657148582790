package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/lifecycle"
)

// rotatorTimeout is how long one run may take. The rotator stops cleanly
// before its deadline and the next run continues where it stopped, so the
// timeout bounds a run, not the work: five minutes rotate thousands of
// passwords, and a shorter run returns its concurrency sooner.
const rotatorTimeout = 300

// Rotation is the deployed rotator and what runs it.
type Rotation struct {
	// FunctionName is the rotator, which Scheduler invokes and
	// `aws lambda invoke` can run on demand.
	FunctionName pulumi.StringOutput
	// ScheduleName and ScheduleGroupName identify the schedule.
	ScheduleName      pulumi.StringOutput
	ScheduleGroupName pulumi.StringOutput
	// DeadLetterQueueURL receives the runs Scheduler could not hand to
	// Lambda; FailureQueueURL the runs that failed every attempt.
	DeadLetterQueueURL pulumi.StringOutput
	FailureQueueURL    pulumi.StringOutput
	// LogGroupName is where the rotator's JSON logs go.
	LogGroupName pulumi.StringOutput

	functionARN pulumi.StringOutput
}

func (r *Rotation) outputs() map[string]pulumi.Output {
	return map[string]pulumi.Output{
		"rotatorFunctionName":        r.FunctionName,
		"rotatorLogGroupName":        r.LogGroupName,
		"rotationScheduleName":       r.ScheduleName,
		"rotationScheduleGroupName":  r.ScheduleGroupName,
		"rotationDeadLetterQueueUrl": r.DeadLetterQueueURL,
		"rotationFailureQueueUrl":    r.FailureQueueURL,
	}
}

// passwordRules are the password bucket's lifecycle rules besides aborting
// uploads: the history expiry if asked for, then the expiry rules.
func passwordRules(s settings) ([]lifecycle.Rule, error) {
	var rules []lifecycle.Rule
	if s.noncurrentDays > 0 {
		rules = append(rules, lifecycle.Rule{ID: "expire-noncurrent-versions", Prefix: s.keyPrefix, NoncurrentDays: s.noncurrentDays})
	}
	expiry, err := lifecycle.Rules(s.keyPrefix, s.limits.ExpiryDays)
	return append(rules, expiry...), err
}

// rotationInputs are the parts of the stack the rotation builds on.
type rotationInputs struct {
	bucketARN, keyARN pulumi.StringOutput
	where             place
	// role is the rotator's role, created before the bucket, whose policy
	// names it.
	role *iam.Role
	// deps are what the rotator waits for besides its role and logs.
	deps []pulumi.Resource
}

// newRotationStack adds the rotator, with its own log group and role
// policy, the queue its failed runs go to, and the schedule that runs it
// with its own role and dead-letter queue.
//
// The rotator reserves no concurrency. Two runs at once stay correct, as
// every write is conditional on the listed ETag: the later write of a
// password answers 412 and is skipped. A reservation would fail to deploy
// in an account whose concurrency quota leaves less than 100 unreserved
// executions, as new accounts' do.
func newRotationStack(ctx *pulumi.Context, name string, s settings, sh shared, in rotationInputs, opts ...pulumi.ResourceOption) (*Rotation, error) {
	rotatorName := name + "-rotator"
	failures, err := newQueue(ctx, name+"-rotation-failures", sh.tags, opts...)
	if err != nil {
		return nil, err
	}
	fn, logs, err := newStackFunction(ctx, s, sh, stackFunction{
		name:        rotatorName,
		logicalName: rotatorName,
		description: "Replaces due passwords with new ones generated from their stored parameters; it can never read a password",
		function:    apispec.Rotator,
		role:        in.role,
		policy: func(logGroupARN pulumi.StringOutput) pulumi.StringOutput {
			return rotatorPolicy(in.bucketARN, logGroupARN, in.keyARN, failures.Arn, s.keyPrefix, in.where)
		},
		timeout: rotatorTimeout,
		deps:    in.deps,
	}, opts...)
	if err != nil {
		return nil, err
	}
	// Lambda checks, when the destination is set, that the function's
	// role may send to it; the function already waits for the policy.
	if err := newFailureDestination(ctx, rotatorName, fn, failures, opts...); err != nil {
		return nil, err
	}

	deadLetters, err := newQueue(ctx, name+"-rotation-dlq", sh.tags, opts...)
	if err != nil {
		return nil, err
	}
	group, err := newScheduleGroup(ctx, name+"-rotation-group", sh.tags, opts...)
	if err != nil {
		return nil, err
	}
	schedulerRole, err := newRole(ctx, name+"-scheduler", fmt.Sprintf("Lets EventBridge Scheduler run the %s password rotator", name), schedulerTrust(group.Arn), sh.tags, opts...)
	if err != nil {
		return nil, err
	}
	schedulerRolePolicy, err := newRolePolicy(ctx, name+"-scheduler", schedulerRole, schedulerPolicy(fn.Arn, deadLetters.Arn), opts...)
	if err != nil {
		return nil, err
	}
	schedule, err := newSchedule(ctx, name+"-rotation", scheduleSpec{
		group:      group.Name,
		when:       s.rotation,
		target:     fn.Arn,
		role:       schedulerRole.Arn,
		deadLetter: deadLetters.Arn,
	}, append([]pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{schedulerRolePolicy})}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &Rotation{
		FunctionName:       fn.Name,
		ScheduleName:       schedule.Name,
		ScheduleGroupName:  group.Name,
		DeadLetterQueueURL: deadLetters.Url,
		FailureQueueURL:    failures.Url,
		LogGroupName:       logs.Name,
		functionARN:        fn.Arn,
	}, nil
}
