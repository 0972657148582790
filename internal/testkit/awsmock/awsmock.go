// Package awsmock is a Pulumi mock resource monitor that answers like AWS,
// for tests of the PasswordGenerator component and of the program that
// deploys it. Pulumi's mocks do no auto-naming and compute no outputs, so
// this one does both the way the AWS provider would, with ARNs in AWS's real
// formats, and records every registration for assertions.
package awsmock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Where the mocked resources live; the ARNs carry them.
const (
	region  = "eu-west-1"
	account = "123456789012"
)

// Resource is one registration as the engine received it.
type Resource struct {
	Type string // e.g. aws:s3/bucketV2:BucketV2
	Name string // logical name
	// ParentURN is the parent's URN: the stack's for a top-level resource.
	// The stack itself is never recorded; the mock monitor answers it.
	ParentURN string
	// Dependencies are the URNs the resource waits for: explicit DependsOn
	// and every resource whose outputs feed its inputs.
	Dependencies []string
	// DeletedWith is the URN of the resource whose deletion removes this
	// one too, if any.
	DeletedWith string
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
	mu        sync.Mutex
	resources []Resource
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

// Call fails every provider function call: the stack is meant to need none,
// so a lookup that crept in should break the tests rather than the preview.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, fmt.Errorf("awsmock: unexpected call of %s", args.Token)
}

// NewResource records the registration and returns the ID and outputs AWS
// would: the inputs, plus a physical name when none was given and the
// ARNs and IDs the provider computes.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	outputs := args.Inputs.Copy()
	id := computed(args.TypeToken, args.Name, outputs)
	rec := Resource{
		Type:    args.TypeToken,
		Name:    args.Name,
		Inputs:  args.Inputs.Mappable(),
		Outputs: outputs.Mappable(),
	}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.ParentURN = rpc.GetParent()
		rec.Dependencies = rpc.GetDependencies()
		rec.DeletedWith = rpc.GetDeletedWith()
	}
	m.mu.Lock()
	m.resources = append(m.resources, rec)
	m.mu.Unlock()
	return id, outputs, nil
}

// computed fills out the provider-computed outputs of one resource type and
// returns its ID.
func computed(typ, logical string, out resource.PropertyMap) string {
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
	input := func(key string) string {
		if v, ok := out[resource.PropertyKey(key)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	switch typ {
	case "aws:s3/bucketV2:BucketV2":
		b := name("bucket")
		set("arn", "arn:aws:s3:::"+b)
		set("region", region)
		return b
	case "aws:kms/key:Key":
		sum := sha256.Sum256([]byte(logical))
		h := hex.EncodeToString(sum[:])
		keyID := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		set("keyId", keyID)
		set("arn", fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, account, keyID))
		return keyID
	case "aws:kms/alias:Alias":
		n := name("name")
		set("arn", fmt.Sprintf("arn:aws:kms:%s:%s:%s", region, account, n))
		return n
	case "aws:cloudwatch/logGroup:LogGroup":
		n := name("name")
		set("arn", fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, n))
		return n
	case "aws:iam/role:Role":
		n := name("name")
		set("arn", fmt.Sprintf("arn:aws:iam::%s:role/%s", account, n))
		return n
	case "aws:iam/rolePolicy:RolePolicy":
		return input("role") + ":" + name("name")
	case "aws:iam/policy:Policy":
		arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", account, name("name"))
		set("arn", arn)
		return arn
	case "aws:lambda/function:Function":
		n := name("name")
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, account, n)
		set("arn", arn)
		set("qualifiedArn", arn+":$LATEST")
		set("version", "$LATEST")
		return n
	}
	// S3 side-car resources take their bucket's name as ID; components
	// have none.
	return input("bucket")
}

// Await resolves string outputs inside a mocked program, for assertions on
// the values a component exports.
func Await(ctx *pulumi.Context, outputs map[string]pulumi.StringOutput) (map[string]string, error) {
	values := make(map[string]string, len(outputs))
	for k, o := range outputs {
		r, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
		if err != nil {
			return nil, fmt.Errorf("await %s: %w", k, err)
		}
		s, ok := r.Value.(string)
		if !r.Known || !ok {
			return nil, fmt.Errorf("await %s: got %#v (known %v), want a known string", k, r.Value, r.Known)
		}
		values[k] = s
	}
	return values, nil
}
