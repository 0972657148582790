package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/rotation"
)

// Retry settings of the rotation, chosen rather than left to AWS's
// defaults.
const (
	// rotatorRetries is how often Lambda runs a failed asynchronous
	// invocation again (its maximum, 2). A retry carries the same
	// scheduled time, so it rotates only what the failed run left, and a
	// run usually fails on a passing S3 or KMS error. After the last
	// attempt the event goes to the failure queue.
	rotatorRetries = 2
	// deliveryMaxAge and deliveryRetries bound how long Scheduler keeps
	// trying to hand a run to Lambda. Throttling and service errors pass
	// within minutes; a permission or missing-function error never does.
	// After an hour the run goes to the dead-letter queue, where it is
	// seen, and the next run rotates what this one would have: nothing
	// is lost by giving up, and retrying for Scheduler's default day
	// would only pile late runs onto the next ones.
	deliveryMaxAge  = 3600
	deliveryRetries = 10
	// queueRetention is SQS's longest, 14 days, so a failure is still
	// there after a long weekend.
	queueRetention = 14 * 24 * 3600
)

// newQueue creates a standard queue for failed runs, encrypted with
// SQS-managed keys: it holds invocation details, never a password.
func newQueue(ctx *pulumi.Context, name string, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*sqs.Queue, error) {
	return sqs.NewQueue(ctx, name, &sqs.QueueArgs{
		SqsManagedSseEnabled:    pulumi.Bool(true),
		MessageRetentionSeconds: pulumi.Int(queueRetention),
		Tags:                    tags,
	}, opts...)
}

// newFailureDestination sends a run of fn that failed every attempt to
// queue. Lambda sends it with fn's role.
func newFailureDestination(ctx *pulumi.Context, name string, fn *lambda.Function, queue *sqs.Queue, opts ...pulumi.ResourceOption) error {
	_, err := lambda.NewFunctionEventInvokeConfig(ctx, name+"-invoke-config", &lambda.FunctionEventInvokeConfigArgs{
		FunctionName:         fn.Name,
		MaximumRetryAttempts: pulumi.Int(rotatorRetries),
		DestinationConfig: &lambda.FunctionEventInvokeConfigDestinationConfigArgs{
			OnFailure: &lambda.FunctionEventInvokeConfigDestinationConfigOnFailureArgs{Destination: queue.Arn},
		},
	}, opts...)
	return err
}

// newScheduleGroup creates the group the schedule belongs to. Scheduler
// passes its ARN as aws:SourceArn when it assumes the schedule's role.
func newScheduleGroup(ctx *pulumi.Context, name string, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*scheduler.ScheduleGroup, error) {
	return scheduler.NewScheduleGroup(ctx, name, &scheduler.ScheduleGroupArgs{Tags: tags}, opts...)
}

// scheduleSpec is what the schedule needs.
type scheduleSpec struct {
	group      pulumi.StringInput // name
	when       rotationSchedule
	target     pulumi.StringInput // the function's ARN
	role       pulumi.StringInput // the role Scheduler invokes it with
	deadLetter pulumi.StringInput // the queue's ARN
}

// newSchedule invokes the target asynchronously, as Scheduler invokes
// Lambda, with the run's scheduled time as its payload. Schedules take no
// tags.
func newSchedule(ctx *pulumi.Context, name string, spec scheduleSpec, opts ...pulumi.ResourceOption) (*scheduler.Schedule, error) {
	window := &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")}
	if spec.when.window > 0 {
		window = &scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("FLEXIBLE"), MaximumWindowInMinutes: pulumi.Int(spec.when.window)}
	}
	return scheduler.NewSchedule(ctx, name, &scheduler.ScheduleArgs{
		Description:        pulumi.String("Runs the password rotator"),
		GroupName:          spec.group,
		ScheduleExpression: pulumi.String(spec.when.expression),
		FlexibleTimeWindow: window,
		Target: &scheduler.ScheduleTargetArgs{
			Arn:     spec.target,
			RoleArn: spec.role,
			Input:   pulumi.String(rotation.SchedulerInput),
			RetryPolicy: &scheduler.ScheduleTargetRetryPolicyArgs{
				MaximumEventAgeInSeconds: pulumi.Int(deliveryMaxAge),
				MaximumRetryAttempts:     pulumi.Int(deliveryRetries),
			},
			DeadLetterConfig: &scheduler.ScheduleTargetDeadLetterConfigArgs{Arn: spec.deadLetter},
		},
	}, opts...)
}
