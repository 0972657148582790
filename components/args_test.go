package components

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/orgpolicy"
)

func TestInvalidArgsAreRejectedBeforeAnyResource(t *testing.T) {
	manyTags := map[string]string{}
	for i := range 51 {
		manyTags[fmt.Sprintf("t%d", i)] = "v"
	}
	cases := []struct {
		name     string
		resource string
		args     PasswordGeneratorArgs
		want     []string // each must appear in the error
	}{
		{"unknown architecture", testName, PasswordGeneratorArgs{Architecture: "amd64"}, []string{"architecture", `"amd64"`, "x86_64"}},
		{"memory too small", testName, PasswordGeneratorArgs{MemorySize: 64}, []string{"memorySize", "64 MB", "128..10240"}},
		{"memory too large", testName, PasswordGeneratorArgs{MemorySize: 10241}, []string{"memorySize", "10241"}},
		{"negative memory", testName, PasswordGeneratorArgs{MemorySize: -1}, []string{"memorySize"}},
		{"timeout too long", testName, PasswordGeneratorArgs{Timeout: 901}, []string{"timeout", "901 s", "1..900"}},
		{"negative timeout", testName, PasswordGeneratorArgs{Timeout: -5}, []string{"timeout"}},
		{"retention CloudWatch refuses", testName, PasswordGeneratorArgs{LogRetentionDays: pulumi.IntRef(2)}, []string{"logRetentionDays", "does not accept 2", "3653"}},
		{"retention above the maximum", testName, PasswordGeneratorArgs{LogRetentionDays: pulumi.IntRef(4000)}, []string{"logRetentionDays", "4000"}},
		{"negative retention", testName, PasswordGeneratorArgs{LogRetentionDays: pulumi.IntRef(-1)}, []string{"logRetentionDays"}},
		{"prefix without slash", testName, PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("passwords")}, []string{"keyPrefix", `"passwords"`, `end with "/"`}},
		{"prefix with IAM wildcard", testName, PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("a*/")}, []string{"keyPrefix", `'*'`}},
		{"prefix with policy variable", testName, PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("${aws:username}/")}, []string{"keyPrefix", `'$'`}},
		{"prefix with traversal", testName, PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("a/../")}, []string{"keyPrefix", `".."`}},
		{"prefix starting with slash", testName, PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("/a/")}, []string{"keyPrefix"}},
		{"unknown encryption", testName, PasswordGeneratorArgs{Encryption: "aes256"}, []string{"encryption", `"aes256"`, "sse-s3"}},
		{"alias instead of key", testName, PasswordGeneratorArgs{Encryption: "arn:aws:kms:eu-west-1:123456789012:alias/passwords"}, []string{"encryption", "is an alias", "key/<key-id>"}},
		{"key ID instead of ARN", testName, PasswordGeneratorArgs{Encryption: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}, []string{"encryption"}},
		{"previous key alias", testName, PasswordGeneratorArgs{DecryptKeyArns: []string{"arn:aws:kms:eu-west-1:123456789012:alias/old"}}, []string{"decryptKeyArns", "is an alias"}},
		{"previous key empty", testName, PasswordGeneratorArgs{DecryptKeyArns: []string{""}}, []string{"decryptKeyArns", `"" is not a KMS key ARN`}},
		{"previous key not an ARN", testName, PasswordGeneratorArgs{DecryptKeyArns: []string{existingKey, "sse-s3"}}, []string{"decryptKeyArns", `"sse-s3" is not a KMS key ARN`}},
		{"negative history", testName, PasswordGeneratorArgs{NoncurrentVersionExpirationDays: -1}, []string{"noncurrentVersionExpirationDays", "-1"}},
		{"min length too small", testName, PasswordGeneratorArgs{MinLength: 3}, []string{"minLength must be between 4 and 4096, got 3"}},
		{"max length too large", testName, PasswordGeneratorArgs{MaxLength: 4097}, []string{"maxLength", "4097"}},
		{"min above max", testName, PasswordGeneratorArgs{MinLength: 64, MaxLength: 32}, []string{"minLength (64) must not exceed maxLength (32)"}},
		{"min above default max", testName, PasswordGeneratorArgs{MinLength: 200}, []string{"minLength", "200"}},
		{"negative reservation", testName, PasswordGeneratorArgs{ReservedConcurrency: -1}, []string{"reservedConcurrency", "-1"}},
		{"reserved tag prefix", testName, PasswordGeneratorArgs{Tags: map[string]string{"AWS:team": "x"}}, []string{"tags", "AWS:team", "reserved"}},
		{"empty tag key", testName, PasswordGeneratorArgs{Tags: map[string]string{"": "x"}}, []string{"tags", "1-128"}},
		{"tag key too long", testName, PasswordGeneratorArgs{Tags: map[string]string{strings.Repeat("k", 129): "x"}}, []string{"tags", "1-128"}},
		{"tag value too long", testName, PasswordGeneratorArgs{Tags: map[string]string{"k": strings.Repeat("v", 257)}}, []string{"tags", "256"}},
		{"tag value with bad character", testName, PasswordGeneratorArgs{Tags: map[string]string{"k": "a<b"}}, []string{"tags", `value of "k"`}},
		{"too many tags", testName, PasswordGeneratorArgs{Tags: manyTags}, []string{"tags", "51 tags", "50"}},
		{"uppercase name", "Passwords", PasswordGeneratorArgs{}, []string{"name", `"Passwords"`, "lowercase"}},
		{"name too long", strings.Repeat("p", 41), PasswordGeneratorArgs{}, []string{"name", "1-40"}},
		{"name ending in hyphen", "pg-", PasswordGeneratorArgs{}, []string{"name"}},
		{"empty name", "", PasswordGeneratorArgs{}, []string{"name"}},
		{
			"every problem at once", testName,
			PasswordGeneratorArgs{Architecture: "sparc", MemorySize: 1, Timeout: 1000, Encryption: "none"},
			[]string{"architecture", "memorySize", "timeout", "encryption"},
		},
		{"policy with five classes", testName, PasswordGeneratorArgs{Policy: orgpolicy.Policy{MinClasses: 5}}, []string{"policy.minClasses: must be between 0 and 4, got 5"}},
		{
			"policy patterns", testName, PasswordGeneratorArgs{Policy: orgpolicy.Policy{ForbiddenPatterns: []string{"ok", "(", "x*", "é"}}},
			[]string{`policy.forbiddenPatterns[1] "("`, `policy.forbiddenPatterns[2] "x*": can match an empty string`},
		},
		{"policy pattern matching no password", testName, PasswordGeneratorArgs{Policy: orgpolicy.Policy{ForbiddenPatterns: []string{"é"}}}, []string{`policy.forbiddenPatterns[0] "é": matches no password`}},
		{
			"policy floor out of reach", testName, PasswordGeneratorArgs{MaxLength: 20, Policy: orgpolicy.Policy{MinEntropyBits: 200}},
			[]string{"policy.minEntropyBits: 200 bits is out of reach: the longest request (length 20, every printable character) allows 130.9 bits; lower minEntropyBits or raise maxLength"},
		},
		{
			"policy over budget at maxLength", testName, PasswordGeneratorArgs{MaxLength: 4096, Policy: orgpolicy.Policy{MaxRepeat: 2, ForbiddenPatterns: []string{"(?i)secret"}}},
			[]string{"policy: counting the passwords of the longest request (length 4096) would exceed the function's budget", "lower maxLength to"},
		},
		{
			// 1,200 bytes of patterns, each backslash doubled in JSON: 600 × 6 + 599 commas + 24.
			"policy too large for the environment", testName, PasswordGeneratorArgs{Policy: orgpolicy.Policy{ForbiddenPatterns: slices.Repeat([]string{`\\`}, 600)}},
			[]string{"policy: 4223 bytes once encoded, more than the 3000 the function's environment leaves for it"},
		},
		{"expiry of zero days", testName, PasswordGeneratorArgs{ExpiryDays: []int{7, 0}}, []string{"expiryDays[1]: 0 days: use 1 to 3650"}},
		{"expiry beyond ten years", testName, PasswordGeneratorArgs{ExpiryDays: []int{3651}}, []string{"expiryDays[0]: 3651 days"}},
		{"expiry listed twice", testName, PasswordGeneratorArgs{ExpiryDays: []int{7, 30, 7}}, []string{"expiryDays[2]: 7 is listed twice"}},
		{"too many expiry values", testName, PasswordGeneratorArgs{ExpiryDays: multiples(21, 1)}, []string{"expiryDays: 21 values: offer at most 20"}},
		{"schedule in words", testName, PasswordGeneratorArgs{RotationSchedule: "daily"}, []string{`rotationSchedule: "daily": use rate(`}},
		{"rate of zero", testName, PasswordGeneratorArgs{RotationSchedule: "rate(0 days)"}, []string{"rotationSchedule", "rate(0 days)"}},
		{"rate of one in plural", testName, PasswordGeneratorArgs{RotationSchedule: "rate(1 days)"}, []string{"write rate(1 day) or rate(2 days)"}},
		{"rate of seven in singular", testName, PasswordGeneratorArgs{RotationSchedule: "rate(7 day)"}, []string{"write rate(1 day) or rate(7 days)"}},
		{"rate in seconds", testName, PasswordGeneratorArgs{RotationSchedule: "rate(30 seconds)"}, []string{"rotationSchedule"}},
		{"cron with five fields", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 * * ?)"}, []string{"6 fields", "not 5"}},
		{"cron with both days", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 * * * *)"}, []string{"exactly one of day-of-month and day-of-week"}},
		{"cron with neither day", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * ? *)"}, []string{"exactly one of day-of-month and day-of-week"}},
		{"cron with a stray character", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 * * ? 20$0)"}, []string{`field "20$0"`}},
		{"cron minute out of range", testName, PasswordGeneratorArgs{RotationSchedule: "cron(60 3 * * ? *)"}, []string{`minutes field "60"`, "use 0 to 59"}},
		{"cron hour out of range", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 0-24 * * ? *)"}, []string{`hours field "0-24"`, "use 0 to 23"}},
		{"cron day zero", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 0 * ? *)"}, []string{`day-of-month field "0"`, "use 1 to 31"}},
		{"cron month by a wrong name", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 1 JANUARY ? *)"}, []string{`month field "JANUARY"`, "use 1 to 12 or JAN to DEC"}},
		{"cron weekday eight", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * 8 *)"}, []string{`day-of-week field "8"`, "use 1 to 7 or SUN to SAT"}},
		{"cron year before Scheduler's", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 * * ? 1969)"}, []string{`year field "1969"`, "use 1970 to 2199"}},
		{"cron increment of zero", testName, PasswordGeneratorArgs{RotationSchedule: "cron(*/0 3 * * ? *)"}, []string{`increment "0"`}},
		{"cron ? outside the day fields", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 ? * * ? *)"}, []string{`hours field "?"`}},
		{"cron W in the weekdays", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * 3W *)"}, []string{`day-of-week field "3W"`}},
		{"cron # with another weekday", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * 3#1,6#3 *)"}, []string{"# stands alone"}},
		{"cron sixth weekday of a month", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * 3#6 *)"}, []string{`day-of-week field "3#6"`}},
		{"at a date that does not exist", testName, PasswordGeneratorArgs{RotationSchedule: "at(2030-02-30T03:00:00)"}, []string{"want at(yyyy-mm-ddThh:mm:ss)"}},
		{"at with a zone", testName, PasswordGeneratorArgs{RotationSchedule: "at(2030-01-01T03:00:00Z)"}, []string{"want at(yyyy-mm-ddThh:mm:ss)"}},
		{"audit kept no day", testName, PasswordGeneratorArgs{Audit: &AuditArgs{RetentionDays: pulumi.IntRef(0)}}, []string{"auditRetentionDays: 0 days: use 1 to 3650"}},
		{"audit kept too long", testName, PasswordGeneratorArgs{Audit: &AuditArgs{RetentionDays: pulumi.IntRef(3651)}}, []string{"auditRetentionDays: 3651 days"}},
		{
			"every rotation and audit problem at once", testName,
			PasswordGeneratorArgs{ExpiryDays: []int{0, 0}, RotationSchedule: "hourly", Audit: &AuditArgs{RetentionDays: pulumi.IntRef(-1)}, MemorySize: 1},
			[]string{"expiryDays[0]: 0 days", "expiryDays[1]: 0 days", "rotationSchedule", "auditRetentionDays", "memorySize"},
		},
		{
			"policy settings checked even with broken limits", testName, PasswordGeneratorArgs{MinLength: 3, Policy: orgpolicy.Policy{MaxRepeat: -2}},
			[]string{"minLength must be between 4 and 4096, got 3", "policy.maxRepeat: must be between 1 and maxLength (4096), or 0 for no limit, got -2"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _, err := deploy(tc.resource, &tc.args)
			if err == nil {
				t.Fatalf("deploy succeeded, want an error mentioning %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if rs := m.Resources(); len(rs) != 0 {
				t.Errorf("%d resources registered before validation failed, want none", len(rs))
			}
		})
	}
}

func TestBoundaryArgsAreAccepted(t *testing.T) {
	cases := []struct {
		name     string
		resource string
		args     PasswordGeneratorArgs
	}{
		{"smallest settings", testName, PasswordGeneratorArgs{MemorySize: 128, Timeout: 1, MinLength: 4, MaxLength: 4, LogRetentionDays: pulumi.IntRef(1), NoncurrentVersionExpirationDays: 1, ReservedConcurrency: 1}},
		{"largest settings", testName, PasswordGeneratorArgs{MemorySize: 10240, Timeout: 900, MinLength: 4096, MaxLength: 4096, LogRetentionDays: pulumi.IntRef(3653)}},
		{"logs kept forever", testName, PasswordGeneratorArgs{LogRetentionDays: pulumi.IntRef(0)}},
		{"multi-Region key", testName, PasswordGeneratorArgs{Encryption: "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"}},
		{"GovCloud key", testName, PasswordGeneratorArgs{Encryption: "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}},
		{"European Sovereign Cloud key", testName, PasswordGeneratorArgs{Encryption: "arn:aws-eusc:kms:eusc-de-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}},
		{"previous keys", testName, PasswordGeneratorArgs{Encryption: EncryptionSSES3, DecryptKeyArns: []string{existingKey, previousKey}}},
		{"nested prefix", testName, PasswordGeneratorArgs{KeyPrefix: pulumi.StringRef("team-a/db.admin_1/")}},
		{"unicode tags", testName, PasswordGeneratorArgs{Tags: map[string]string{"équipe": "plateforme", "owner": "ops@example.com", "empty": ""}}},
		{"longest name", strings.Repeat("p", 40), PasswordGeneratorArgs{}},
		{"expiry bounds", testName, PasswordGeneratorArgs{ExpiryDays: []int{3650, 1}}},
		{"twenty expiry values", testName, PasswordGeneratorArgs{ExpiryDays: multiples(20, 10)}},
		{"every minute", testName, PasswordGeneratorArgs{RotationSchedule: "rate(1 minute)"}},
		{"every twelve hours", testName, PasswordGeneratorArgs{RotationSchedule: "rate(12 hours)"}},
		{"cron on weekdays", testName, PasswordGeneratorArgs{RotationSchedule: "cron(15 2 ? * MON-FRI *)"}},
		{"cron on the last day", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0/30 1,13 L * ? 2030-2040)"}},
		{"cron on the last weekday", testName, PasswordGeneratorArgs{RotationSchedule: "cron(59 23 LW JAN-DEC/3 ? 2199)"}},
		{"cron on the weekday nearest the 15th", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 15W * ? *)"}},
		{"cron on the second Tuesday", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * 3#2 1970)"}},
		{"cron on the last Friday", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * 6L *)"}},
		{"cron over the weekend", testName, PasswordGeneratorArgs{RotationSchedule: "cron(0 3 ? * fri-mon *)"}},
		{"once", testName, PasswordGeneratorArgs{RotationSchedule: "at(2030-02-28T23:59:59)"}},
		{"audit defaults", testName, PasswordGeneratorArgs{Audit: &AuditArgs{}}},
		{"audit bounds", testName, PasswordGeneratorArgs{Audit: &AuditArgs{RetentionDays: pulumi.IntRef(3650)}}},
		{"one-letter name", "p", PasswordGeneratorArgs{}},
		{"benchmark policy at the default maxLength", testName, PasswordGeneratorArgs{Policy: orgpolicy.Policy{
			MinEntropyBits: 80, MinClasses: 4, MaxRepeat: 2,
			ForbiddenPatterns: []string{"(?i)password|qwerty|letmein|admin|welcome|monkey|dragon|master|login|princess", "(?i)football|baseball|shadow|sunshine|iloveyou|trustno1|secret|superman|starwars|whatever"},
		}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := resolve(tc.resource, &tc.args); err != nil {
				t.Errorf("resolve: %v", err)
			}
		})
	}
}

// multiples are the first n multiples of step.
func multiples(n, step int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = (i + 1) * step
	}
	return out
}
