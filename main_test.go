package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/testkit/awsmock"
)

const project = "password-generator"

// loadProject reads Pulumi.yaml with the Pulumi SDK's own loader, which
// checks it against the project schema.
func loadProject(t *testing.T) *workspace.Project {
	t.Helper()
	p, err := workspace.LoadProject("Pulumi.yaml")
	if err != nil {
		t.Fatalf("Pulumi.yaml: %v", err)
	}
	return p
}

// projectDefaults renders Pulumi.yaml's defaults as the CLI hands them to
// the program: strings, with objects and lists as JSON.
func projectDefaults(t *testing.T, p *workspace.Project) map[string]string {
	t.Helper()
	cfg := map[string]string{}
	for key, decl := range p.Config {
		switch v := decl.Default.(type) {
		case string:
			cfg[project+":"+key] = v
		case map[string]any, []any:
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			cfg[project+":"+key] = string(b)
		default:
			cfg[project+":"+key] = fmt.Sprint(v)
		}
	}
	return cfg
}

// deployment is one run of the program under mocks.
type deployment struct {
	mocks   *awsmock.Mocks
	outputs map[string]any
	err     error
}

// deploy runs the program with the given config, as PULUMI_CONFIG carries it.
// The mocked provider answers from aws:region, as the AWS provider does.
func deploy(t *testing.T, cfg map[string]string) deployment {
	t.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(pulumi.EnvConfig, string(raw))
	d := deployment{mocks: &awsmock.Mocks{Region: cfg["aws:region"]}}
	buildDir := t.TempDir()
	d.err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		outputs, err := stack(ctx, buildDir)
		if err != nil {
			return err
		}
		d.outputs, err = awsmock.Await(ctx, outputs)
		return err
	}, pulumi.WithMocks(project, "test", d.mocks))
	return d
}

func TestProjectFile(t *testing.T) {
	p := loadProject(t)
	if p.Name.String() != project || p.Runtime.Name() != "go" {
		t.Errorf("project %q runtime %q, want %q on go", p.Name, p.Runtime.Name(), project)
	}
	if p.Description == nil || *p.Description == "" {
		t.Error("Pulumi.yaml has no description")
	}
	for key, decl := range p.Config {
		if decl.Description == "" {
			t.Errorf("config %s has no description", key)
		}
		if decl.Default == nil {
			t.Errorf("config %s has no default", key)
		}
	}
	if got := slices.Sorted(maps.Keys(p.Config)); !slices.Equal(got, slices.Sorted(maps.Keys(badValues))) {
		t.Errorf("Pulumi.yaml declares %v, the program reads %v", got, slices.Sorted(maps.Keys(badValues)))
	}
}

// badValues holds, for every config key, a value the program must refuse
// with a message naming that key. Its keys must be exactly Pulumi.yaml's.
var badValues = map[string]string{
	"architecture":                    "amd64",
	"memorySize":                      "64",
	"timeout":                         "901",
	"logRetentionDays":                "2",
	"keyPrefix":                       "passwords",
	"encryption":                      "aes256",
	"decryptKeyArns":                  `["arn:aws:kms:eu-west-1:123456789012:alias/old"]`,
	"forceDestroy":                    "maybe",
	"noncurrentVersionExpirationDays": "-1",
	"minLength":                       "2",
	"maxLength":                       "5000",
	"reservedConcurrency":             "-1",
	"expiryDays":                      "[7, 0]",
	"rotationSchedule":                "daily",
	"auditTrail":                      "maybe",
	// Out of range it does nothing while auditTrail is off, so a value of
	// the wrong type stands for it here.
	"auditRetentionDays": "a year",
	"tags":               `["team"]`,
	"httpApi":            "maybe",
	"apiRateLimit":       "ten",
	"apiBurstLimit":      "1.5",
	"apiClients":         `{"name": "ci"}`,
	// Without httpApi these would do nothing, so they are refused.
	"jwtIssuer":   "https://issuer.example",
	"jwtAudience": `["api://passwords"]`,
	"policy":      `{"minClasses": 7}`,
}

func TestEveryConfigKeyIsValidated(t *testing.T) {
	for key, bad := range badValues {
		t.Run(key, func(t *testing.T) {
			d := deploy(t, map[string]string{project + ":" + key: bad})
			if d.err == nil || !strings.Contains(d.err.Error(), key) {
				t.Fatalf("%s=%q: error %v, want one naming %s", key, bad, d.err, key)
			}
			if n := len(d.mocks.Resources()); n != 0 {
				t.Errorf("%d resources registered despite the bad config, want none", n)
			}
		})
	}
}

// TestTypeAndRangeErrorsTogether: one run reports every problem, whether
// a value has the wrong type or is out of range.
func TestTypeAndRangeErrorsTogether(t *testing.T) {
	d := deploy(t, map[string]string{
		project + ":timeout":            "abc",
		project + ":memorySize":         "64",
		project + ":tags":               "[1]",
		project + ":decryptKeyArns":     `["sse-s3"]`,
		project + ":httpApi":            "true",
		project + ":apiRateLimit":       "0",
		project + ":apiClients":         `[{"name": "ci", "scopes": ["write"]}]`,
		project + ":policy":             `{"minEntropyBits": "x", "minClasses": 9, "forbiddenPatterns": ["a**"]}`,
		project + ":expiryDays":         `[1, 1.5, 9999]`,
		project + ":auditTrail":         "true",
		project + ":auditRetentionDays": "0",
		project + ":rotationSchedule":   "rate(1 days)",
	})
	if d.err == nil {
		t.Fatal("deploy succeeded")
	}
	for _, want := range []string{
		`policy.minEntropyBits: "x" is not a number`,
		"policy.minClasses: must be between 0 and 4, got 9",
		`policy.forbiddenPatterns[0] "a**": invalid nested repetition operator`,
		`timeout: "abc" is not a whole number`,
		"memorySize: 64 MB is outside Lambda's 128..10240",
		"tags: want an object",
		`decryptKeyArns: "sse-s3" is not a KMS key ARN`,
		"apiRateLimit: 0 requests per second",
		`apiClients[0].scopes: "write" is not one of generate, read`,
		"expiryDays[1]: 1.5 is not a whole number",
		"auditRetentionDays: 0 days: use 1 to 3650",
		"rotationSchedule: \"rate(1 days)\": write rate(1 day) or rate(2 days)",
	} {
		if !strings.Contains(d.err.Error(), want) {
			t.Errorf("error %q does not report %q", d.err, want)
		}
	}
	if strings.Contains(d.err.Error(), "timeout: 0") {
		t.Errorf("error %q reports the mistyped timeout a second time, as out of range", d.err)
	}
}

// TestHTTPAPIConfig turns the API on from config: the clients, scopes,
// prefixes and limits reach the stack, and its outputs are exported.
func TestHTTPAPIConfig(t *testing.T) {
	d := deploy(t, map[string]string{
		project + ":httpApi":       "true",
		project + ":apiRateLimit":  "25",
		project + ":apiBurstLimit": "50",
		project + ":apiClients":    `[{"name": "ci", "scopes": ["generate"]}, {"name": "team-a", "scopes": ["generate", "read"], "prefixes": ["team-a/"]}]`,
	})
	if d.err != nil {
		t.Fatalf("deploy: %v", d.err)
	}
	stage := named(t, d.mocks, "passwordgen-stage")
	if got := stage.Inputs["defaultRouteSettings"]; !reflect.DeepEqual(got, map[string]any{"throttlingRateLimit": 25.0, "throttlingBurstLimit": 50.0}) {
		t.Errorf("stage settings %v", got)
	}
	teamA := named(t, d.mocks, "passwordgen-client-team-a")
	if got := teamA.Inputs["allowedOauthScopes"]; !reflect.DeepEqual(got, []any{"passwords/generate", "passwords/read"}) {
		t.Errorf("team-a scopes %v", got)
	}
	env := named(t, d.mocks, "passwordgen-retriever").Inputs["environment"].(map[string]any)["variables"].(map[string]any)
	if env["API_CLIENT_PREFIXES"] != `{"`+teamA.ID+`":["team-a/"]}` {
		t.Errorf("prefixes %v", env["API_CLIENT_PREFIXES"])
	}
	for _, k := range []string{"apiUrl", "tokenUrl", "userPoolId", "apiClientIds", "apiClientSecrets", "retrieverFunctionName", "apiAccessLogGroupName"} {
		if _, ok := d.outputs[k]; !ok {
			t.Errorf("no output %s", k)
		}
	}
}

func TestConfigTypeErrors(t *testing.T) {
	cases := map[string]struct {
		key, value, want string
	}{
		"integer":         {"memorySize", "lots", `memorySize: "lots" is not a whole number`},
		"fraction":        {"timeout", "2.5", `timeout: "2.5" is not a whole number`},
		"boolean":         {"forceDestroy", "yes please", `forceDestroy: "yes please" is not true or false`},
		"tags list":       {"tags", `[1, 2]`, "tags: want an object"},
		"tags nested":     {"tags", `{"team": {"name": "x"}}`, `tags: "team" must be a string, not an object`},
		"tags null":       {"tags", `{"team": null}`, `tags: "team" must be a string, not null`},
		"keys string":     {"decryptKeyArns", `"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"`, "decryptKeyArns: want a list of strings"},
		"keys numbers":    {"decryptKeyArns", `[1]`, "decryptKeyArns: want a list of strings"},
		"policy list":     {"policy", `[80]`, "policy: want an object such as"},
		"policy bits":     {"policy", `{"minEntropyBits": "many"}`, `policy.minEntropyBits: "many" is not a number`},
		"policy fraction": {"policy", `{"maxRepeat": "2.5"}`, `policy.maxRepeat: "2.5" is not a whole number`},
		"policy huge":     {"policy", `{"minClasses": 1e12}`, "policy.minClasses: 1e12 is out of range"},
		"policy patterns": {"policy", `{"forbiddenPatterns": "abc"}`, `policy.forbiddenPatterns: want a list of patterns, set with pulumi config set --path 'policy.forbiddenPatterns[0]' <pattern>, got "abc"`},
		"policy pattern":  {"policy", `{"forbiddenPatterns": ["ok", {"x": 1}]}`, "policy.forbiddenPatterns[1]: want a pattern, got an object"},
		"policy unknown":  {"policy", `{"maxRepeats": 2}`, "policy.maxRepeats is not a policy setting; the settings are minEntropyBits, minClasses, maxRepeat and forbiddenPatterns"},
		"client field":    {"apiClients", `[{"name": "ci", "prefix": ["team-a/"]}]`, `apiClients: want a list`},
		"client type":     {"apiClients", `[{"name": "ci", "scopes": "read"}]`, `apiClients: want a list`},
		"expiry object":   {"expiryDays", `{"days": 7}`, "expiryDays: want a list of whole numbers such as [1, 7, 30], set with pulumi config set --path 'expiryDays[0]' 7"},
		"expiry null":     {"expiryDays", `null`, "expiryDays: want a list of whole numbers"},
		"expiry word":     {"expiryDays", `["week"]`, "expiryDays: want a list of whole numbers"},
		"expiry fraction": {"expiryDays", `[7, "2.5"]`, "expiryDays[1]: 2.5 is not a whole number"},
		"expiry huge":     {"expiryDays", `[1e12]`, "expiryDays[0]: 1e12 is not a whole number"},
		"audit boolean":   {"auditTrail", "on", `auditTrail: "on" is not true or false`},
		"audit days":      {"auditRetentionDays", "1.5", `auditRetentionDays: "1.5" is not a whole number`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := deploy(t, map[string]string{project + ":" + tc.key: tc.value})
			if d.err == nil || !strings.Contains(d.err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", d.err, tc.want)
			}
		})
	}
}

// TestDefaultsAreTheComponentDefaults: a stack whose config holds exactly
// Pulumi.yaml's defaults deploys what an unconfigured program deploys, so
// the documented defaults are the real ones.
func TestDefaultsAreTheComponentDefaults(t *testing.T) {
	withDefaults := deploy(t, projectDefaults(t, loadProject(t)))
	bare := deploy(t, nil)
	if withDefaults.err != nil || bare.err != nil {
		t.Fatalf("deploy: %v / %v", withDefaults.err, bare.err)
	}
	if a, b := withDefaults.mocks.Inputs(), bare.mocks.Inputs(); !reflect.DeepEqual(a, b) {
		t.Errorf("Pulumi.yaml defaults deploy\n%v\nbut no config deploys\n%v", a, b)
	}
}

func TestConfigReachesTheStack(t *testing.T) {
	d := deploy(t, map[string]string{
		project + ":architecture":                    "x86_64",
		project + ":memorySize":                      "256",
		project + ":timeout":                         "20",
		project + ":logRetentionDays":                "0",
		project + ":keyPrefix":                       "",
		project + ":encryption":                      "sse-s3",
		project + ":decryptKeyArns":                  `["` + oldKey + `"]`,
		project + ":forceDestroy":                    "true",
		project + ":noncurrentVersionExpirationDays": "14",
		project + ":minLength":                       "12",
		project + ":maxLength":                       "64",
		project + ":reservedConcurrency":             "3",
		project + ":tags":                            `{"team": "platform", "costCenter": 40012345, "critical": true}`,
		// As `pulumi config set --path` stores them: integers as numbers,
		// other numbers as strings.
		project + ":policy":             `{"minEntropyBits": "80.5", "maxRepeat": 2, "forbiddenPatterns": ["(?i)secret", 1234, true]}`,
		project + ":expiryDays":         `[30, "7"]`,
		project + ":rotationSchedule":   "cron(0 3 ? * SUN *)",
		project + ":auditTrail":         "true",
		project + ":auditRetentionDays": "2557",
	})
	if d.err != nil {
		t.Fatalf("deploy: %v", d.err)
	}
	fn := named(t, d.mocks, "passwordgen-function")
	bucket := named(t, d.mocks, "passwordgen-bucket")
	checks := []struct {
		what      string
		got, want any
	}{
		{"architectures", fn.Inputs["architectures"], []any{"x86_64"}},
		{"memorySize", fn.Inputs["memorySize"], 256.0},
		{"timeout", fn.Inputs["timeout"], 20.0},
		{"reservedConcurrentExecutions", fn.Inputs["reservedConcurrentExecutions"], 3.0},
		{"environment", fn.Inputs["environment"], map[string]any{"variables": map[string]any{
			"BUCKET_NAME": bucket.Outputs["bucket"], "KEY_PREFIX": "",
			"PASSWORD_MIN_LENGTH": "12", "PASSWORD_MAX_LENGTH": "64", "PASSWORD_EXPIRY_DAYS": "7,30",
			"PASSWORD_POLICY": `{"minEntropyBits":80.5,"maxRepeat":2,"forbiddenPatterns":["(?i)secret","1234","true"]}`,
		}}},
		{"forceDestroy", bucket.Inputs["forceDestroy"], true},
		{"tags", bucket.Inputs["tags"], map[string]any{"team": "platform", "costCenter": "40012345", "critical": "true"}},
		{"retentionInDays", named(t, d.mocks, "passwordgen-logs").Inputs["retentionInDays"], 0.0},
		// Abort uploads, history, an expiry rule per value, delete markers.
		{"lifecycle rules", len(named(t, d.mocks, "passwordgen-lifecycle").Inputs["rules"].([]any)), 5},
		{"schedule", named(t, d.mocks, "passwordgen-rotation").Inputs["scheduleExpression"], "cron(0 3 ? * SUN *)"},
		{"audit retention", named(t, d.mocks, "passwordgen-audit-lifecycle").Inputs["rules"].([]any)[1].(map[string]any)["expiration"], map[string]any{"days": 2557.0}},
		{"trail", d.outputs["trailArn"], "arn:aws:cloudtrail:eu-west-1:123456789012:trail/password-generator-test-passwordgen"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	if _, has := d.mocks.Named("passwordgen-key"); has {
		t.Error("sse-s3 deployed a KMS key")
	}
	if got := d.outputs["decryptKeyArns"]; !reflect.DeepEqual(got, []string{oldKey}) {
		t.Errorf("decryptKeyArns = %v, want the configured key", got)
	}
}

// Keys of the mocked account and region, as a user would configure them.
const (
	oldKey      = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	existingKey = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
)

// TestEncryptionModes runs the program with each encryption value, as a
// stack that moved there from an earlier key would configure it. Whatever
// the mode, the dedicated key exists only with kms and is then retained on
// delete with its alias and policy, and readers decrypt with every key that
// encrypted a stored version.
func TestEncryptionModes(t *testing.T) {
	for _, tc := range []struct {
		encryption string
		createsKey bool
		current    string // the key new versions get; "" for the created key or none
	}{
		{"kms", true, ""},
		{"sse-s3", false, ""},
		{existingKey, false, existingKey},
	} {
		t.Run(tc.encryption, func(t *testing.T) {
			d := deploy(t, map[string]string{
				"aws:region":                "eu-west-1",
				project + ":encryption":     tc.encryption,
				project + ":decryptKeyArns": `["` + oldKey + `"]`,
			})
			if d.err != nil {
				t.Fatalf("deploy: %v", d.err)
			}
			current := tc.current
			for _, name := range []string{"passwordgen-key", "passwordgen-key-alias", "passwordgen-key-policy"} {
				r, has := d.mocks.Named(name)
				switch {
				case has != tc.createsKey:
					t.Errorf("%s deployed = %v, want %v", name, has, tc.createsKey)
				case has && !r.RetainOnDelete:
					t.Errorf("%s is deleted with the stack; want it retained, so stored passwords keep their key", name)
				}
			}
			if tc.createsKey {
				current = named(t, d.mocks, "passwordgen-key").Outputs["arn"].(string)
			}
			want := []string{oldKey}
			if current != "" {
				want = []string{current, oldKey}
			}
			if got := d.outputs["decryptKeyArns"]; !reflect.DeepEqual(got, want) {
				t.Errorf("decryptKeyArns = %v, want %v", got, want)
			}
			if got := d.outputs["kmsKeyArn"]; got != current {
				t.Errorf("kmsKeyArn = %v, want %q", got, current)
			}
			var reader struct {
				Statement []struct{ Action, Resource any }
			}
			if err := json.Unmarshal([]byte(named(t, d.mocks, "passwordgen-reader").Inputs["policy"].(string)), &reader); err != nil {
				t.Fatal(err)
			}
			decrypt := reader.Statement[len(reader.Statement)-1]
			if fmt.Sprint(decrypt.Action) != "[kms:Decrypt]" || fmt.Sprint(decrypt.Resource) != fmt.Sprint(want) {
				t.Errorf("reader's last statement = %v on %v, want kms:Decrypt on %v", decrypt.Action, decrypt.Resource, want)
			}
		})
	}
}

// TestKeyInAnotherRegion: the program compares an existing key's region
// with the stack's aws:region.
func TestKeyInAnotherRegion(t *testing.T) {
	d := deploy(t, map[string]string{"aws:region": "us-east-1", project + ":encryption": existingKey})
	if d.err == nil || !strings.Contains(d.err.Error(), "is in eu-west-1, but the stack deploys to us-east-1") {
		t.Fatalf("error %v, want one saying the key is outside the stack's region", d.err)
	}
}

func TestStackOutputs(t *testing.T) {
	d := deploy(t, nil)
	if d.err != nil {
		t.Fatalf("deploy: %v", d.err)
	}
	m, out := d.mocks, d.outputs
	fn := named(t, m, "passwordgen-function")
	want := map[string]any{
		"functionName":    fn.Outputs["name"].(string),
		"functionArn":     fn.Outputs["arn"].(string),
		"bucketName":      named(t, m, "passwordgen-bucket").Outputs["bucket"].(string),
		"bucketArn":       named(t, m, "passwordgen-bucket").Outputs["arn"].(string),
		"keyPrefix":       "passwords/",
		"roleArn":         named(t, m, "passwordgen-role").Outputs["arn"].(string),
		"logGroupName":    named(t, m, "passwordgen-logs").Outputs["name"].(string),
		"readerPolicyArn": named(t, m, "passwordgen-reader").Outputs["arn"].(string),
		"kmsKeyArn":       named(t, m, "passwordgen-key").Outputs["arn"].(string),
		"decryptKeyArns":  []string{named(t, m, "passwordgen-key").Outputs["arn"].(string)},

		"rotatorFunctionName":        named(t, m, "passwordgen-rotator").Outputs["name"].(string),
		"rotatorLogGroupName":        named(t, m, "passwordgen-rotator-logs").Outputs["name"].(string),
		"rotationScheduleName":       named(t, m, "passwordgen-rotation").Outputs["name"].(string),
		"rotationScheduleGroupName":  named(t, m, "passwordgen-rotation-group").Outputs["name"].(string),
		"rotationDeadLetterQueueUrl": named(t, m, "passwordgen-rotation-dlq").Outputs["url"].(string),
		"rotationFailureQueueUrl":    named(t, m, "passwordgen-rotation-failures").Outputs["url"].(string),
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("stack outputs = %v\nwant %v", out, want)
	}
}

// TestDevStack deploys the dev stack's config file on top of the project
// defaults, as the CLI merges them.
func TestDevStack(t *testing.T) {
	p := loadProject(t)
	stack, err := workspace.LoadProjectStack(nil, p, "Pulumi.dev.yaml")
	if err != nil {
		t.Fatalf("Pulumi.dev.yaml: %v", err)
	}
	values, err := stack.Config.Decrypt(config.NopDecrypter)
	if err != nil {
		t.Fatal(err)
	}
	cfg := projectDefaults(t, p)
	for k, v := range values {
		if k.Namespace() != project && k.String() != "aws:region" {
			t.Errorf("Pulumi.dev.yaml sets %s, which nothing reads", k)
		}
		if _, declared := p.Config[k.Name()]; k.Namespace() == project && !declared {
			t.Errorf("Pulumi.dev.yaml sets %s, which Pulumi.yaml does not declare", k)
		}
		cfg[k.String()] = v
	}
	if cfg["aws:region"] == "" {
		t.Error("Pulumi.dev.yaml sets no aws:region")
	}
	d := deploy(t, cfg)
	if d.err != nil {
		t.Fatalf("deploy: %v", d.err)
	}
	if got := named(t, d.mocks, "passwordgen-bucket").Inputs["forceDestroy"]; got != true {
		t.Errorf("dev bucket forceDestroy = %v, want true so the stack can be torn down", got)
	}
}

// TestRunCleansUp: outside the Pulumi engine the program fails, and still
// removes its build directory.
func TestRunCleansUp(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, v := range []string{pulumi.EnvProject, pulumi.EnvStack, pulumi.EnvMonitor, pulumi.EnvEngine} {
		t.Setenv(v, "")
	}
	if code := run(); code == 0 {
		t.Errorf("run outside the engine exited 0")
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("run left %v in the temporary directory", left)
	}
}

func named(t *testing.T, m *awsmock.Mocks, name string) awsmock.Resource {
	t.Helper()
	r, ok := m.Named(name)
	if !ok {
		t.Fatalf("no resource %s", name)
	}
	return r
}
