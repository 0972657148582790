// Package components holds the PasswordGenerator Pulumi component: a Go
// Lambda that generates passwords and stores each one, encrypted and
// versioned, in a locked-down S3 bucket, with the least-privilege IAM around
// it and a policy for the people allowed to read the passwords back; the
// lifecycle rules that expire passwords, the scheduled rotator that
// replaces them without reading them, and, on request, an audit trail.
package components

import (
	"fmt"
	"maps"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/iampolicy"
)

// typeToken names the component in the Pulumi engine and state.
const typeToken = "passwordgen:index:PasswordGenerator"

// PasswordGenerator is a deployed password generator.
type PasswordGenerator struct {
	pulumi.ResourceState

	// FunctionName and FunctionArn identify the function to invoke.
	FunctionName pulumi.StringOutput
	FunctionArn  pulumi.StringOutput
	// BucketName and BucketArn identify the bucket holding the passwords.
	BucketName pulumi.StringOutput
	BucketArn  pulumi.StringOutput
	// KeyPrefix is the folder of the bucket the passwords are stored under.
	KeyPrefix pulumi.StringOutput
	// RoleArn is the function's execution role.
	RoleArn pulumi.StringOutput
	// LogGroupName is where the function's JSON logs go.
	LogGroupName pulumi.StringOutput
	// ReaderPolicyArn is the managed policy to attach to users and roles
	// that may read stored passwords.
	ReaderPolicyArn pulumi.StringOutput
	// KMSKeyArn is the key encrypting the passwords; "" with SSE-S3.
	KMSKeyArn pulumi.StringOutput
	// DecryptKeyArns are every key the reader policy decrypts with: the
	// current one first, then those of DecryptKeyArns, so a key retained
	// after a move to another encryption stays on record.
	DecryptKeyArns pulumi.StringArrayOutput
	// API is the HTTP API; nil without HTTPAPIArgs.
	API *API
	// Rotation is the rotator and its schedule.
	Rotation *Rotation
	// Audit is the audit trail; nil without AuditArgs.
	Audit *Audit
}

// NewPasswordGenerator validates args, builds the function code and
// declares the stack. A nil args deploys the secure defaults. Every
// resource is a child of the component.
func NewPasswordGenerator(ctx *pulumi.Context, name string, args *PasswordGeneratorArgs, opts ...pulumi.ResourceOption) (*PasswordGenerator, error) {
	s, err := resolve(name, args)
	if err != nil {
		return nil, err
	}
	rules, err := passwordRules(s)
	if err != nil {
		return nil, fmt.Errorf("PasswordGenerator %s: %w", name, err)
	}
	// Before any resource exists, so a build failure leaves nothing behind.
	code, err := functionCode(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("PasswordGenerator %s: function code: %w", name, err)
	}
	trustJSON, err := iampolicy.LambdaTrust().JSON()
	if err != nil {
		return nil, err
	}
	trust := pulumi.String(trustJSON)

	pg := &PasswordGenerator{}
	if err := ctx.RegisterComponentResource(typeToken, name, pg, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(pg)
	var tags pulumi.StringMapInput
	if len(s.tags) > 0 {
		tags = pulumi.ToStringMap(s.tags)
	}

	where, err := lookupPlace(ctx, child)
	if err != nil {
		return nil, fmt.Errorf("PasswordGenerator %s: %w", name, err)
	}
	if err := s.checkRegion(where.region); err != nil {
		return nil, err
	}

	keyARN := pulumi.String(s.kmsKeyARN).ToStringOutput()
	var key *dedicatedKey
	if s.createKey {
		if key, err = newKey(ctx, name, aliasPrefix(ctx, name), tags, child); err != nil {
			return nil, err
		}
		keyARN = key.arn
	}
	// Before the bucket: the bucket policy names it.
	rotatorRole, err := newRole(ctx, name+"-rotator", fmt.Sprintf("Runs the %s password rotator, which can never read a password", name), trust, tags, child)
	if err != nil {
		return nil, err
	}
	spec := bucketSpec{
		forceDestroy: s.forceDestroy,
		// The name it has had since the policy only refused plain HTTP: a
		// renamed bucket policy would be replaced, and deleting the old
		// one after creating the new would leave the bucket with none.
		policyName: "tls-only",
		policy: func(arn pulumi.StringOutput) pulumi.StringOutput {
			return passwordBucketPolicy(arn, rotatorRole.Arn, s.keyPrefix)
		},
		rules: rules,
		tags:  tags,
	}
	if s.sseKMS() {
		spec.kmsKeyARN = keyARN
	}
	b, err := newBucket(ctx, name, spec, child)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if err := newKeyPolicy(ctx, name, key, keyPolicy(b.bucket.Arn, where), child); err != nil {
			return nil, err
		}
	}

	role, err := newRole(ctx, name, fmt.Sprintf("Runs the %s password generator function", name), trust, tags, child)
	if err != nil {
		return nil, err
	}
	reader, err := newReaderPolicy(ctx, name, readerPolicy(b.bucket.Arn, keyARN, s.keyPrefix, s.previousKeys, where), tags, child)
	if err != nil {
		return nil, err
	}

	var pool *userPool
	if s.api != nil && s.api.issuer == "" {
		if pool, err = newUserPool(ctx, name, where.region, s.api.clients, tags, child); err != nil {
			return nil, err
		}
	}
	// Every function reads the same environment; the prefixes of limited
	// API clients are part of it once their ids are known.
	env := pulumi.All(b.bucket.Bucket, keyARN, clientPrefixes(s.api, pool)).ApplyT(func(v []any) map[string]string {
		return fnconfig.Config{
			Bucket: v[0].(string), KeyPrefix: s.keyPrefix, KMSKeyID: v[1].(string), Limits: s.limits, Policy: s.policy,
			ClientPrefixes: v[2].(apispec.ClientPrefixes),
		}.Env()
	}).(pulumi.StringMapOutput)
	sh := shared{code: code, env: env, tags: tags}
	fn, logs, err := newStackFunction(ctx, s, sh, stackFunction{
		name:        name,
		logicalName: name + "-function",
		description: "Generates passwords and stores each one, encrypted and versioned, in S3",
		function:    apispec.Generator,
		role:        role,
		policy: func(logGroupARN pulumi.StringOutput) pulumi.StringOutput {
			return functionPolicy(b.bucket.Arn, logGroupARN, keyARN, s.keyPrefix, where)
		},
		timeout:  s.timeout,
		reserved: s.reserved,
		// No object lands before encryption and versioning are configured.
		deps: []pulumi.Resource{b.encryption, b.versioning},
	}, child)
	if err != nil {
		return nil, err
	}

	if pg.Rotation, err = newRotationStack(ctx, name, s, sh, rotationInputs{
		bucketARN: b.bucket.Arn, keyARN: keyARN, where: where,
		role: rotatorRole, deps: []pulumi.Resource{b.encryption, b.versioning, b.policy},
	}, child); err != nil {
		return nil, err
	}

	pg.FunctionName = fn.Name
	pg.FunctionArn = fn.Arn
	pg.BucketName = b.bucket.Bucket
	pg.BucketArn = b.bucket.Arn
	pg.KeyPrefix = pulumi.String(s.keyPrefix).ToStringOutput()
	pg.RoleArn = role.Arn
	pg.LogGroupName = logs.Name
	pg.ReaderPolicyArn = reader.Arn
	pg.KMSKeyArn = keyARN
	pg.DecryptKeyArns = keyARN.ApplyT(func(current string) []string {
		return iampolicy.DecryptKeys(current, s.previousKeys)
	}).(pulumi.StringArrayOutput)
	if s.api != nil {
		if pg.API, err = newAPIStack(ctx, name, s, sh, apiInputs{
			bucketARN: b.bucket.Arn, keyARN: keyARN, where: where, trust: trust,
			generator: fn, pool: pool, deps: []pulumi.Resource{b.encryption, b.versioning},
		}, child); err != nil {
			return nil, err
		}
	}
	if s.audit != nil {
		functions := pulumi.StringArray{fn.Arn, pg.Rotation.functionARN}
		if pg.API != nil {
			functions = append(functions, pg.API.retrieverARN)
		}
		if pg.Audit, err = newAuditStack(ctx, name, s, auditInputs{bucketARN: b.bucket.Arn, functions: functions, where: where, tags: tags}, child); err != nil {
			return nil, err
		}
	}
	outputs := pulumi.Map{}
	for k, v := range pg.Outputs() {
		outputs[k] = v
	}
	if err := ctx.RegisterResourceOutputs(pg, outputs); err != nil {
		return nil, err
	}
	return pg, nil
}

// Outputs are the component's outputs by the names the program exports them
// under: what a user needs to invoke the function and read its passwords.
func (pg *PasswordGenerator) Outputs() map[string]pulumi.Output {
	outputs := map[string]pulumi.Output{
		"functionName":    pg.FunctionName,
		"functionArn":     pg.FunctionArn,
		"bucketName":      pg.BucketName,
		"bucketArn":       pg.BucketArn,
		"keyPrefix":       pg.KeyPrefix,
		"roleArn":         pg.RoleArn,
		"logGroupName":    pg.LogGroupName,
		"readerPolicyArn": pg.ReaderPolicyArn,
		"kmsKeyArn":       pg.KMSKeyArn,
		"decryptKeyArns":  pg.DecryptKeyArns,
	}
	maps.Copy(outputs, pg.Rotation.outputs())
	if pg.API != nil {
		maps.Copy(outputs, pg.API.outputs())
	}
	if pg.Audit != nil {
		maps.Copy(outputs, pg.Audit.outputs())
	}
	return outputs
}

// aliasPrefix gives the key a name people recognise in the KMS console:
// project, stack and component, before the provider's unique suffix.
// Aliases allow [A-Za-z0-9/_-]; project and stack names may also hold '.'.
func aliasPrefix(ctx *pulumi.Context, name string) string {
	return "alias/" + strings.ReplaceAll(ctx.Project()+"-"+ctx.Stack()+"-"+name, ".", "-") + "-"
}
