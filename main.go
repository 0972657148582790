// Command password-generator is the Pulumi program: `pulumi up` deploys one
// PasswordGenerator configured from the stack's config, and exports what
// users need to invoke the function and read the passwords it stores.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/passwordgen/passwordgen/components"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
)

// componentName prefixes every resource's name.
const componentName = "passwordgen"

func main() {
	os.Exit(run())
}

// run deploys and removes the build directory afterwards. pulumi.RunErr
// rather than pulumi.Run, which exits on failure before anything could
// clean up; the error is logged here as Run would have.
func run() int {
	buildDir, err := os.MkdirTemp("", "passwordgen-build-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "create build directory: %v\n", err)
		return 1
	}
	// Only after RunErr returns: the engine reads the zip while the program
	// is running.
	defer os.RemoveAll(buildDir)

	logged := false
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		err := program(ctx, buildDir)
		if err != nil {
			logged = ctx.Log.Error(err.Error(), nil) == nil
		}
		return err
	})
	switch {
	case err == nil:
		return 0
	case logged:
		// Tells the Pulumi CLI the error has been reported already.
		return constant.ExitStatusLoggedError
	default:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
}

// program deploys the stack and exports its outputs.
func program(ctx *pulumi.Context, buildDir string) error {
	outputs, err := stack(ctx, buildDir)
	if err != nil {
		return err
	}
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return nil
}

// stack reads the config, declares the component and returns what
// `pulumi stack output` shows. keyPrefix is among them because readers need
// it to find the passwords; kmsKeyArn is "" with sse-s3.
//
// Values of the wrong type and values out of range are reported together,
// so one run shows everything to fix: a value of the wrong type is left at
// its default for the range checks, which then find nothing wrong with it.
func stack(ctx *pulumi.Context, buildDir string) (map[string]pulumi.Output, error) {
	args, typeErrs := argsFromConfig(config.New(ctx, ""))
	if errs := append(typeErrs, components.ValidateArgs(componentName, args)...); len(errs) > 0 {
		return nil, fmt.Errorf("invalid configuration:\n%w", errors.Join(errs...))
	}
	args.BuildDir = buildDir
	pg, err := components.NewPasswordGenerator(ctx, componentName, args)
	if err != nil {
		return nil, err
	}
	return pg.Outputs(), nil
}

// argsFromConfig maps the project config onto the component's args and
// returns a problem for each value of the wrong type. It checks only the
// types; the component validates the values themselves, so the rules live
// in one place. An unset key, or one of the wrong type, leaves the field
// zero, which the component reads as its default.
func argsFromConfig(cfg *config.Config) (*components.PasswordGeneratorArgs, []error) {
	a := &components.PasswordGeneratorArgs{}
	var errs []error
	lookup := func(key string) (string, bool) {
		v, err := cfg.Try(key)
		return v, err == nil
	}
	str := func(key string, dst *string) {
		if v, ok := lookup(key); ok {
			*dst = v
		}
	}
	integer := func(key string) *int {
		return read(lookup, &errs, key, func(v string) (*int, error) {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a whole number", key, v)
			}
			return &n, nil
		})
	}
	integerTo := func(key string, dst *int) {
		if n := integer(key); n != nil {
			*dst = *n
		}
	}
	boolean := func(key string) bool {
		return read(lookup, &errs, key, func(v string) (bool, error) {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return false, fmt.Errorf("%s: %q is not true or false", key, v)
			}
			return b, nil
		})
	}
	list := func(key string) []string {
		return read(lookup, &errs, key, func(v string) ([]string, error) { return parseStrings(key, v) })
	}

	str("architecture", &a.Architecture)
	integerTo("memorySize", &a.MemorySize)
	integerTo("timeout", &a.Timeout)
	a.LogRetentionDays = integer("logRetentionDays")
	// Set but empty means the bucket root, so presence matters.
	if v, ok := lookup("keyPrefix"); ok {
		a.KeyPrefix = &v
	}
	str("encryption", &a.Encryption)
	a.DecryptKeyArns = list("decryptKeyArns")
	a.ForceDestroy = boolean("forceDestroy")
	integerTo("noncurrentVersionExpirationDays", &a.NoncurrentVersionExpirationDays)
	integerTo("minLength", &a.MinLength)
	integerTo("maxLength", &a.MaxLength)
	integerTo("reservedConcurrency", &a.ReservedConcurrency)
	a.Tags = read(lookup, &errs, "tags", parseTags)
	a.ExpiryDays = read(lookup, &errs, "expiryDays", func(v string) ([]int, error) { return parseWholeNumbers("expiryDays", v) })
	str("rotationSchedule", &a.RotationSchedule)
	// The retention has a default, so its presence says nothing while the
	// trail is off.
	audit := &components.AuditArgs{RetentionDays: integer("auditRetentionDays")}
	if boolean("auditTrail") {
		a.Audit = audit
	}

	api := &components.HTTPAPIArgs{
		RateLimit:   integer("apiRateLimit"),
		BurstLimit:  integer("apiBurstLimit"),
		Clients:     read(lookup, &errs, "apiClients", parseClients),
		JWTAudience: list("jwtAudience"),
	}
	str("jwtIssuer", &api.JWTIssuer)
	if boolean("httpApi") {
		a.HTTPAPI = api
	} else {
		// A setting that would silently do nothing is a mistake to
		// report; the limits have defaults, so their presence says nothing.
		for _, s := range []struct {
			key string
			set bool
		}{{"jwtIssuer", api.JWTIssuer != ""}, {"jwtAudience", len(api.JWTAudience) > 0}, {"apiClients", len(api.Clients) > 0}} {
			if s.set {
				errs = append(errs, fmt.Errorf("%s: applies only with httpApi: true (pulumi config set httpApi true)", s.key))
			}
		}
	}
	if v, ok := lookup("policy"); ok {
		var policyErrs []error
		a.Policy, policyErrs = parsePolicy(v)
		errs = append(errs, policyErrs...)
	}
	return a, errs
}

// read parses key's value when it is set, adding a parse error to errs;
// an unset or unparsable key gives the zero value, the component's default.
func read[T any](lookup func(string) (string, bool), errs *[]error, key string, parse func(string) (T, error)) T {
	var zero T
	v, ok := lookup(key)
	if !ok {
		return zero
	}
	out, err := parse(v)
	if err != nil {
		*errs = append(*errs, err)
		return zero
	}
	return out
}

// apiClient is one entry of apiClients, as `pulumi config set --path
// 'apiClients[0].name' ci` stores it.
type apiClient struct {
	Name     string   `json:"name"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes"`
	Prefixes []string `json:"prefixes"`
}

// parseClients reads apiClients, refusing fields it does not know so that
// a misspelt "prefix" does not silently leave a client unlimited.
func parseClients(raw string) ([]components.APIClient, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var entries []apiClient
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf(`apiClients: want a list of {"name", "scopes", "prefixes"} (or {"clientId", "prefixes"} with jwtIssuer), set with pulumi config set --path 'apiClients[0].name' ci: %v`, err)
	}
	clients := make([]components.APIClient, len(entries))
	for i, e := range entries {
		clients[i] = components.APIClient(e)
	}
	return clients, nil
}

// parsePolicy reads the policy object, as `pulumi config set --path
// policy.<setting> <value>` builds it: such a value is a number only when
// it is an integer, so numbers are also read from strings ("80.5"), and a
// pattern that looks like an integer ("1234") or a boolean arrives as one
// and is read back as its text. Each setting of the wrong type is reported
// and left zero.
func parsePolicy(raw string) (orgpolicy.Policy, []error) {
	var p orgpolicy.Policy
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return p, []error{errors.New(`policy: want an object such as {"minEntropyBits": 80}, set with pulumi config set --path policy.minEntropyBits 80`)}
	}
	var errs []error
	number := func(key string, v any, integer bool) float64 {
		var text string
		switch v := v.(type) {
		case json.Number:
			text = string(v)
		case string:
			text = strings.TrimSpace(v)
		}
		f, err := strconv.ParseFloat(text, 64)
		switch {
		case text == "" || err != nil || math.IsNaN(f) || math.IsInf(f, 0):
			errs = append(errs, fmt.Errorf("policy.%s: %s is not a number", key, describeJSON(v)))
		case integer && f != math.Trunc(f):
			errs = append(errs, fmt.Errorf("policy.%s: %s is not a whole number", key, describeJSON(v)))
		case integer && math.Abs(f) > math.MaxInt32:
			errs = append(errs, fmt.Errorf("policy.%s: %s is out of range", key, describeJSON(v)))
		default:
			return f
		}
		return 0
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		v := obj[key]
		switch key {
		case "minEntropyBits":
			p.MinEntropyBits = number(key, v, false)
		case "minClasses":
			p.MinClasses = int(number(key, v, true))
		case "maxRepeat":
			p.MaxRepeat = int(number(key, v, true))
		case "forbiddenPatterns":
			list, ok := v.([]any)
			if !ok {
				errs = append(errs, fmt.Errorf("policy.forbiddenPatterns: want a list of patterns, set with pulumi config set --path 'policy.forbiddenPatterns[0]' <pattern>, got %s", describeJSON(v)))
				continue
			}
			for i, item := range list {
				switch item := item.(type) {
				case string:
					p.ForbiddenPatterns = append(p.ForbiddenPatterns, item)
				case json.Number, bool:
					p.ForbiddenPatterns = append(p.ForbiddenPatterns, fmt.Sprint(item))
				default:
					errs = append(errs, fmt.Errorf("policy.forbiddenPatterns[%d]: want a pattern, got %s", i, describeJSON(item)))
				}
			}
		default:
			errs = append(errs, fmt.Errorf("policy.%s is not a policy setting; the settings are minEntropyBits, minClasses, maxRepeat and forbiddenPatterns", key))
		}
	}
	return p, errs
}

// describeJSON names a decoded value for a "got ..." clause.
func describeJSON(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case json.Number, bool:
		return fmt.Sprint(v)
	default:
		return jsonKind(v)
	}
}

// parseWholeNumbers reads a list of whole numbers, as `pulumi config set
// --path 'key[0]' 7` stores it (a number, or a string holding one). An
// empty list stays empty, not nil: it means none rather than the default.
func parseWholeNumbers(key, raw string) ([]int, error) {
	var list []json.Number
	if err := json.Unmarshal([]byte(raw), &list); err != nil || list == nil {
		return nil, fmt.Errorf(`%s: want a list of whole numbers such as [1, 7, 30], set with pulumi config set --path '%s[0]' 7`, key, key)
	}
	out := make([]int, len(list))
	for i, n := range list {
		v, err := strconv.ParseInt(string(n), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %s is not a whole number", key, i, n)
		}
		out[i] = int(v)
	}
	return out, nil
}

// parseStrings reads a list of strings, as `pulumi config set --path
// 'key[0]' value` stores it.
func parseStrings(key, raw string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, fmt.Errorf(`%s: want a list of strings such as ["arn:aws:kms:..."], set with pulumi config set --path '%s[0]' <value>`, key, key)
	}
	return list, nil
}

// parseTags reads the tags object. `pulumi config set --path tags.x 12`
// stores a number, so scalars are accepted and written as AWS will show them.
func parseTags(raw string) (map[string]string, error) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return nil, fmt.Errorf(`tags: want an object such as {"team": "platform"}, set with pulumi config set --path tags.team platform`)
	}
	tags := make(map[string]string, len(obj))
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			tags[k] = v
		case float64:
			tags[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			tags[k] = strconv.FormatBool(v)
		default:
			return nil, fmt.Errorf("tags: %q must be a string, not %s", k, jsonKind(v))
		}
	}
	return tags, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	default:
		return "an object"
	}
}
