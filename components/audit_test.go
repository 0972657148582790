package components

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/testkit/awsmock"
)

// TestAuditTrail deploys the trail with the API, so three functions are
// recorded, and checks the audit bucket, its policy and lifecycle, the
// trail and its selectors, and the outputs.
func TestAuditTrail(t *testing.T) {
	tags := map[string]string{"team": "platform"}
	m, out, err := deploy(testName, &PasswordGeneratorArgs{
		KeyPrefix: pulumi.StringRef("team-a/"), ForceDestroy: true, Tags: tags,
		Audit:   &AuditArgs{RetentionDays: pulumi.IntRef(90)},
		HTTPAPI: &HTTPAPIArgs{Clients: apiClients},
	})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	n := func(suffix string) string { return testName + "-" + suffix }
	get := lookup(t, m)

	// The audit bucket is locked down like the password bucket, with
	// S3-managed keys, and goes with a destroy only as forceDestroy says.
	bucket := get("audit-bucket")
	expect(t, bucket, "forceDestroy", true)
	expect(t, bucket, "tags", toAny(tags))
	bucketName := str(t, bucket.Outputs, "bucket")
	bucketARN := "arn:aws:s3:::" + bucketName
	expect(t, get("audit-encryption"), "rules", []any{map[string]any{"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"}}})
	expect(t, get("audit-versioning"), "versioningConfiguration", map[string]any{"status": "Enabled"})
	for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		expect(t, get("audit-public-access-block"), flag, true)
	}
	expect(t, get("audit-ownership"), "rule", map[string]any{"objectOwnership": "BucketOwnerEnforced"})
	for _, side := range []string{"audit-encryption", "audit-versioning", "audit-public-access-block", "audit-ownership", "audit-policy", "audit-lifecycle"} {
		if r := get(side); !strings.HasSuffix(r.DeletedWith, "::"+n("audit-bucket")) || r.RetainOnDelete {
			t.Errorf("%s: deletedWith %q, retained %v; want deleted with the audit bucket", side, r.DeletedWith, r.RetainOnDelete)
		}
	}
	expect(t, get("audit-lifecycle"), "rules", []any{
		map[string]any{
			"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": map[string]any{"prefix": ""},
			"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0},
		},
		map[string]any{
			"id": "expire-audit-logs", "status": "Enabled", "filter": map[string]any{"prefix": ""},
			"expiration":                  map[string]any{"days": 90.0},
			"noncurrentVersionExpiration": map[string]any{"noncurrentDays": 90.0},
		},
		map[string]any{
			"id": "remove-expired-delete-markers", "status": "Enabled", "filter": map[string]any{"prefix": ""},
			"expiration": map[string]any{"expiredObjectDeleteMarker": true},
		},
	})

	// The trail has a fixed name, so the policy can name its ARN before
	// it exists, and the ARN the provider reports is that one.
	trail := get("trail")
	trailARN := "arn:aws:cloudtrail:" + awsmock.DefaultRegion + ":" + awsmock.Account + ":trail/passwordgen-test-pg"
	expect(t, trail, "name", "passwordgen-test-pg")
	if got := str(t, trail.Outputs, "arn"); got != trailARN {
		t.Errorf("trail ARN %s, want %s", got, trailARN)
	}
	policy := get("audit-policy")
	if !policy.DependsOn(n("audit-public-access-block")) {
		t.Error("audit bucket policy does not wait for the access block")
	}
	cloudTrail := map[string]any{"Service": []any{"cloudtrail.amazonaws.com"}}
	checkStatements(t, "audit bucket policy", str(t, policy.Inputs, "policy"), []statement{
		tlsOnly(bucketARN),
		{Effect: "Allow", Principal: cloudTrail, Action: []string{"s3:GetBucketAcl"}, Resource: []string{bucketARN},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceArn": {trailARN}}}},
		{Effect: "Allow", Principal: cloudTrail, Action: []string{"s3:PutObject"}, Resource: []string{bucketARN + "/AWSLogs/" + awsmock.Account + "/*"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceArn": {trailARN}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}},
	})

	expect(t, trail, "s3BucketName", bucketName)
	expect(t, trail, "enableLogFileValidation", true)
	expect(t, trail, "includeGlobalServiceEvents", false)
	expect(t, trail, "isMultiRegionTrail", false)
	expect(t, trail, "tags", toAny(tags))
	for _, dep := range []string{"audit-policy", "audit-encryption", "audit-versioning"} {
		if !trail.DependsOn(n(dep)) {
			t.Errorf("trail does not wait for %s", dep)
		}
	}
	for _, k := range []string{"kmsKeyId", "eventSelectors", "s3KeyPrefix", "isOrganizationTrail"} {
		if v, has := trail.Inputs[k]; has {
			t.Errorf("trail.%s = %v, want unset", k, v)
		}
	}
	passwordBucket := "arn:aws:s3:::" + str(t, get("bucket").Outputs, "bucket")
	functions := []any{
		str(t, get("function").Outputs, "arn"),
		str(t, get("rotator").Outputs, "arn"),
		str(t, get("retriever").Outputs, "arn"),
	}
	data := map[string]any{"field": "eventCategory", "equals": []any{"Data"}}
	expect(t, trail, "advancedEventSelectors", []any{
		map[string]any{"name": "Reads and writes of the passwords", "fieldSelectors": []any{
			data,
			map[string]any{"field": "resources.type", "equals": []any{"AWS::S3::Object"}},
			map[string]any{"field": "resources.ARN", "startsWiths": []any{passwordBucket + "/team-a/"}},
		}},
		map[string]any{"name": "Invocations of the stack's functions", "fieldSelectors": []any{
			data,
			map[string]any{"field": "resources.type", "equals": []any{"AWS::Lambda::Function"}},
			map[string]any{"field": "resources.ARN", "equals": functions},
		}},
	})

	if out["trailArn"] != trailARN || out["auditBucketName"] != bucketName {
		t.Errorf("outputs trailArn %v, auditBucketName %v; want %s, %s", out["trailArn"], out["auditBucketName"], trailARN, bucketName)
	}
}

// TestAuditOffAddsNothing: without AuditArgs no audit resource and no
// audit output exists, and turning the trail on changes no other resource.
func TestAuditOffAddsNothing(t *testing.T) {
	without, out, err := deploy(testName, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"trailArn", "auditBucketName"} {
		if _, has := out[k]; has {
			t.Errorf("output %s without the trail", k)
		}
	}
	with, _, err := deploy(testName, &PasswordGeneratorArgs{Audit: &AuditArgs{}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := without.Inputs(), with.Inputs()
	added := map[string]bool{}
	for name := range b {
		if _, has := a[name]; !has {
			added[name] = true
			continue
		}
		if !reflect.DeepEqual(a[name], b[name]) {
			t.Errorf("turning the trail on changes %s", name)
		}
	}
	want := map[string]bool{}
	for _, s := range []string{"audit-bucket", "audit-encryption", "audit-versioning", "audit-public-access-block", "audit-ownership", "audit-policy", "audit-lifecycle", "trail"} {
		want[testName+"-"+s] = true
	}
	if !maps.Equal(added, want) {
		t.Errorf("the trail adds %v, want %v", added, want)
	}
	lifecycle, _ := with.Named(testName + "-audit-lifecycle")
	if got := lifecycle.Inputs["rules"].([]any)[1].(map[string]any)["expiration"]; !reflect.DeepEqual(got, map[string]any{"days": 365.0}) {
		t.Errorf("audit logs expire with %v, want after the default 365 days", got)
	}
}
