// Package awsmock is a Pulumi mock resource monitor that answers like AWS,
// for tests of the PasswordGenerator component and of the program that
// deploys it. Pulumi's mocks do no auto-naming and compute no outputs, so
// this one does both the way the AWS provider would, with ARNs in AWS's real
// formats, answers the provider functions the component calls, and records
// every registration for assertions.
//
// The resource type tokens live here, and only here among the tests: the
// move to pulumi-aws v7 renames the *V2 types, and then this file and
// components/aws.go are all that change.
package awsmock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Where the mocked resources live unless Mocks.Region says otherwise; the
// ARNs carry them.
const (
	DefaultRegion = "eu-west-1"
	Account       = "123456789012"
	Partition     = "aws"
	DNSSuffix     = "amazonaws.com"
)

// The resource types the component registers, as the engine names them.
const (
	TypeBucket      = "aws:s3/bucketV2:BucketV2"
	TypeEncryption  = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	TypeVersioning  = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	TypeAccessBlock = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	TypeOwnership   = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	TypePolicy      = "aws:s3/bucketPolicy:BucketPolicy"
	TypeLifecycle   = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	TypeKey         = "aws:kms/key:Key"
	TypeKeyPolicy   = "aws:kms/keyPolicy:KeyPolicy"
	TypeAlias       = "aws:kms/alias:Alias"
	TypeLogGroup    = "aws:cloudwatch/logGroup:LogGroup"
	TypeRole        = "aws:iam/role:Role"
	TypeRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	TypeIAMPolicy   = "aws:iam/policy:Policy"
	TypeFunction    = "aws:lambda/function:Function"
	TypePermission  = "aws:lambda/permission:Permission"

	TypeEventInvokeConfig = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
	TypeQueue             = "aws:sqs/queue:Queue"
	TypeScheduleGroup     = "aws:scheduler/scheduleGroup:ScheduleGroup"
	TypeSchedule          = "aws:scheduler/schedule:Schedule"
	TypeTrail             = "aws:cloudtrail/trail:Trail"

	TypeAPI            = "aws:apigatewayv2/api:Api"
	TypeAuthorizer     = "aws:apigatewayv2/authorizer:Authorizer"
	TypeIntegration    = "aws:apigatewayv2/integration:Integration"
	TypeRoute          = "aws:apigatewayv2/route:Route"
	TypeStage          = "aws:apigatewayv2/stage:Stage"
	TypeUserPool       = "aws:cognito/userPool:UserPool"
	TypeResourceServer = "aws:cognito/resourceServer:ResourceServer"
	TypeUserPoolDomain = "aws:cognito/userPoolDomain:UserPoolDomain"
	TypeUserPoolClient = "aws:cognito/userPoolClient:UserPoolClient"
)

// The provider functions the component calls.
const (
	callCallerIdentity = "aws:index/getCallerIdentity:getCallerIdentity"
	callPartition      = "aws:index/getPartition:getPartition"
	callRegion         = "aws:index/getRegion:getRegion"
)

// Resource is one registration as the engine received it.
type Resource struct {
	Type string // e.g. aws:s3/bucketV2:BucketV2
	Name string // logical name
	ID   string // the provider's id
	// ParentURN is the parent's URN: the stack's for a top-level resource.
	// The stack itself is never recorded; the mock monitor answers it.
	ParentURN string
	// Dependencies are the URNs the resource waits for: explicit DependsOn
	// and every resource whose outputs feed its inputs.
	Dependencies []string
	// DeletedWith is the URN of the resource whose deletion removes this
	// one too, if any.
	DeletedWith string
	// RetainOnDelete: deleting the resource from the stack leaves it in
	// the cloud.
	RetainOnDelete bool
	// Inputs and Outputs as plain Go values (maps, slices, strings,
	// float64, bool, and *archive.Archive for archives).
	Inputs  map[string]any
	Outputs map[string]any
}

// ParentName is the logical name of the parent.
func (r Resource) ParentName() string { return resource.URN(r.ParentURN).Name() }

// DependsOn reports whether r waits for the resource with that logical name.
func (r Resource) DependsOn(name string) bool {
	for _, d := range r.Dependencies {
		if resource.URN(d).Name() == name {
			return true
		}
	}
	return false
}

// Mocks implements pulumi.MockResourceMonitor. The zero value is ready.
type Mocks struct {
	// Region is the provider's region; "" means DefaultRegion.
	Region string

	mu        sync.Mutex
	resources []Resource
}

func (m *Mocks) region() string {
	if m.Region == "" {
		return DefaultRegion
	}
	return m.Region
}

// Resources returns every registration so far, in registration order.
func (m *Mocks) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Resource(nil), m.resources...)
}

// Named returns the resource with that logical name, if registered.
func (m *Mocks) Named(name string) (Resource, bool) {
	for _, r := range m.Resources() {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// Inputs returns every registration's inputs by logical name, to compare
// two deployments whole.
func (m *Mocks) Inputs() map[string]map[string]any {
	in := map[string]map[string]any{}
	for _, r := range m.Resources() {
		in[r.Name] = r.Inputs
	}
	return in
}

// Call answers the provider functions that tell where the stack deploys,
// as the AWS provider would for Account in the mock's region. Every other
// call fails, so a lookup that crept in breaks the tests rather than the
// preview.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	var out map[string]any
	switch args.Token {
	case callCallerIdentity:
		out = map[string]any{"accountId": Account, "id": Account, "arn": "arn:" + Partition + ":iam::" + Account + ":user/deployer", "userId": "AIDAEXAMPLEDEPLOYER"}
	case callPartition:
		out = map[string]any{"partition": Partition, "id": Partition, "dnsSuffix": DNSSuffix, "reverseDnsPrefix": "com.amazonaws"}
	case callRegion:
		r := m.region()
		out = map[string]any{"name": r, "id": r, "endpoint": "ec2." + r + "." + DNSSuffix, "description": r}
	default:
		return nil, fmt.Errorf("awsmock: unexpected call of %s", args.Token)
	}
	return resource.NewPropertyMapFromMap(out), nil
}

// NewResource records the registration and returns the ID and outputs AWS
// would: the inputs, plus a physical name when none was given and the
// ARNs and IDs the provider computes.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	outputs := args.Inputs.Copy()
	id := computed(args.TypeToken, args.Name, m.region(), outputs)
	rec := Resource{
		Type:    args.TypeToken,
		Name:    args.Name,
		ID:      id,
		Inputs:  args.Inputs.Mappable(),
		Outputs: outputs.Mappable(),
	}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.ParentURN = rpc.GetParent()
		rec.Dependencies = rpc.GetDependencies()
		rec.DeletedWith = rpc.GetDeletedWith()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
	}
	m.mu.Lock()
	m.resources = append(m.resources, rec)
	m.mu.Unlock()
	return id, outputs, nil
}

// computed fills out the provider-computed outputs of one resource type and
// returns its ID.
func computed(typ, logical, region string, out resource.PropertyMap) string {
	set := func(k, v string) { out[resource.PropertyKey(k)] = resource.NewProperty(v) }
	// name is the physical name: the given one, or Pulumi's auto-name,
	// the logical name plus '-' and 7 random hex digits (here derived from
	// the logical name, so runs are reproducible).
	name := func(key string) string {
		if v, ok := out[resource.PropertyKey(key)]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
		sum := sha256.Sum256([]byte(logical))
		n := logical + "-" + hex.EncodeToString(sum[:])[:7]
		set(key, n)
		return n
	}
	// token is a lowercase alphanumeric id of n characters, as AWS gives
	// APIs, routes and app clients, derived from the logical name.
	token := func(n int) string {
		sum := sha256.Sum256([]byte(logical))
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[int(sum[i%len(sum)]+byte(i))%len(alphabet)]
		}
		return string(b)
	}
	input := func(key string) string {
		if v, ok := out[resource.PropertyKey(key)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	switch typ {
	case TypeBucket:
		b := name("bucket")
		set("arn", "arn:aws:s3:::"+b)
		set("region", region)
		return b
	case TypeKey:
		sum := sha256.Sum256([]byte(logical))
		h := hex.EncodeToString(sum[:])
		keyID := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		set("keyId", keyID)
		set("arn", fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, Account, keyID))
		return keyID
	case TypeKeyPolicy:
		return input("keyId")
	case TypeAlias:
		n := input("name")
		if n == "" {
			// The provider's unique name for a prefix: the prefix and 26
			// digits (a timestamp and a counter).
			n = input("namePrefix") + "20261129120000000000000001"
			set("name", n)
		}
		set("arn", fmt.Sprintf("arn:aws:kms:%s:%s:%s", region, Account, n))
		return n
	case TypeLogGroup:
		n := input("name")
		if p := input("namePrefix"); n == "" && p != "" {
			// The provider's unique name for a prefix, as for aliases.
			n = p + "20261129120000000000000001"
			set("name", n)
		} else {
			n = name("name")
		}
		set("arn", fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, Account, n))
		return n
	case TypeRole:
		n := name("name")
		set("arn", fmt.Sprintf("arn:aws:iam::%s:role/%s", Account, n))
		return n
	case TypeRolePolicy:
		return input("role") + ":" + name("name")
	case TypeIAMPolicy:
		arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", Account, name("name"))
		set("arn", arn)
		return arn
	case TypeFunction:
		n := name("name")
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, Account, n)
		set("arn", arn)
		set("qualifiedArn", arn+":$LATEST")
		set("version", "$LATEST")
		return n
	case TypePermission:
		if input("statementId") == "" {
			set("statementId", "terraform-"+token(26))
		}
		return input("statementId")
	case TypeAPI:
		id := token(10)
		set("apiEndpoint", fmt.Sprintf("https://%s.execute-api.%s.%s", id, region, DNSSuffix))
		set("executionArn", fmt.Sprintf("arn:aws:execute-api:%s:%s:%s", region, Account, id))
		set("arn", fmt.Sprintf("arn:aws:apigateway:%s::/apis/%s", region, id))
		return id
	case TypeAuthorizer, TypeIntegration, TypeRoute:
		return token(7)
	case TypeStage:
		api := input("apiId")
		set("invokeUrl", fmt.Sprintf("https://%s.execute-api.%s.%s/", api, region, DNSSuffix))
		set("executionArn", fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s", region, Account, api, input("name")))
		return input("name")
	case TypeUserPool:
		name("name")
		id := region + "_" + strings.ToUpper(token(9)[:4]) + token(9)[4:]
		set("arn", fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, Account, id))
		set("endpoint", fmt.Sprintf("cognito-idp.%s.%s/%s", region, DNSSuffix, id))
		return id
	case TypeResourceServer:
		return input("userPoolId") + "|" + input("identifier")
	case TypeUserPoolDomain:
		return input("domain")
	case TypeUserPoolClient:
		set("clientSecret", token(51))
		return token(26)
	case TypeEventInvokeConfig:
		return input("functionName")
	case TypeQueue:
		n := name("name")
		url := fmt.Sprintf("https://sqs.%s.%s/%s/%s", region, DNSSuffix, Account, n)
		set("url", url)
		set("arn", fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, Account, n))
		return url
	case TypeScheduleGroup:
		n := name("name")
		set("arn", fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", region, Account, n))
		return n
	case TypeSchedule:
		group := input("groupName")
		if group == "" {
			group = "default"
			set("groupName", group)
		}
		id := group + "/" + name("name")
		set("arn", fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s", region, Account, id))
		return id
	case TypeTrail:
		// Since pulumi-aws v6 a trail's id is its ARN.
		arn := fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, Account, name("name"))
		set("arn", arn)
		return arn
	}
	// S3 side-car resources take their bucket's name as ID; components
	// have none.
	return input("bucket")
}

// Await resolves outputs inside a mocked program, for assertions on the
// values a component exports: a StringOutput becomes a string, a
// StringArrayOutput a []string.
func Await(ctx *pulumi.Context, outputs map[string]pulumi.Output) (map[string]any, error) {
	values := make(map[string]any, len(outputs))
	for k, o := range outputs {
		r, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
		if err != nil {
			return nil, fmt.Errorf("await %s: %w", k, err)
		}
		if !r.Known || r.Value == nil {
			return nil, fmt.Errorf("await %s: got %#v (known %v), want a known value", k, r.Value, r.Known)
		}
		values[k] = r.Value
	}
	return values, nil
}
