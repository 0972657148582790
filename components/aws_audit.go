package components

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudtrail"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// trailSpec is what the trail needs.
type trailSpec struct {
	name      string
	bucket    pulumi.StringInput // the audit bucket's name
	objects   pulumi.StringInput // the ARN prefix of the recorded objects
	functions pulumi.StringArrayInput
	tags      pulumi.StringMapInput
}

// newTrail records, in this region, the data events of the objects whose
// ARN starts with spec.objects (reads and writes) and the invocations of
// spec.functions, and no management event. Log file validation adds an
// hourly signed digest, so a deleted or altered log file shows.
func newTrail(ctx *pulumi.Context, name string, spec trailSpec, opts ...pulumi.ResourceOption) (*cloudtrail.Trail, error) {
	data := &cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("eventCategory"), Equals: pulumi.ToStringArray([]string{"Data"})}
	ofType := func(t string) *cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs {
		return &cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("resources.type"), Equals: pulumi.ToStringArray([]string{t})}
	}
	return cloudtrail.NewTrail(ctx, name, &cloudtrail.TrailArgs{
		Name:                       pulumi.String(spec.name),
		S3BucketName:               spec.bucket,
		EnableLogFileValidation:    pulumi.Bool(true),
		IncludeGlobalServiceEvents: pulumi.Bool(false),
		IsMultiRegionTrail:         pulumi.Bool(false),
		AdvancedEventSelectors: cloudtrail.TrailAdvancedEventSelectorArray{
			&cloudtrail.TrailAdvancedEventSelectorArgs{
				Name: pulumi.String("Reads and writes of the passwords"),
				FieldSelectors: cloudtrail.TrailAdvancedEventSelectorFieldSelectorArray{
					data, ofType("AWS::S3::Object"),
					&cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("resources.ARN"), StartsWiths: pulumi.StringArray{spec.objects}},
				},
			},
			&cloudtrail.TrailAdvancedEventSelectorArgs{
				Name: pulumi.String("Invocations of the stack's functions"),
				FieldSelectors: cloudtrail.TrailAdvancedEventSelectorFieldSelectorArray{
					data, ofType("AWS::Lambda::Function"),
					&cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs{Field: pulumi.String("resources.ARN"), Equals: spec.functions},
				},
			},
		},
		Tags: spec.tags,
	}, opts...)
}
