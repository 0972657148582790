package components

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/testkit/awsmock"
)

const (
	testName    = "pg"
	existingKey = "arn:aws:kms:eu-west-1:210987654321:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	// A key a stack used before; sorts before existingKey.
	previousKey = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
	// Markers for want.encryption besides an existing key's ARN.
	createdKey = "created key"
	sseS3      = "sse-s3"
)

// want is what a user expects deployed, written out independently of the
// component's own defaults.
type want struct {
	architecture   string
	memorySize     int
	timeout        int
	retention      int
	prefix         string
	encryption     string // createdKey, sseS3 or an existing key ARN
	forceDestroy   bool
	noncurrentDays int
	minLength      int
	maxLength      int
	reserved       int
	tags           map[string]string
	previousKeys   []string // DecryptKeyArns
	policy         string   // PASSWORD_POLICY, "" for none
	expiryDays     []int    // in the order the bucket's rules list them
	schedule       string
	window         int // the schedule's flexible window in minutes; 0: off
}

func (w want) kms() bool { return w.encryption != sseS3 }

// secureDefaults is the list of defaults.
var secureDefaults = want{
	architecture: "arm64",
	memorySize:   128,
	timeout:      10,
	retention:    30,
	prefix:       "passwords/",
	encryption:   createdKey,
	minLength:    8,
	maxLength:    128,
	expiryDays:   []int{1, 7, 30, 90, 365},
	schedule:     "rate(1 day)",
	window:       15,
}

func with(change func(*want)) want {
	w := secureDefaults
	change(&w)
	return w
}

func TestStack(t *testing.T) {
	tags := map[string]string{"team": "platform", "cost-center": "1234"}
	cases := []struct {
		name string
		args *PasswordGeneratorArgs
		want want
	}{
		{"nil args", nil, secureDefaults},
		{"zero args", &PasswordGeneratorArgs{}, secureDefaults},
		{"sse-s3", &PasswordGeneratorArgs{Encryption: EncryptionSSES3}, with(func(w *want) { w.encryption = sseS3 })},
		{"existing key", &PasswordGeneratorArgs{Encryption: existingKey}, with(func(w *want) { w.encryption = existingKey })},
		{"x86_64", &PasswordGeneratorArgs{Architecture: "x86_64"}, with(func(w *want) { w.architecture = "x86_64" })},
		// The migration paths: the key (or keys) that encrypted earlier
		// versions stay decryptable, listed after the current one.
		{
			"kms after other keys",
			&PasswordGeneratorArgs{DecryptKeyArns: []string{existingKey, previousKey, existingKey}},
			with(func(w *want) { w.previousKeys = []string{previousKey, existingKey} }),
		},
		{
			"sse-s3 after kms",
			&PasswordGeneratorArgs{Encryption: EncryptionSSES3, DecryptKeyArns: []string{previousKey}},
			with(func(w *want) { w.encryption = sseS3; w.previousKeys = []string{previousKey} }),
		},
		{
			"existing key after kms, current key listed too",
			&PasswordGeneratorArgs{Encryption: existingKey, DecryptKeyArns: []string{previousKey, existingKey}},
			with(func(w *want) { w.encryption = existingKey; w.previousKeys = []string{previousKey} }),
		},
		{
			"custom prefix with history expiry",
			&PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("team-a/db/"), NoncurrentVersionExpirationDays: 90},
			with(func(w *want) { w.prefix = "team-a/db/"; w.noncurrentDays = 90 }),
		},
		{"bucket root", &PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("")}, with(func(w *want) { w.prefix = "" })},
		{
			"organization policy",
			&PasswordGeneratorArgs{Policy: orgpolicy.Policy{MinEntropyBits: 80, MinClasses: 3, MaxRepeat: 2, ForbiddenPatterns: []string{`(?i)pass\s*word`, "<admin>"}}},
			with(func(w *want) {
				w.policy = `{"minEntropyBits":80,"minClasses":3,"maxRepeat":2,"forbiddenPatterns":["(?i)pass\\s*word","<admin>"]}`
			}),
		},
		{
			"everything set",
			&PasswordGeneratorArgs{
				Architecture: "x86_64", MemorySize: 1024, Timeout: 30, LogRetentionDays: pulumi.IntRef(0),
				KeyPrefix: pulumi.StringRef("p/"), Encryption: EncryptionKMS, ForceDestroy: true,
				NoncurrentVersionExpirationDays: 1, MinLength: 12, MaxLength: 64, ReservedConcurrency: 5, Tags: tags,
				ExpiryDays: []int{3650, 2}, RotationSchedule: "cron(0 3 ? * MON *)",
			},
			want{
				architecture: "x86_64", memorySize: 1024, timeout: 30, retention: 0, prefix: "p/", encryption: createdKey,
				forceDestroy: true, noncurrentDays: 1, minLength: 12, maxLength: 64, reserved: 5, tags: tags,
				expiryDays: []int{2, 3650}, schedule: "cron(0 3 ? * MON *)", window: 15,
			},
		},
		{"no expiry offered", &PasswordGeneratorArgs{ExpiryDays: []int{}}, with(func(w *want) { w.expiryDays = nil })},
		{"rotation every few minutes", &PasswordGeneratorArgs{RotationSchedule: "rate(5 minutes)"}, with(func(w *want) { w.schedule = "rate(5 minutes)"; w.window = 2 })},
		{"rotation every minute", &PasswordGeneratorArgs{RotationSchedule: "rate(1 minute)"}, with(func(w *want) { w.schedule = "rate(1 minute)"; w.window = 0 })},
		{"rotation once", &PasswordGeneratorArgs{RotationSchedule: "at(2030-01-01T03:00:00)"}, with(func(w *want) { w.schedule = "at(2030-01-01T03:00:00)" })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, out, err := deploy(testName, tc.args)
			if err != nil {
				t.Fatalf("deploy: %v", err)
			}
			checkStack(t, m, out, tc.want)
		})
	}
}

// TestNilAndZeroArgsDeployTheSameStack guards the promise that a nil and a
// zero-valued args are interchangeable.
func TestNilAndZeroArgsDeployTheSameStack(t *testing.T) {
	nilArgs, _, err := deploy(testName, nil)
	if err != nil {
		t.Fatal(err)
	}
	zeroArgs, _, err := deploy(testName, &PasswordGeneratorArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := nilArgs.Inputs(), zeroArgs.Inputs(); !reflect.DeepEqual(a, b) {
		t.Errorf("nil args and zero args deploy different stacks:\n%v\n%v", a, b)
	}
}

// TestKeysOutsideTheRegionAreRefused: S3 uses only keys in the bucket's
// region, so a key elsewhere is a mistake the preview must catch, before
// any AWS resource is declared.
func TestKeysOutsideTheRegionAreRefused(t *testing.T) {
	m, _, err := deployIn(&awsmock.Mocks{Region: "us-east-1"}, testName, &PasswordGeneratorArgs{
		Encryption:     existingKey,
		DecryptKeyArns: []string{previousKey, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	})
	if err == nil {
		t.Fatal("deploy succeeded")
	}
	for _, want := range []string{
		"encryption: key " + existingKey + " is in eu-west-1, but the stack deploys to us-east-1",
		"decryptKeyArns: key " + previousKey + " is in eu-west-1",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Count(err.Error(), "decryptKeyArns") != 1 {
		t.Errorf("error %q names a key in the stack's region", err)
	}
	for _, r := range m.Resources() {
		if r.Type != typeToken {
			t.Errorf("%s registered despite the refused key", r.Name)
		}
	}
}

// deploy runs the component under mocks and returns what was registered
// and the component's outputs.
func deploy(name string, args *PasswordGeneratorArgs) (*awsmock.Mocks, map[string]any, error) {
	return deployIn(&awsmock.Mocks{}, name, args)
}

// deployIn is deploy with mocks of the caller's, e.g. in another region.
func deployIn(m *awsmock.Mocks, name string, args *PasswordGeneratorArgs) (*awsmock.Mocks, map[string]any, error) {
	var out map[string]any
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		pg, err := NewPasswordGenerator(ctx, name, args)
		if err != nil {
			return err
		}
		out, err = awsmock.Await(ctx, pg.Outputs())
		return err
	}, pulumi.WithMocks("passwordgen", "test", m))
	return m, out, err
}

// taggable are the types that take tags; every one of them must carry the
// configured tags.
var taggable = []string{
	awsmock.TypeBucket, awsmock.TypeKey, awsmock.TypeLogGroup, awsmock.TypeRole, awsmock.TypeIAMPolicy, awsmock.TypeFunction,
	awsmock.TypeQueue, awsmock.TypeScheduleGroup, awsmock.TypeTrail,
}

// checkStack asserts every resource and input the issue lists.
func checkStack(t *testing.T, m *awsmock.Mocks, out map[string]any, w want) {
	t.Helper()
	n := func(suffix string) string { return testName + "-" + suffix }

	// Exactly these resources, each a child of the component.
	wantTypes := map[string]string{
		testName:                 typeToken,
		n("bucket"):              awsmock.TypeBucket,
		n("encryption"):          awsmock.TypeEncryption,
		n("versioning"):          awsmock.TypeVersioning,
		n("public-access-block"): awsmock.TypeAccessBlock,
		n("ownership"):           awsmock.TypeOwnership,
		n("tls-only"):            awsmock.TypePolicy,
		n("lifecycle"):           awsmock.TypeLifecycle,
		n("logs"):                awsmock.TypeLogGroup,
		n("role"):                awsmock.TypeRole,
		n("role-policy"):         awsmock.TypeRolePolicy,
		n("reader"):              awsmock.TypeIAMPolicy,
		n("function"):            awsmock.TypeFunction,

		n("rotator-role"):          awsmock.TypeRole,
		n("rotator-logs"):          awsmock.TypeLogGroup,
		n("rotator-role-policy"):   awsmock.TypeRolePolicy,
		n("rotator"):               awsmock.TypeFunction,
		n("rotator-invoke-config"): awsmock.TypeEventInvokeConfig,
		n("rotation-failures"):     awsmock.TypeQueue,
		n("rotation-dlq"):          awsmock.TypeQueue,
		n("rotation-group"):        awsmock.TypeScheduleGroup,
		n("scheduler-role"):        awsmock.TypeRole,
		n("scheduler-role-policy"): awsmock.TypeRolePolicy,
		n("rotation"):              awsmock.TypeSchedule,
	}
	if w.encryption == createdKey {
		wantTypes[n("key")] = awsmock.TypeKey
		wantTypes[n("key-alias")] = awsmock.TypeAlias
		wantTypes[n("key-policy")] = awsmock.TypeKeyPolicy
	}
	gotTypes := map[string]string{}
	for _, r := range m.Resources() {
		gotTypes[r.Name] = r.Type
		if r.Name == testName {
			if !strings.Contains(r.ParentURN, "pulumi:pulumi:Stack") {
				t.Errorf("component parent = %q, want the stack", r.ParentURN)
			}
			continue
		}
		if r.ParentName() != testName || !strings.Contains(r.ParentURN, typeToken) {
			t.Errorf("%s: parent = %q, want the component %s", r.Name, r.ParentURN, testName)
		}
	}
	if !maps.Equal(gotTypes, wantTypes) {
		t.Fatalf("resources = %v\nwant %v", gotTypes, wantTypes)
	}
	// The bucket's settings go with the bucket, and only with it.
	for _, side := range []string{n("encryption"), n("versioning"), n("public-access-block"), n("ownership"), n("tls-only"), n("lifecycle")} {
		r, _ := m.Named(side)
		if !strings.HasSuffix(r.DeletedWith, "::"+n("bucket")) {
			t.Errorf("%s: deletedWith = %q, want the bucket", side, r.DeletedWith)
		}
	}
	for _, r := range m.Resources() {
		if !slices.Contains([]string{awsmock.TypeEncryption, awsmock.TypeVersioning, awsmock.TypeAccessBlock, awsmock.TypeOwnership, awsmock.TypePolicy, awsmock.TypeLifecycle}, r.Type) && r.DeletedWith != "" {
			t.Errorf("%s: deletedWith = %q, want none", r.Name, r.DeletedWith)
		}
		// The key and what belongs to it outlive the stack, so no config
		// change or destroy takes a stored password's key with it; nothing
		// else is left behind.
		if keyOwned := slices.Contains([]string{awsmock.TypeKey, awsmock.TypeAlias, awsmock.TypeKeyPolicy}, r.Type); r.RetainOnDelete != keyOwned {
			t.Errorf("%s: retainOnDelete = %v, want %v", r.Name, r.RetainOnDelete, keyOwned)
		}
	}
	get := func(name string) awsmock.Resource {
		r, _ := m.Named(name)
		return r
	}
	bucket, logs, role, fn, reader := get(n("bucket")), get(n("logs")), get(n("role")), get(n("function")), get(n("reader"))
	bucketName := str(t, bucket.Outputs, "bucket")
	bucketARN := "arn:aws:s3:::" + bucketName
	logGroupARN := str(t, logs.Outputs, "arn")

	// Outputs are the deployed resources' identities.
	keyARN := ""
	switch w.encryption {
	case createdKey:
		keyARN = str(t, get(n("key")).Outputs, "arn")
	case sseS3:
	default:
		keyARN = w.encryption
	}
	decryptKeys := []string{}
	if keyARN != "" {
		decryptKeys = append(decryptKeys, keyARN)
	}
	decryptKeys = append(decryptKeys, w.previousKeys...)
	wantOut := map[string]any{
		"functionName":    str(t, fn.Outputs, "name"),
		"functionArn":     str(t, fn.Outputs, "arn"),
		"bucketName":      bucketName,
		"bucketArn":       bucketARN,
		"keyPrefix":       w.prefix,
		"roleArn":         str(t, role.Outputs, "arn"),
		"logGroupName":    str(t, logs.Outputs, "name"),
		"readerPolicyArn": str(t, reader.Outputs, "arn"),
		"kmsKeyArn":       keyARN,
		"decryptKeyArns":  decryptKeys,

		"rotatorFunctionName":        str(t, get(n("rotator")).Outputs, "name"),
		"rotatorLogGroupName":        str(t, get(n("rotator-logs")).Outputs, "name"),
		"rotationScheduleName":       str(t, get(n("rotation")).Outputs, "name"),
		"rotationScheduleGroupName":  str(t, get(n("rotation-group")).Outputs, "name"),
		"rotationDeadLetterQueueUrl": str(t, get(n("rotation-dlq")).Outputs, "url"),
		"rotationFailureQueueUrl":    str(t, get(n("rotation-failures")).Outputs, "url"),
	}
	if !reflect.DeepEqual(out, wantOut) {
		t.Errorf("outputs = %v\nwant %v", out, wantOut)
	}

	// Tags on every taggable resource, nowhere else.
	for _, r := range m.Resources() {
		tags, has := r.Inputs["tags"]
		switch {
		case slices.Contains(taggable, r.Type) && len(w.tags) > 0:
			if !reflect.DeepEqual(tags, toAny(w.tags)) {
				t.Errorf("%s: tags = %v, want %v", r.Name, tags, w.tags)
			}
		case has:
			t.Errorf("%s: tags = %v, want none", r.Name, tags)
		}
	}

	// Bucket: a destroy keeps stored passwords unless forceDestroy.
	expect(t, bucket, "forceDestroy", w.forceDestroy)

	// Default encryption.
	enc := get(n("encryption"))
	expect(t, enc, "bucket", bucketName)
	rules := enc.Inputs["rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("encryption rules = %v, want one", rules)
	}
	if w.kms() {
		expect(t, enc, "rules", []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": keyARN},
			"bucketKeyEnabled":                   true,
		}})
	} else {
		expect(t, enc, "rules", []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "AES256"},
		}})
	}

	expect(t, get(n("versioning")), "versioningConfiguration", map[string]any{"status": "Enabled"})
	pab := get(n("public-access-block"))
	for _, flag := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		expect(t, pab, flag, true)
	}
	expect(t, get(n("ownership")), "rule", map[string]any{"objectOwnership": "BucketOwnerEnforced"})

	// Bucket policy, after the access block: TLS only, and the rotator
	// writes only with If-Match.
	policy := get(n("tls-only"))
	expect(t, policy, "bucket", bucketName)
	if !policy.DependsOn(n("public-access-block")) {
		t.Errorf("bucket policy does not depend on the public access block")
	}
	checkStatements(t, "bucket policy", str(t, policy.Inputs, "policy"), []statement{
		tlsOnly(bucketARN),
		{
			Effect: "Deny", Principal: "*", Action: []string{"s3:PutObject"},
			Resource: []string{bucketARN + "/" + w.prefix + "*"},
			Condition: map[string]map[string][]string{
				"ArnEquals": {"aws:PrincipalArn": {str(t, get(n("rotator-role")).Outputs, "arn")}},
				"Null":      {"s3:if-match": {"true"}},
			},
		},
	})

	// Lifecycle: abort uploads after 7 days; history expiry only when
	// asked; with expiry, a rule per value and one removing the delete
	// markers left alone.
	lc := get(n("lifecycle"))
	wantRules := []any{map[string]any{
		"id": "abort-incomplete-multipart-uploads", "status": "Enabled",
		"filter":                         map[string]any{"prefix": ""},
		"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0},
	}}
	if w.noncurrentDays > 0 {
		wantRules = append(wantRules, map[string]any{
			"id": "expire-noncurrent-versions", "status": "Enabled",
			"filter":                      map[string]any{"prefix": w.prefix},
			"noncurrentVersionExpiration": map[string]any{"noncurrentDays": float64(w.noncurrentDays)},
		})
	}
	for _, days := range w.expiryDays {
		tag := map[string]any{"expires_in_days": fmt.Sprint(days)}
		filter := map[string]any{"and": map[string]any{"prefix": w.prefix, "tags": tag}}
		if w.prefix == "" {
			filter = map[string]any{"tag": map[string]any{"key": "expires_in_days", "value": fmt.Sprint(days)}}
		}
		wantRules = append(wantRules, map[string]any{
			"id": fmt.Sprintf("expires-in-days-%d", days), "status": "Enabled",
			"filter":                      filter,
			"expiration":                  map[string]any{"days": float64(days)},
			"noncurrentVersionExpiration": map[string]any{"noncurrentDays": 1.0},
		})
	}
	if len(w.expiryDays) > 0 {
		wantRules = append(wantRules, map[string]any{
			"id": "remove-expired-delete-markers", "status": "Enabled",
			"filter":     map[string]any{"prefix": w.prefix},
			"expiration": map[string]any{"expiredObjectDeleteMarker": true},
		})
	}
	expect(t, lc, "bucket", bucketName)
	expect(t, lc, "rules", wantRules)
	if !lc.DependsOn(n("versioning")) {
		t.Errorf("lifecycle configuration does not depend on versioning")
	}

	// KMS key: its policy is a resource of its own, usable by S3 for this
	// bucket only; the alias is unique per stack.
	if w.encryption == createdKey {
		key := get(n("key"))
		expect(t, key, "enableKeyRotation", true)
		expect(t, key, "deletionWindowInDays", 30.0)
		if _, has := key.Inputs["policy"]; has {
			t.Errorf("key has an inline policy; want only the separate key policy resource, or the two overwrite each other")
		}
		alias := get(n("key-alias"))
		expect(t, alias, "namePrefix", "alias/passwordgen-test-"+testName+"-")
		if _, has := alias.Inputs["name"]; has {
			t.Errorf("alias has a fixed name; want a prefix the provider makes unique")
		}
		expect(t, alias, "targetKeyId", str(t, key.Outputs, "keyId"))
		kp := get(n("key-policy"))
		expect(t, kp, "keyId", str(t, key.Outputs, "keyId"))
		use := []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"}
		// A key policy, not an IAM policy: "*" is the key itself, and the
		// account's kms:* is AWS's default, on which IAM grants rely.
		compareStatements(t, "key policy", parseStatements(t, "key policy", str(t, kp.Inputs, "policy")), []statement{
			{Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + awsmock.Account + ":root"}, Action: []string{"kms:*"}, Resource: []string{"*"}},
			{Effect: "Deny", Principal: "*", Action: use, Resource: []string{"*"},
				Condition: map[string]map[string][]string{"StringNotEquals": {"kms:ViaService": {"s3." + awsmock.DefaultRegion + ".amazonaws.com"}}}},
			{Effect: "Deny", Principal: "*", Action: use, Resource: []string{"*"},
				Condition: map[string]map[string][]string{"StringNotEquals": {"kms:EncryptionContext:aws:s3:arn": {bucketARN}}}},
		})
	}

	// Log group with retention.
	expect(t, logs, "retentionInDays", float64(w.retention))

	// Role: trusted by Lambda only, no managed or inline policies of its own.
	checkStatements(t, "trust policy", str(t, role.Inputs, "assumeRolePolicy"), []statement{{
		Effect: "Allow", Principal: map[string]any{"Service": []any{"lambda.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
	}})
	for _, k := range []string{"managedPolicyArns", "inlinePolicies", "permissionsBoundary"} {
		if v, has := role.Inputs[k]; has {
			t.Errorf("role.%s = %v, want unset", k, v)
		}
	}

	// The role's only policy.
	rp := get(n("role-policy"))
	expect(t, rp, "role", str(t, role.Outputs, "name"))
	fnStatements := []statement{
		{Effect: "Allow", Action: []string{"s3:PutObject", "s3:PutObjectTagging"}, Resource: []string{bucketARN + "/" + w.prefix + "*"}},
		{Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupARN + ":*"}},
	}
	readerStatements := []statement{
		{Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion"}, Resource: []string{bucketARN + "/" + w.prefix + "*"}},
		{Effect: "Allow", Action: []string{"s3:ListBucket", "s3:ListBucketVersions"}, Resource: []string{bucketARN}},
	}
	if w.prefix != "" {
		readerStatements[1].Condition = map[string]map[string][]string{"StringLike": {"s3:prefix": {w.prefix + "*"}}}
	}
	if w.kms() {
		fnStatements = append(fnStatements, statement{Effect: "Allow", Action: []string{"kms:GenerateDataKey"}, Resource: []string{keyARN}, Condition: viaS3For(bucketARN)})
	}
	if len(decryptKeys) > 0 {
		readerStatements = append(readerStatements, statement{Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: decryptKeys, Condition: viaS3For(bucketARN)})
	}
	checkStatements(t, "function policy", str(t, rp.Inputs, "policy"), fnStatements)
	checkStatements(t, "reader policy", str(t, reader.Inputs, "policy"), readerStatements)

	// The function.
	expect(t, fn, "runtime", "provided.al2023")
	expect(t, fn, "handler", "bootstrap")
	expect(t, fn, "architectures", []any{w.architecture})
	expect(t, fn, "memorySize", float64(w.memorySize))
	expect(t, fn, "timeout", float64(w.timeout))
	expect(t, fn, "role", str(t, role.Outputs, "arn"))
	expect(t, fn, "loggingConfig", map[string]any{"logFormat": "JSON", "logGroup": str(t, logs.Outputs, "name")})
	expiry := make([]string, len(w.expiryDays))
	for i, d := range w.expiryDays {
		expiry[i] = fmt.Sprint(d)
	}
	if len(expiry) == 0 {
		expiry = []string{"none"}
	}
	env := map[string]any{
		"BUCKET_NAME":          bucketName,
		"KEY_PREFIX":           w.prefix,
		"PASSWORD_MIN_LENGTH":  fmt.Sprint(w.minLength),
		"PASSWORD_MAX_LENGTH":  fmt.Sprint(w.maxLength),
		"PASSWORD_EXPIRY_DAYS": strings.Join(expiry, ","),
	}
	if w.kms() {
		env["KMS_KEY_ID"] = keyARN
	}
	if w.policy != "" {
		env["PASSWORD_POLICY"] = w.policy
	}
	expect(t, fn, "environment", map[string]any{"variables": env})
	if w.reserved > 0 {
		expect(t, fn, "reservedConcurrentExecutions", float64(w.reserved))
	} else if v, has := fn.Inputs["reservedConcurrentExecutions"]; has {
		t.Errorf("reservedConcurrentExecutions = %v, want unset (no reservation)", v)
	}
	for _, dep := range []string{n("role-policy"), n("logs"), n("encryption"), n("versioning")} {
		if !fn.DependsOn(dep) {
			t.Errorf("function does not depend on %s", dep)
		}
	}

	checkRotation(t, m, w, fn.Inputs["environment"], keyARN)
}

// checkRotation asserts the rotator, its role, its failure queue and the
// schedule that runs it.
func checkRotation(t *testing.T, m *awsmock.Mocks, w want, env any, keyARN string) {
	t.Helper()
	n := func(suffix string) string { return testName + "-" + suffix }
	get := lookup(t, m)
	bucketARN := "arn:aws:s3:::" + str(t, get("bucket").Outputs, "bucket")
	rotator, role, logs := get("rotator"), get("rotator-role"), get("rotator-logs")
	failures, dlq := get("rotation-failures"), get("rotation-dlq")

	// The rotator: the generator's code and environment, its own handler,
	// role, logs and timeout, and no reservation.
	expect(t, rotator, "handler", "rotate")
	expect(t, rotator, "runtime", "provided.al2023")
	expect(t, rotator, "architectures", []any{w.architecture})
	expect(t, rotator, "memorySize", float64(w.memorySize))
	expect(t, rotator, "timeout", 300.0)
	expect(t, rotator, "role", str(t, role.Outputs, "arn"))
	expect(t, rotator, "environment", env)
	expect(t, rotator, "loggingConfig", map[string]any{"logFormat": "JSON", "logGroup": str(t, logs.Outputs, "name")})
	if v, has := rotator.Inputs["reservedConcurrentExecutions"]; has {
		t.Errorf("rotator reservedConcurrentExecutions = %v, want unset", v)
	}
	for _, dep := range []string{n("rotator-role-policy"), n("rotator-logs"), n("encryption"), n("versioning"), n("tls-only")} {
		if !rotator.DependsOn(dep) {
			t.Errorf("rotator does not depend on %s", dep)
		}
	}
	expect(t, logs, "retentionInDays", float64(w.retention))
	checkStatements(t, "rotator trust policy", str(t, role.Inputs, "assumeRolePolicy"), []statement{{
		Effect: "Allow", Principal: map[string]any{"Service": []any{"lambda.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
	}})

	// Its role lists and tags, writes new versions, and never reads one.
	list := statement{Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucketARN}}
	if w.prefix != "" {
		list.Condition = map[string]map[string][]string{"StringLike": {"s3:prefix": {w.prefix + "*"}}}
	}
	objects := bucketARN + "/" + w.prefix + "*"
	rotatorStatements := []statement{
		list,
		{Effect: "Allow", Action: []string{"s3:GetObjectTagging"}, Resource: []string{objects}},
		{Effect: "Allow", Action: []string{"s3:PutObject", "s3:PutObjectTagging"}, Resource: []string{objects}},
		{Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{str(t, logs.Outputs, "arn") + ":*"}},
		{Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{str(t, failures.Outputs, "arn")}},
	}
	if w.kms() {
		rotatorStatements = append(rotatorStatements, statement{Effect: "Allow", Action: []string{"kms:GenerateDataKey"}, Resource: []string{keyARN}, Condition: viaS3For(bucketARN)})
	}
	rp := get("rotator-role-policy")
	expect(t, rp, "role", str(t, role.Outputs, "name"))
	checkStatements(t, "rotator policy", str(t, rp.Inputs, "policy"), rotatorStatements)

	// Failed runs: Lambda retries twice, then sends the event to a queue.
	expect(t, get("rotator-invoke-config"), "functionName", str(t, rotator.Outputs, "name"))
	expect(t, get("rotator-invoke-config"), "maximumRetryAttempts", 2.0)
	expect(t, get("rotator-invoke-config"), "destinationConfig", map[string]any{"onFailure": map[string]any{"destination": str(t, failures.Outputs, "arn")}})
	for _, q := range []awsmock.Resource{failures, dlq} {
		expect(t, q, "sqsManagedSseEnabled", true)
		expect(t, q, "messageRetentionSeconds", 1209600.0)
		for _, k := range []string{"fifoQueue", "kmsMasterKeyId", "policy"} {
			if v, has := q.Inputs[k]; has {
				t.Errorf("%s.%s = %v, want unset", q.Name, k, v)
			}
		}
	}

	// The schedule, in its own group, invokes the rotator with its
	// scheduled time, retries for an hour, then dead-letters.
	group, schedule, schedulerRole := get("rotation-group"), get("rotation"), get("scheduler-role")
	groupARN := str(t, group.Outputs, "arn")
	window := map[string]any{"mode": "OFF"}
	if w.window > 0 {
		window = map[string]any{"mode": "FLEXIBLE", "maximumWindowInMinutes": float64(w.window)}
	}
	expect(t, schedule, "groupName", str(t, group.Outputs, "name"))
	expect(t, schedule, "scheduleExpression", w.schedule)
	expect(t, schedule, "flexibleTimeWindow", window)
	expect(t, schedule, "target", map[string]any{
		"arn":              str(t, rotator.Outputs, "arn"),
		"roleArn":          str(t, schedulerRole.Outputs, "arn"),
		"input":            `{"scheduled_time":"<aws.scheduler.scheduled-time>"}`,
		"retryPolicy":      map[string]any{"maximumEventAgeInSeconds": 3600.0, "maximumRetryAttempts": 10.0},
		"deadLetterConfig": map[string]any{"arn": str(t, dlq.Outputs, "arn")},
	})
	if !schedule.DependsOn(n("scheduler-role-policy")) {
		t.Errorf("schedule does not wait for its role's policy")
	}
	// Scheduler's role: assumed by Scheduler only, for this group in this
	// account; it invokes the rotator and nothing else, and dead-letters.
	checkStatements(t, "scheduler trust policy", str(t, schedulerRole.Inputs, "assumeRolePolicy"), []statement{{
		Effect: "Allow", Principal: map[string]any{"Service": []any{"scheduler.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {awsmock.Account}, "aws:SourceArn": {groupARN}}},
	}})
	if !strings.HasPrefix(groupARN, "arn:aws:scheduler:"+awsmock.DefaultRegion+":"+awsmock.Account+":schedule-group/") {
		t.Errorf("schedule group ARN %q", groupARN)
	}
	sp := get("scheduler-role-policy")
	expect(t, sp, "role", str(t, schedulerRole.Outputs, "name"))
	checkStatements(t, "scheduler policy", str(t, sp.Inputs, "policy"), []statement{
		{Effect: "Allow", Action: []string{"lambda:InvokeFunction"}, Resource: []string{str(t, rotator.Outputs, "arn")}},
		{Effect: "Allow", Action: []string{"sqs:SendMessage"}, Resource: []string{str(t, dlq.Outputs, "arn")}},
	})
}

// statement is a policy statement as IAM reads it, Sid aside: names are
// the builder's business, effects are the user's.
type statement struct {
	Effect    string
	Principal any
	Action    []string
	Resource  []string
	Condition map[string]map[string][]string
}

// checkStatements parses an IAM policy document, checks that no Allow
// grants a wildcard action or the "*" resource, and compares it statement by
// statement.
func checkStatements(t *testing.T, what, doc string, want []statement) {
	t.Helper()
	got := parseStatements(t, what, doc)
	for _, s := range got {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("%s: wildcard action %q", what, a)
			}
		}
		if slices.Contains(s.Resource, "*") {
			t.Errorf("%s: grants on resource \"*\"", what)
		}
	}
	compareStatements(t, what, got, want)
}

// parseStatements reads a policy document's statements. Action and Resource
// may be a string or a list in IAM's grammar; both are read as lists.
func parseStatements(t *testing.T, what, doc string) []statement {
	t.Helper()
	var parsed struct {
		Version   string
		Statement []struct {
			Effect    string
			Principal any
			Action    stringList
			Resource  stringList
			Condition map[string]map[string]stringList
		}
	}
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Errorf("%s is not a policy document: %v", what, err)
		return nil
	}
	if parsed.Version != "2012-10-17" {
		t.Errorf("%s: Version = %q, want 2012-10-17", what, parsed.Version)
	}
	var got []statement
	for _, s := range parsed.Statement {
		st := statement{Effect: s.Effect, Principal: s.Principal, Action: s.Action, Resource: s.Resource}
		for op, kv := range s.Condition {
			if st.Condition == nil {
				st.Condition = map[string]map[string][]string{}
			}
			st.Condition[op] = map[string][]string{}
			for k, v := range kv {
				st.Condition[op][k] = v
			}
		}
		got = append(got, st)
	}
	return got
}

func compareStatements(t *testing.T, what string, got, want []statement) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d statements, want %d:\n got %+v\nwant %+v", what, len(got), len(want), got, want)
		return
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: statement %d =\n %+v\nwant\n %+v", what, i, got[i], want[i])
		}
	}
}

// stringList reads IAM's "a string or a list of strings".
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// viaS3For is the condition that limits a grant on a key to S3's use of it,
// in the stack's region, for the bucket: a shared key's own policy may allow
// more.
func viaS3For(bucketARN string) map[string]map[string][]string {
	return map[string]map[string][]string{"StringEquals": {
		"kms:ViaService":                   {"s3." + awsmock.DefaultRegion + ".amazonaws.com"},
		"kms:EncryptionContext:aws:s3:arn": {bucketARN},
	}}
}

// lookup finds the component's resources by what follows the component's
// name in their names, failing the test when one is missing.
func lookup(t *testing.T, m *awsmock.Mocks) func(suffix string) awsmock.Resource {
	return func(suffix string) awsmock.Resource {
		t.Helper()
		r, ok := m.Named(testName + "-" + suffix)
		if !ok {
			t.Fatalf("no resource %s-%s", testName, suffix)
		}
		return r
	}
}

// tlsOnly is the denial every bucket policy starts with.
func tlsOnly(bucketARN string) statement {
	return statement{
		Effect: "Deny", Principal: "*", Action: []string{"s3:*"},
		Resource:  []string{bucketARN, bucketARN + "/*"},
		Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

func expect(t *testing.T, r awsmock.Resource, key string, want any) {
	t.Helper()
	if got := r.Inputs[key]; !reflect.DeepEqual(got, want) {
		t.Errorf("%s.%s = %#v, want %#v", r.Name, key, got, want)
	}
}

func str(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	s, ok := m[key].(string)
	if !ok {
		t.Fatalf("%s = %#v, want a string", key, m[key])
	}
	return s
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
