package components

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/passwordgen/passwordgen/internal/awsarn"
	"github.com/passwordgen/passwordgen/internal/fnconfig"
	"github.com/passwordgen/passwordgen/internal/naming"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/request"
)

// Values of PasswordGeneratorArgs.Encryption besides a KMS key ARN.
const (
	// EncryptionKMS creates a dedicated KMS key (rotation on, S3 Bucket Key
	// on). Reading a password then needs kms:Decrypt on that key as well as
	// s3:GetObject, so a bucket grant alone exposes nothing.
	EncryptionKMS = "kms"
	// EncryptionSSES3 uses S3-managed keys (AES256): no KMS cost, but anyone
	// allowed s3:GetObject can read the passwords.
	EncryptionSSES3 = "sse-s3"
)

// PasswordGeneratorArgs configures a PasswordGenerator. A nil or zero value
// deploys the secure defaults; each field documents its own.
//
// Validation errors name each setting as the project's config key spells it
// (memorySize for MemorySize), so they read the same from Go and from
// `pulumi config`.
type PasswordGeneratorArgs struct {
	// Architecture of the function: "arm64" (default, cheaper per
	// GB-second) or "x86_64".
	Architecture string
	// MemorySize in MB, 128 to 10240; 0 means 128.
	MemorySize int
	// Timeout in seconds, 1 to 900; 0 means 10.
	Timeout int
	// LogRetentionDays is one of the retentions CloudWatch Logs accepts
	// (1, 3, 5, 7, 14, 30, ... 3653), or 0 to keep logs forever; nil means
	// 30. A pointer because 0 is a real choice here.
	LogRetentionDays *int
	// KeyPrefix is where passwords are stored: empty (the bucket root) or
	// '/'-terminated segments of [A-Za-z0-9._-]; nil means "passwords/",
	// the recipe's folder.
	KeyPrefix *string
	// Encryption is EncryptionKMS (default), EncryptionSSES3, or the ARN of
	// an existing KMS key (arn:aws:kms:<region>:<account>:key/<id>) in the
	// bucket's region whose key policy lets IAM policies grant its use.
	//
	// The key the component creates for EncryptionKMS is retained when it
	// leaves the stack (a destroy, or a move to another Encryption): AWS
	// keeps it, and with it every password version it encrypted. Before
	// such a move, add the current key's ARN to DecryptKeyArns.
	Encryption string
	// DecryptKeyArns are KMS key ARNs that encrypted versions stored before
	// the current Encryption took effect. Each version keeps the key it
	// was written with, so the reader policy grants kms:Decrypt on these
	// as well as on the current key.
	DecryptKeyArns []string
	// ForceDestroy lets `pulumi destroy` delete the bucket with every stored
	// password and version in it. Off by default, so a destroy never loses
	// passwords unless asked to.
	ForceDestroy bool
	// NoncurrentVersionExpirationDays, when positive, deletes a password's
	// overwritten versions that many days after they were replaced. 0 keeps
	// the whole history.
	NoncurrentVersionExpirationDays int
	// MinLength and MaxLength bound the length a caller may request, within
	// 4..4096; 0 means 8 and 128, the recipe's bounds.
	MinLength int
	MaxLength int
	// ExpiryDays are the values a request's expires_in_days may take,
	// each 1 to 3650 and at most 20 of them; the bucket gets a lifecycle
	// rule for each. Nil means 1, 7, 30, 90 and 365; an empty, non-nil
	// list offers no expiry.
	ExpiryDays []int
	// RotationSchedule is when the rotator runs, as EventBridge Scheduler
	// reads it: rate(...), cron(...) or at(...), in UTC; "" means
	// rate(1 day).
	RotationSchedule string
	// Audit, when not nil, records every read and write of a password and
	// every invocation of the stack's functions with CloudTrail, in a
	// dedicated audit bucket. Nil deploys no trail.
	Audit *AuditArgs
	// ReservedConcurrency, when positive, reserves that many concurrent
	// executions for the function, which also caps it. 0 means no
	// reservation. Lambda itself reads a reservation of 0 as "throttle every
	// invocation"; that is never what this setting asks for.
	ReservedConcurrency int
	// Policy is the organization's floor under every request: an entropy
	// minimum, character classes, a repeat limit and forbidden patterns.
	// The zero value imposes nothing. It is validated in full here, before
	// anything is created (a policy no request could meet, or whose counts
	// would exceed the function's budget at MaxLength, is refused), and
	// reaches the function as one compact environment variable.
	Policy orgpolicy.Policy
	// Tags are applied to every resource that takes tags.
	Tags map[string]string
	// CodeZip is the path of a prebuilt deployment zip (an executable
	// `bootstrap` at its root). Empty means: compile the function
	// (github.com/passwordgen/passwordgen/handler, from the copy of this
	// module the program's module requires, with the Go toolchain its
	// go.mod pins) during `pulumi preview` and `pulumi up`.
	CodeZip string
	// HTTPAPI, when not nil, deploys the HTTP API with authentication,
	// throttling and the read-only retrieval function behind it. Nil
	// deploys no API and changes nothing else.
	HTTPAPI *HTTPAPIArgs
	// BuildDir receives the compiled handler when CodeZip is empty. Empty
	// means a new temporary directory, left in place because the engine
	// reads the zip after NewPasswordGenerator returns; a program that
	// wants it gone passes its own directory and removes it after
	// pulumi.Run returns.
	BuildDir string
}

// settings are validated args with every default applied.
type settings struct {
	architecture     string // Lambda's name: arm64 | x86_64
	goarch           string // Go's name for the same
	memorySize       int
	timeout          int
	logRetentionDays int
	keyPrefix        string
	createKey        bool   // the component creates the KMS key
	kmsKeyARN        string // an existing key; "" when createKey or SSE-S3
	previousKeys     []string
	forceDestroy     bool
	noncurrentDays   int
	limits           request.Limits
	policy           string // encoded for the function's environment
	reserved         int
	tags             map[string]string
	codeZip          string
	buildDir         string
	api              *apiSettings // nil: no HTTP API
	rotation         rotationSchedule
	audit            *auditSettings // nil: no trail
}

// sseKMS reports whether objects are encrypted with a KMS key.
func (s settings) sseKMS() bool { return s.createKey || s.kmsKeyARN != "" }

const (
	defaultMemorySize       = 128
	defaultTimeout          = 10
	defaultLogRetentionDays = 30
)

// goarchOf maps Lambda's architecture names to Go's.
var goarchOf = map[string]string{"arm64": "arm64", "x86_64": "amd64"}

// logRetentions are the values CloudWatch Logs accepts for retentionInDays
// (pulumi-aws LogGroup documentation); 0 is "never expire".
var logRetentions = []int{0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// componentName keeps the physical names Pulumi derives from it valid: S3
// bucket names are lowercase, and the longest names Pulumi derives, such as
// "<name>-scheduler-role-<7 random chars>" (IAM roles: 64 characters),
// "<name>-rotation-group-<7>" (schedule groups: 64), "<name>-function-<7>"
// (Lambda: 64) and "<name>-audit-bucket-<7>" (buckets: 63), must fit.
var componentName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$`)

// Tag limits shared by S3, IAM, Lambda, KMS and CloudWatch Logs.
var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

const (
	maxTags           = 50
	maxTagKeyLength   = 128
	maxTagValueLength = 256
)

// resolve validates the component name and args and applies the defaults.
// It reports every problem at once, so a user fixes their config in one go.
func resolve(name string, a *PasswordGeneratorArgs) (settings, error) {
	s, errs := validate(name, a)
	return s, report(errs)
}

// report is nil without problems, else one error listing each on its line.
func report(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("invalid PasswordGenerator settings:\n%w", errors.Join(errs...))
}

// validate checks the args and applies the defaults, collecting every
// problem.
func validate(name string, a *PasswordGeneratorArgs) (settings, []error) {
	if a == nil {
		a = &PasswordGeneratorArgs{}
	}
	var errs []error
	fail := func(setting, format string, v ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", setting, fmt.Sprintf(format, v...)))
	}

	if !componentName.MatchString(name) {
		fail("name", "%q must be 1-40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, so the bucket, role and function names derived from it are valid", name)
	}

	s := settings{
		architecture:     orDefault(a.Architecture, "arm64"),
		memorySize:       orDefault(a.MemorySize, defaultMemorySize),
		timeout:          orDefault(a.Timeout, defaultTimeout),
		logRetentionDays: valueOr(a.LogRetentionDays, defaultLogRetentionDays),
		keyPrefix:        valueOr(a.KeyPrefix, fnconfig.DefaultKeyPrefix),
		forceDestroy:     a.ForceDestroy,
		noncurrentDays:   a.NoncurrentVersionExpirationDays,
		limits: request.Limits{
			MinLength:  orDefault(a.MinLength, request.DefaultLimits().MinLength),
			MaxLength:  orDefault(a.MaxLength, request.DefaultLimits().MaxLength),
			ExpiryDays: a.ExpiryDays,
		},
		previousKeys: a.DecryptKeyArns,
		reserved:     a.ReservedConcurrency,
		tags:         a.Tags,
		codeZip:      a.CodeZip,
		buildDir:     a.BuildDir,
	}

	var ok bool
	if s.goarch, ok = goarchOf[s.architecture]; !ok {
		fail("architecture", `%q is not a Lambda architecture; use "arm64" or "x86_64"`, s.architecture)
	}
	if s.memorySize < 128 || s.memorySize > 10240 {
		fail("memorySize", "%d MB is outside Lambda's 128..10240", s.memorySize)
	}
	if s.timeout < 1 || s.timeout > 900 {
		fail("timeout", "%d s is outside Lambda's 1..900", s.timeout)
	}
	if !slices.Contains(logRetentions, s.logRetentionDays) {
		fail("logRetentionDays", "CloudWatch Logs does not accept %d; use one of %v (0 keeps logs forever)", s.logRetentionDays, logRetentions[1:])
	}
	if err := naming.ValidatePrefix(s.keyPrefix); err != nil {
		fail("keyPrefix", "%q: %v", s.keyPrefix, err)
	}
	switch enc := a.Encryption; {
	case enc == "" || enc == EncryptionKMS:
		s.createKey = true
	case enc == EncryptionSSES3:
	case strings.HasPrefix(enc, "arn:") || strings.Contains(enc, "alias/"):
		if _, err := awsarn.ParseKMSKey(enc); err != nil {
			fail("encryption", "%v", err)
		}
		s.kmsKeyARN = enc
	default:
		fail("encryption", `%q: use "kms", "sse-s3" or a KMS key ARN (%s)`, enc, awsarn.KMSKeyForm)
	}
	for _, arn := range s.previousKeys {
		if _, err := awsarn.ParseKMSKey(arn); err != nil {
			fail("decryptKeyArns", "%v", err)
		}
	}
	if s.noncurrentDays < 0 {
		fail("noncurrentVersionExpirationDays", "%d: use a positive number of days, or 0 to keep every version", s.noncurrentDays)
	}
	limitsErr := s.limits.Validate("minLength", "maxLength")
	if limitsErr != nil {
		errs = append(errs, limitsErr)
	}
	if !a.Policy.IsZero() {
		var policyErrs []error
		s.policy, policyErrs = validatePolicy(a.Policy, s.limits, limitsErr == nil)
		errs = append(errs, policyErrs...)
	}
	if s.reserved < 0 {
		fail("reservedConcurrency", "%d: use a positive number of executions, or 0 for no reservation", s.reserved)
	}
	if s.limits.ExpiryDays == nil {
		s.limits.ExpiryDays = request.DefaultExpiryDays()
	}
	validateExpiryDays(s.limits.ExpiryDays, fail)
	// Sorted, so reordering the config changes neither the rules nor the
	// functions' environment.
	s.limits.ExpiryDays = slices.Sorted(slices.Values(s.limits.ExpiryDays))
	var err error
	if s.rotation, err = parseSchedule(orDefault(a.RotationSchedule, DefaultRotationSchedule)); err != nil {
		fail("rotationSchedule", "%v", err)
	}
	s.audit = validateAudit(a.Audit, fail)
	errs = append(errs, validateTags(s.tags)...)
	// The policy and the prefixes share what the environment can spare.
	s.api = validateAPI(a.HTTPAPI, fnconfig.MaxPolicyBytes-len(s.policy), fail)

	if len(errs) > 0 {
		return settings{}, errs
	}
	return s, nil
}

// ValidateArgs returns every problem NewPasswordGenerator would refuse name
// and args for before it asks AWS anything, one error each, so a program
// that reads its settings from elsewhere can report its own problems in the
// same list. Only the keys' regions are left to NewPasswordGenerator, which
// learns the stack's region from the provider.
func ValidateArgs(name string, args *PasswordGeneratorArgs) []error {
	_, errs := validate(name, args)
	return errs
}

// checkRegion refuses keys outside the stack's region: S3 encrypts a
// bucket's objects only with a key in the bucket's own region, so such a
// key could neither encrypt new passwords nor have encrypted stored ones.
func (s settings) checkRegion(region string) error {
	var errs []error
	inRegion := func(setting, arn string) {
		if k, err := awsarn.ParseKMSKey(arn); err == nil && k.Region != region {
			errs = append(errs, fmt.Errorf("%s: key %s is in %s, but the stack deploys to %s; S3 uses only keys in the bucket's own region", setting, arn, k.Region, region))
		}
	}
	if s.kmsKeyARN != "" {
		inRegion("encryption", s.kmsKeyARN)
	}
	for _, arn := range s.previousKeys {
		inRegion("decryptKeyArns", arn)
	}
	return report(errs)
}

// validatePolicy checks the policy in full when the length limits are
// valid (its costs depend on maxLength), its settings alone otherwise, and
// encodes it for the function's environment.
func validatePolicy(p orgpolicy.Policy, limits request.Limits, limitsValid bool) (string, []error) {
	var err error
	if limitsValid {
		_, err = orgpolicy.Validate(p, limits.MaxLength)
	} else {
		_, err = orgpolicy.Compile(p, request.HighestLimit)
	}
	var errs []error
	if err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			errs = joined.Unwrap()
		} else {
			errs = []error{err}
		}
	}
	encoded, err := fnconfig.EncodePolicy(p)
	if err != nil {
		errs = append(errs, err)
	}
	return encoded, errs
}

// validateTags applies the rules every tagged service here enforces, so a bad
// tag fails the preview instead of the fifth resource of an update.
func validateTags(tags map[string]string) []error {
	var errs []error
	if len(tags) > maxTags {
		errs = append(errs, fmt.Errorf("tags: %d tags, AWS allows at most %d per resource", len(tags), maxTags))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKeyLength:
			errs = append(errs, fmt.Errorf("tags: key %q must be 1-%d characters", k, maxTagKeyLength))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			errs = append(errs, fmt.Errorf("tags: key %q: the aws: prefix is reserved for AWS", k))
		case !tagChars.MatchString(k):
			errs = append(errs, fmt.Errorf("tags: key %q: use letters, digits, spaces and _ . : / = + - @", k))
		}
		switch {
		case utf8.RuneCountInString(v) > maxTagValueLength:
			errs = append(errs, fmt.Errorf("tags: value of %q is longer than %d characters", k, maxTagValueLength))
		case !tagChars.MatchString(v):
			errs = append(errs, fmt.Errorf("tags: value of %q: use letters, digits, spaces and _ . : / = + - @", k))
		}
	}
	return errs
}

// valueOr is *p, or def when p is nil: for settings where the zero value
// is a choice of its own.
func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
