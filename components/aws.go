package components

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigatewayv2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/lifecycle"
)

// The aws*.go files hold every AWS resource constructor and provider
// function the component calls, so the move to pulumi-aws v7 (BucketV2 ->
// Bucket, the *V2 side-cars -> their unsuffixed names, getRegion's name ->
// region) is a rename there and, for the tests, in
// internal/testkit/awsmock.

// abortMultipartDays bounds how long an unfinished multipart upload may
// hold storage; the function never starts one, so anything older is debris.
const abortMultipartDays = 7

// place is where the stack deploys, as the AWS provider sees it.
type place struct {
	region    string
	partition string
	dnsSuffix string
	account   string
}

// lookupPlace asks the provider for its region, its partition and the
// account its credentials belong to. opts must carry the component as
// parent, so a provider passed to the component answers.
func lookupPlace(ctx *pulumi.Context, opts ...pulumi.InvokeOption) (place, error) {
	region, err := aws.GetRegion(ctx, &aws.GetRegionArgs{}, opts...)
	if err != nil {
		return place{}, fmt.Errorf("look up the stack's region: %w", err)
	}
	p := place{region: region.Name}
	partition, err := aws.GetPartition(ctx, &aws.GetPartitionArgs{}, opts...)
	if err != nil {
		return place{}, fmt.Errorf("look up the stack's partition: %w", err)
	}
	caller, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, opts...)
	if err != nil {
		return place{}, fmt.Errorf("look up the stack's account: %w", err)
	}
	p.partition, p.dnsSuffix, p.account = partition.Partition, partition.DnsSuffix, caller.AccountId
	return p, nil
}

// retained leaves a resource in AWS when it leaves the stack: the key, its
// alias and its policy outlive a destroy and a move to another encryption,
// because a deleted key would take every password it encrypted with it.
var retained = pulumi.RetainOnDelete(true)

// dedicatedKey identifies the key newKey created.
type dedicatedKey struct {
	arn, id pulumi.StringOutput
}

// newKey creates the dedicated key and its alias. aliasPrefix gets a unique
// suffix from the provider, so two stacks of the same names in one account
// and region, or a stack recreated next to its retained alias, never collide.
func newKey(ctx *pulumi.Context, name, aliasPrefix string, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*dedicatedKey, error) {
	opts = append(opts, retained)
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:       pulumi.Sprintf("Encrypts the passwords stored by %s", name),
		EnableKeyRotation: pulumi.Bool(true),
		// The longest window AWS allows: a key deleted by mistake can be
		// restored for 30 days, and with it every password it encrypts.
		DeletionWindowInDays: pulumi.Int(30),
		// No Policy: the key's policy is its own resource (newKeyPolicy),
		// as it names the bucket, which depends on the key. Setting both
		// would have them overwrite each other.
		Tags: tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		NamePrefix:  pulumi.String(aliasPrefix),
		TargetKeyId: key.KeyId,
	}, opts...); err != nil {
		return nil, err
	}
	return &dedicatedKey{arn: key.Arn, id: key.KeyId}, nil
}

func newKeyPolicy(ctx *pulumi.Context, name string, key *dedicatedKey, policy pulumi.StringOutput, opts ...pulumi.ResourceOption) error {
	_, err := kms.NewKeyPolicy(ctx, name+"-key-policy", &kms.KeyPolicyArgs{
		KeyId:  key.id,
		Policy: policy,
	}, append(opts, retained)...)
	return err
}

// bucketSpec is what a bucket and its side-car resources need.
type bucketSpec struct {
	forceDestroy bool
	kmsKeyARN    pulumi.StringInput // nil: SSE-S3
	// policyName names the bucket policy resource after the bucket's
	// name; policy builds the policy from the bucket's ARN.
	policyName string
	policy     func(bucketARN pulumi.StringOutput) pulumi.StringOutput
	// rules are the lifecycle rules besides aborting incomplete uploads.
	rules []lifecycle.Rule
	tags  pulumi.StringMapInput
}

// bucketResources are the resources other parts of the stack wait for.
type bucketResources struct {
	bucket     *s3.BucketV2
	encryption *s3.BucketServerSideEncryptionConfigurationV2
	versioning *s3.BucketVersioningV2
	policy     *s3.BucketPolicy
}

// newBucket creates a bucket locked down: default encryption, versioning,
// every public-access flag, ACLs disabled, the bucket policy (which always
// refuses plain HTTP), and lifecycle cleanup.
func newBucket(ctx *pulumi.Context, name string, spec bucketSpec, opts ...pulumi.ResourceOption) (bucketResources, error) {
	var r bucketResources
	bucket, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		ForceDestroy: pulumi.Bool(spec.forceDestroy),
		Tags:         spec.tags,
	}, opts...)
	if err != nil {
		return r, err
	}
	r.bucket = bucket
	// The side-car settings vanish with the bucket, so the engine skips
	// deleting them when the bucket goes too. When the bucket refuses to go
	// (it still holds passwords and forceDestroy is off), they stay: the
	// passwords keep their encryption, versioning, access block and
	// TLS-only policy.
	opts = append([]pulumi.ResourceOption{pulumi.DeletedWith(bucket)}, opts...)

	byDefault := &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
		SseAlgorithm: pulumi.String("AES256"),
	}
	rule := &s3.BucketServerSideEncryptionConfigurationV2RuleArgs{ApplyServerSideEncryptionByDefault: byDefault}
	if spec.kmsKeyARN != nil {
		byDefault.SseAlgorithm = pulumi.String("aws:kms")
		byDefault.KmsMasterKeyId = spec.kmsKeyARN
		// A Bucket Key lets S3 reuse a data key across objects, cutting KMS
		// requests (and their cost) by up to 99%.
		rule.BucketKeyEnabled = pulumi.Bool(true)
	}
	if r.encryption, err = s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{rule},
	}, opts...); err != nil {
		return r, err
	}

	if r.versioning, err = s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket: bucket.ID(),
		VersioningConfiguration: &s3.BucketVersioningV2VersioningConfigurationArgs{
			Status: pulumi.String("Enabled"),
		},
	}, opts...); err != nil {
		return r, err
	}

	accessBlock, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return r, err
	}

	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule: &s3.BucketOwnershipControlsRuleArgs{
			ObjectOwnership: pulumi.String("BucketOwnerEnforced"),
		},
	}, opts...); err != nil {
		return r, err
	}

	// After the access block, so the policy lands on a bucket already closed
	// to the public, and S3 never sees the two access settings change at
	// once (it may answer that with OperationAborted).
	if r.policy, err = s3.NewBucketPolicy(ctx, name+"-"+spec.policyName, &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: spec.policy(bucket.Arn),
	}, append([]pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{accessBlock})}, opts...)...); err != nil {
		return r, err
	}

	// Incomplete uploads are debris anywhere in the bucket.
	rules := append(s3.BucketLifecycleConfigurationV2RuleArray{
		&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("abort-incomplete-multipart-uploads"),
			Status: pulumi.String("Enabled"),
			Filter: &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			AbortIncompleteMultipartUpload: &s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(abortMultipartDays),
			},
		},
	}, lifecycleRules(spec.rules)...)
	// After versioning, as the provider documents for versioned buckets:
	// noncurrent-version rules mean nothing before versioning is on.
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  rules,
	}, append([]pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{r.versioning})}, opts...)...); err != nil {
		return r, err
	}
	return r, nil
}

// lifecycleRules spells rules as the provider does. Every rule names its
// filter explicitly: the provider warns about rules with none. S3 wants a
// tag with a prefix in And, a tag alone in Tag.
func lifecycleRules(rules []lifecycle.Rule) s3.BucketLifecycleConfigurationV2RuleArray {
	out := s3.BucketLifecycleConfigurationV2RuleArray{}
	for _, r := range rules {
		filter := &s3.BucketLifecycleConfigurationV2RuleFilterArgs{}
		switch {
		case r.TagKey != "" && r.Prefix != "":
			filter.And = &s3.BucketLifecycleConfigurationV2RuleFilterAndArgs{
				Prefix: pulumi.String(r.Prefix),
				Tags:   pulumi.StringMap{r.TagKey: pulumi.String(r.TagValue)},
			}
		case r.TagKey != "":
			filter.Tag = &s3.BucketLifecycleConfigurationV2RuleFilterTagArgs{Key: pulumi.String(r.TagKey), Value: pulumi.String(r.TagValue)}
		default:
			filter.Prefix = pulumi.String(r.Prefix)
		}
		rule := &s3.BucketLifecycleConfigurationV2RuleArgs{Id: pulumi.String(r.ID), Status: pulumi.String("Enabled"), Filter: filter}
		switch {
		case r.ExpirationDays != 0:
			rule.Expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(r.ExpirationDays)}
		case r.ExpiredObjectDeleteMarker:
			rule.Expiration = &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{ExpiredObjectDeleteMarker: pulumi.Bool(true)}
		}
		if r.NoncurrentDays != 0 {
			rule.NoncurrentVersionExpiration = &s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
				NoncurrentDays: pulumi.Int(r.NoncurrentDays),
			}
		}
		out = append(out, rule)
	}
	return out
}

// newLogGroup creates a log group. deliveredBy names the AWS service that
// delivers logs to it ("apigateway" for the access log), or is "" for a
// function's own group. Such services add every destination group to the
// account's CloudWatch Logs resource policy, which holds 5,120 characters;
// groups under /aws/vendedlogs/ are covered by one wildcard entry once it
// nears that limit, so a busy account can still turn the log on.
func newLogGroup(ctx *pulumi.Context, name, deliveredBy string, retentionDays int, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*cloudwatch.LogGroup, error) {
	args := &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(retentionDays),
		Tags:            tags,
	}
	if deliveredBy != "" {
		args.NamePrefix = pulumi.String("/aws/vendedlogs/" + deliveredBy + "/" + name + "-")
	}
	return cloudwatch.NewLogGroup(ctx, name+"-logs", args, opts...)
}

// newRole creates the role that description names.
func newRole(ctx *pulumi.Context, name, description string, trustPolicy pulumi.StringInput, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*iam.Role, error) {
	return iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description:      pulumi.String(description),
		AssumeRolePolicy: trustPolicy,
		Tags:             tags,
	}, opts...)
}

func newRolePolicy(ctx *pulumi.Context, name string, role *iam.Role, policy pulumi.StringOutput, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	return iam.NewRolePolicy(ctx, name+"-role-policy", &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: policy,
	}, opts...)
}

func newReaderPolicy(ctx *pulumi.Context, name string, policy pulumi.StringOutput, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*iam.Policy, error) {
	return iam.NewPolicy(ctx, name+"-reader", &iam.PolicyArgs{
		Description: pulumi.Sprintf("Read the passwords stored by %s", name),
		Policy:      policy,
		Tags:        tags,
	}, opts...)
}

// functionSpec is what a Lambda function needs.
type functionSpec struct {
	// logicalName is the function's name in the stack.
	logicalName string
	description string
	// handler tells the shared bootstrap which function to be
	// (apispec.Function.Handler).
	handler      string
	role         pulumi.StringInput // ARN
	code         pulumi.Archive
	architecture string
	memorySize   int
	timeout      int
	reserved     int // 0: no reservation
	environment  pulumi.StringMapInput
	logGroup     pulumi.StringInput // name
	tags         pulumi.StringMapInput
}

func newFunction(ctx *pulumi.Context, spec functionSpec, opts ...pulumi.ResourceOption) (*lambda.Function, error) {
	args := &lambda.FunctionArgs{
		Description:   pulumi.String(spec.description),
		Runtime:       pulumi.String("provided.al2023"),
		Handler:       pulumi.String(spec.handler),
		Architectures: pulumi.StringArray{pulumi.String(spec.architecture)},
		Code:          spec.code,
		Role:          spec.role,
		MemorySize:    pulumi.Int(spec.memorySize),
		Timeout:       pulumi.Int(spec.timeout),
		Environment:   &lambda.FunctionEnvironmentArgs{Variables: spec.environment},
		// The function logs to the stack's group rather than the implicit
		// /aws/lambda/<name>, so the group keeps its retention and the role
		// needs no logs:CreateLogGroup.
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat: pulumi.String("JSON"),
			LogGroup:  spec.logGroup,
		},
		Tags: spec.tags,
	}
	if spec.reserved > 0 {
		args.ReservedConcurrentExecutions = pulumi.Int(spec.reserved)
	}
	return lambda.NewFunction(ctx, spec.logicalName, args, opts...)
}

// userPool is the Cognito user pool that issues the API's tokens.
type userPool struct {
	id, issuer, tokenURL pulumi.StringOutput
	// clients are the app clients, in the order of apiSettings.clients.
	clients []*cognito.UserPoolClient
}

// newUserPool creates a user pool for machine-to-machine callers only: no
// user may sign up, the resource server defines the API's scopes, a
// domain serves the token endpoint, and each configured client gets a
// secret and the client_credentials grant with its scopes.
func newUserPool(ctx *pulumi.Context, name, region string, clients []APIClient, tags pulumi.StringMapInput, opts ...pulumi.ResourceOption) (*userPool, error) {
	pool, err := cognito.NewUserPool(ctx, name+"-users", &cognito.UserPoolArgs{
		AdminCreateUserConfig: &cognito.UserPoolAdminCreateUserConfigArgs{
			AllowAdminCreateUserOnly: pulumi.Bool(true),
		},
		Tags: tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	var scopes cognito.ResourceServerScopeArray
	for _, s := range apispec.Scopes {
		scopes = append(scopes, &cognito.ResourceServerScopeArgs{ScopeName: pulumi.String(s.Name), ScopeDescription: pulumi.String(s.Description)})
	}
	server, err := cognito.NewResourceServer(ctx, name+"-resource-server", &cognito.ResourceServerArgs{
		UserPoolId: pool.ID(),
		Identifier: pulumi.String(apispec.ResourceServer),
		Name:       pulumi.String(apispec.ResourceServer),
		Scopes:     scopes,
	}, opts...)
	if err != nil {
		return nil, err
	}
	domain, err := cognito.NewUserPoolDomain(ctx, name+"-domain", &cognito.UserPoolDomainArgs{
		UserPoolId: pool.ID(),
		Domain:     pool.ID().ApplyT(domainPrefix).(pulumi.StringOutput),
	}, opts...)
	if err != nil {
		return nil, err
	}
	up := &userPool{
		id: pool.ID().ToStringOutput(),
		// The issuer a pool's tokens carry: https:// and its endpoint,
		// cognito-idp.<region>.amazonaws.com/<pool id>.
		issuer:   pulumi.Sprintf("https://%s", pool.Endpoint),
		tokenURL: pulumi.Sprintf("https://%s.auth.%s.amazoncognito.com/oauth2/token", domain.Domain, region),
	}
	for _, c := range clients {
		client, err := cognito.NewUserPoolClient(ctx, name+"-client-"+c.Name, &cognito.UserPoolClientArgs{
			Name:                            pulumi.String(c.Name),
			UserPoolId:                      pool.ID(),
			GenerateSecret:                  pulumi.Bool(true),
			AllowedOauthFlowsUserPoolClient: pulumi.Bool(true),
			AllowedOauthFlows:               pulumi.StringArray{pulumi.String("client_credentials")},
			AllowedOauthScopes:              pulumi.ToStringArray(c.Scopes),
			SupportedIdentityProviders:      pulumi.StringArray{pulumi.String("COGNITO")},
			// No sign-in flow: the client only exchanges its secret for
			// tokens, and refresh is the one flow Cognito requires.
			ExplicitAuthFlows:          pulumi.StringArray{pulumi.String("ALLOW_REFRESH_TOKEN_AUTH")},
			PreventUserExistenceErrors: pulumi.String("ENABLED"),
		}, append([]pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{server})}, opts...)...)
		if err != nil {
			return nil, err
		}
		up.clients = append(up.clients, client)
	}
	return up, nil
}

// domainPrefix names the pool's token endpoint: Cognito domain prefixes are
// unique per region across every account, so the prefix comes from the
// pool's own id, lowercase letters, digits and hyphens as Cognito requires.
func domainPrefix(poolID string) string {
	sum := sha256.Sum256([]byte(poolID))
	return "pwgen-" + hex.EncodeToString(sum[:10])
}

// apiSpec is what the HTTP API needs.
type apiSpec struct {
	rate, burst int
	issuer      pulumi.StringInput
	audience    pulumi.StringArrayInput
	functions   map[apispec.Function]*lambda.Function
	accessLogs  *cloudwatch.LogGroup
	tags        pulumi.StringMapInput
}

// newHTTPAPI creates the API: its JWT authorizer, a Lambda proxy
// integration (payload 2.0) per function, the routes of apispec.Routes
// each requiring its scope, the $default stage with the throttle and the
// access log, and for each route the permission to invoke its function
// from that route alone.
func newHTTPAPI(ctx *pulumi.Context, name string, spec apiSpec, opts ...pulumi.ResourceOption) (*apigatewayv2.Api, error) {
	api, err := apigatewayv2.NewApi(ctx, name+"-api", &apigatewayv2.ApiArgs{
		ProtocolType: pulumi.String("HTTP"),
		Description:  pulumi.Sprintf("Generates and reads the passwords of %s", name),
		Tags:         spec.tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	authorizer, err := apigatewayv2.NewAuthorizer(ctx, name+"-authorizer", &apigatewayv2.AuthorizerArgs{
		ApiId:           api.ID(),
		Name:            pulumi.String("jwt"),
		AuthorizerType:  pulumi.String("JWT"),
		IdentitySources: pulumi.StringArray{pulumi.String("$request.header.Authorization")},
		JwtConfiguration: &apigatewayv2.AuthorizerJwtConfigurationArgs{
			Issuer:    spec.issuer,
			Audiences: spec.audience,
		},
	}, opts...)
	if err != nil {
		return nil, err
	}
	integrations := map[apispec.Function]*apigatewayv2.Integration{}
	for _, f := range []apispec.Function{apispec.Generator, apispec.Retriever} {
		if integrations[f], err = apigatewayv2.NewIntegration(ctx, fmt.Sprintf("%s-integration-%s", name, f.Handler()), &apigatewayv2.IntegrationArgs{
			ApiId:                api.ID(),
			IntegrationType:      pulumi.String("AWS_PROXY"),
			IntegrationMethod:    pulumi.String("POST"),
			IntegrationUri:       spec.functions[f].Arn,
			PayloadFormatVersion: pulumi.String("2.0"),
		}, opts...); err != nil {
			return nil, err
		}
	}
	var routes []pulumi.Resource
	for _, r := range apispec.Routes {
		route, err := apigatewayv2.NewRoute(ctx, name+"-route-"+r.Name, &apigatewayv2.RouteArgs{
			ApiId:               api.ID(),
			RouteKey:            pulumi.String(r.Key),
			Target:              pulumi.Sprintf("integrations/%s", integrations[r.Function].ID()),
			AuthorizationType:   pulumi.String("JWT"),
			AuthorizerId:        authorizer.ID(),
			AuthorizationScopes: pulumi.StringArray{pulumi.String(r.Scope)},
		}, opts...)
		if err != nil {
			return nil, err
		}
		routes = append(routes, route)
		if _, err := lambda.NewPermission(ctx, name+"-invoke-"+r.Name, &lambda.PermissionArgs{
			Action:    pulumi.String("lambda:InvokeFunction"),
			Function:  spec.functions[r.Function].Name,
			Principal: pulumi.String("apigateway.amazonaws.com"),
			SourceArn: pulumi.Sprintf("%s/*/%s", api.ExecutionArn, executePath(r.Key)),
		}, opts...); err != nil {
			return nil, err
		}
	}
	// After the routes, so the stage's first automatic deployment holds
	// all of them.
	if _, err := apigatewayv2.NewStage(ctx, name+"-stage", &apigatewayv2.StageArgs{
		ApiId:      api.ID(),
		Name:       pulumi.String("$default"),
		AutoDeploy: pulumi.Bool(true),
		DefaultRouteSettings: &apigatewayv2.StageDefaultRouteSettingsArgs{
			ThrottlingRateLimit:  pulumi.Float64(float64(spec.rate)),
			ThrottlingBurstLimit: pulumi.Int(spec.burst),
		},
		AccessLogSettings: &apigatewayv2.StageAccessLogSettingsArgs{
			DestinationArn: spec.accessLogs.Arn,
			Format:         pulumi.String(apispec.AccessLogFormat()),
		},
		Tags: spec.tags,
	}, append([]pulumi.ResourceOption{pulumi.DependsOn(routes)}, opts...)...); err != nil {
		return nil, err
	}
	return api, nil
}

// executePath is the part of a route's execute-api ARN after the stage:
// the method and the path, with a greedy parameter as "*" so the grant
// covers every name the route matches.
func executePath(routeKey string) string {
	method, path, _ := strings.Cut(routeKey, " ")
	if i := strings.Index(path, "/{"); i >= 0 {
		path = path[:i] + "/*"
	}
	return method + path
}
