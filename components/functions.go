package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

// shared is what every function of the stack runs: one bootstrap, one
// environment, the stack's tags.
type shared struct {
	code pulumi.Archive
	env  pulumi.StringMapOutput
	tags pulumi.StringMapInput
}

// stackFunction is one of the stack's functions. Each runs as its own
// role, whose one inline policy lets it write to its own log group.
type stackFunction struct {
	name        string // names the log group and the role policy
	logicalName string
	description string
	function    apispec.Function
	role        *iam.Role
	policy      func(logGroupARN pulumi.StringOutput) pulumi.StringOutput
	timeout     int
	reserved    int // 0: no reservation
	// deps are what the function waits for besides its policy and logs.
	deps []pulumi.Resource
}

// newStackFunction creates f's log group, its role's policy and the
// function, which waits for both so that its first invocation can already
// write its logs and do its work.
func newStackFunction(ctx *pulumi.Context, s settings, sh shared, f stackFunction, opts ...pulumi.ResourceOption) (*lambda.Function, *cloudwatch.LogGroup, error) {
	logs, err := newLogGroup(ctx, f.name, "", s.logRetentionDays, sh.tags, opts...)
	if err != nil {
		return nil, nil, err
	}
	rolePolicy, err := newRolePolicy(ctx, f.name, f.role, f.policy(logs.Arn), opts...)
	if err != nil {
		return nil, nil, err
	}
	fn, err := newFunction(ctx, functionSpec{
		logicalName:  f.logicalName,
		description:  f.description,
		handler:      f.function.Handler(),
		role:         f.role.Arn,
		code:         sh.code,
		architecture: s.architecture,
		memorySize:   s.memorySize,
		timeout:      f.timeout,
		reserved:     f.reserved,
		environment:  sh.env,
		logGroup:     logs.Name,
		tags:         sh.tags,
	}, append([]pulumi.ResourceOption{pulumi.DependsOn(append([]pulumi.Resource{rolePolicy, logs}, f.deps...))}, opts...)...)
	if err != nil {
		return nil, nil, err
	}
	return fn, logs, nil
}
