package components

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/passwordgen/passwordgen/internal/apispec"
	"github.com/passwordgen/passwordgen/internal/orgpolicy"
	"github.com/passwordgen/passwordgen/internal/testkit/awsmock"
)

// apiClients are three callers: one per scope, and a team limited to its
// prefix.
var apiClients = []APIClient{
	{Name: "ci", Scopes: []string{"generate"}},
	{Name: "oncall", Scopes: []string{"read"}},
	{Name: "team-a", Scopes: []string{"generate", "read"}, Prefixes: []string{"team-a/"}},
}

// resourcesOf returns the registrations of one type, by logical name.
func resourcesOf(m *awsmock.Mocks, typ string) map[string]awsmock.Resource {
	out := map[string]awsmock.Resource{}
	for _, r := range m.Resources() {
		if r.Type == typ {
			out[r.Name] = r
		}
	}
	return out
}

// TestHTTPAPIWithUserPool deploys the API with the stack's own user pool
// and checks every resource the issue lists and each of its properties.
func TestHTTPAPIWithUserPool(t *testing.T) {
	tags := map[string]string{"team": "platform"}
	m, out, err := deploy(testName, &PasswordGeneratorArgs{Tags: tags, HTTPAPI: &HTTPAPIArgs{Clients: apiClients}})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	n := func(suffix string) string { return testName + "-" + suffix }
	get := lookup(t, m)

	// The user pool: no sign-up, the resource server with both scopes, a
	// domain for the token endpoint, one secret-holding client each.
	pool := get("users")
	expect(t, pool, "adminCreateUserConfig", map[string]any{"allowAdminCreateUserOnly": true})
	poolID := pool.ID
	server := get("resource-server")
	expect(t, server, "identifier", "passwords")
	expect(t, server, "scopes", []any{
		map[string]any{"scopeName": "generate", "scopeDescription": apispec.Scopes[0].Description},
		map[string]any{"scopeName": "read", "scopeDescription": apispec.Scopes[1].Description},
	})
	domain := get("domain")
	domainName := str(t, domain.Inputs, "domain")
	if !regexp.MustCompile(`^pwgen-[0-9a-f]{20}$`).MatchString(domainName) {
		t.Errorf("domain prefix %q: want lowercase, unique per pool, without reserved words", domainName)
	}
	var clientIDs []any
	wantScopes := [][]any{{"passwords/generate"}, {"passwords/read"}, {"passwords/generate", "passwords/read"}}
	for i, c := range apiClients {
		client := get("client-" + c.Name)
		for k, v := range map[string]any{
			"name": c.Name, "generateSecret": true, "allowedOauthFlowsUserPoolClient": true,
			"allowedOauthFlows": []any{"client_credentials"}, "allowedOauthScopes": wantScopes[i],
			"supportedIdentityProviders": []any{"COGNITO"}, "explicitAuthFlows": []any{"ALLOW_REFRESH_TOKEN_AUTH"},
			"preventUserExistenceErrors": "ENABLED",
		} {
			expect(t, client, k, v)
		}
		if !client.DependsOn(n("resource-server")) {
			t.Errorf("%s does not wait for the resource server that defines its scopes", client.Name)
		}
		clientIDs = append(clientIDs, client.ID)
	}
	teamA := get("client-team-a").ID

	// The retriever: its own log group and read-only role, the generator's
	// code and environment, the handler that makes the bootstrap read.
	gen, ret := get("function"), get("retriever")
	expect(t, ret, "handler", "retrieve")
	expect(t, gen, "handler", "bootstrap")
	for _, k := range []string{"runtime", "architectures", "memorySize", "timeout", "environment"} {
		if !reflect.DeepEqual(gen.Inputs[k], ret.Inputs[k]) {
			t.Errorf("%s: retriever %v, generator %v", k, ret.Inputs[k], gen.Inputs[k])
		}
	}
	env := gen.Inputs["environment"].(map[string]any)["variables"].(map[string]any)
	if got, want := env["API_CLIENT_PREFIXES"], `{"`+teamA+`":["team-a/"]}`; got != want {
		t.Errorf("API_CLIENT_PREFIXES = %v, want %s", got, want)
	}
	retLogs, retRole := get("retriever-logs"), get("retriever-role")
	expect(t, ret, "role", str(t, retRole.Outputs, "arn"))
	expect(t, ret, "loggingConfig", map[string]any{"logFormat": "JSON", "logGroup": str(t, retLogs.Outputs, "name")})
	expect(t, retLogs, "retentionInDays", 30.0)
	bucketARN := str(t, get("bucket").Outputs, "arn")
	keyARN := str(t, get("key").Outputs, "arn")
	checkStatements(t, "retriever policy", str(t, get("retriever-role-policy").Inputs, "policy"), []statement{
		{Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion"}, Resource: []string{bucketARN + "/passwords/*"}},
		{Effect: "Allow", Action: []string{"s3:ListBucket", "s3:ListBucketVersions"}, Resource: []string{bucketARN},
			Condition: map[string]map[string][]string{"StringLike": {"s3:prefix": {"passwords/*"}}}},
		{Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{keyARN}, Condition: viaS3For(bucketARN)},
		{Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{str(t, retLogs.Outputs, "arn") + ":*"}},
	})
	for _, dep := range []string{n("retriever-role-policy"), n("retriever-logs"), n("encryption"), n("versioning")} {
		if !ret.DependsOn(dep) {
			t.Errorf("retriever does not depend on %s", dep)
		}
	}

	// The API, its JWT authorizer, one integration per function.
	api := get("api")
	expect(t, api, "protocolType", "HTTP")
	apiID := api.ID
	authorizer := get("authorizer")
	expect(t, authorizer, "authorizerType", "JWT")
	expect(t, authorizer, "identitySources", []any{"$request.header.Authorization"})
	expect(t, authorizer, "jwtConfiguration", map[string]any{
		"issuer":    "https://" + str(t, pool.Outputs, "endpoint"),
		"audiences": clientIDs,
	})
	integrations := map[string]string{} // function name by integration logical name
	for name, integ := range resourcesOf(m, awsmock.TypeIntegration) {
		expect(t, integ, "integrationType", "AWS_PROXY")
		expect(t, integ, "integrationMethod", "POST")
		expect(t, integ, "payloadFormatVersion", "2.0")
		integrations[name] = str(t, integ.Inputs, "integrationUri")
	}
	if len(integrations) != 2 || integrations[n("integration-bootstrap")] != str(t, gen.Outputs, "arn") || integrations[n("integration-retrieve")] != str(t, ret.Outputs, "arn") {
		t.Errorf("integrations %v: want one for each function", integrations)
	}

	// Routes, each requiring its scope, and a permission per route.
	execARN := str(t, api.Outputs, "executionArn")
	wantRoutes := map[string]struct{ key, scope, integration, function, source string }{
		"create": {"POST /passwords", "passwords/generate", "integration-bootstrap", "function", execARN + "/*/POST/passwords"},
		"get":    {"GET /passwords/{name+}", "passwords/read", "integration-retrieve", "retriever", execARN + "/*/GET/passwords/*"},
		"list":   {"GET /passwords", "passwords/read", "integration-retrieve", "retriever", execARN + "/*/GET/passwords"},
	}
	if got := resourcesOf(m, awsmock.TypeRoute); len(got) != len(wantRoutes) {
		t.Errorf("%d routes, want %d", len(got), len(wantRoutes))
	}
	if got := resourcesOf(m, awsmock.TypePermission); len(got) != len(wantRoutes) {
		t.Errorf("%d permissions, want one per route", len(got))
	}
	for short, w := range wantRoutes {
		route := get("route-" + short)
		expect(t, route, "apiId", apiID)
		expect(t, route, "routeKey", w.key)
		expect(t, route, "authorizationType", "JWT")
		expect(t, route, "authorizationScopes", []any{w.scope})
		expect(t, route, "authorizerId", authorizer.ID)
		expect(t, route, "target", "integrations/"+get(w.integration).ID)
		perm := get("invoke-" + short)
		expect(t, perm, "action", "lambda:InvokeFunction")
		expect(t, perm, "principal", "apigateway.amazonaws.com")
		expect(t, perm, "function", str(t, get(w.function).Outputs, "name"))
		expect(t, perm, "sourceArn", w.source)
	}

	// The $default stage: auto-deployed, throttled, logging as JSON to its
	// own group with the functions' retention.
	stage := get("stage")
	accessLogs := get("api-access-logs")
	expect(t, stage, "name", "$default")
	expect(t, stage, "autoDeploy", true)
	expect(t, stage, "defaultRouteSettings", map[string]any{"throttlingRateLimit": 10.0, "throttlingBurstLimit": 20.0})
	expect(t, stage, "accessLogSettings", map[string]any{"destinationArn": str(t, accessLogs.Outputs, "arn"), "format": apispec.AccessLogFormat()})
	expect(t, accessLogs, "retentionInDays", 30.0)
	// Under /aws/vendedlogs/, so a full CloudWatch Logs resource policy
	// cannot stop the access log from being turned on.
	expect(t, accessLogs, "namePrefix", "/aws/vendedlogs/apigateway/"+n("api-access")+"-")
	for short := range wantRoutes {
		if !stage.DependsOn(n("route-" + short)) {
			t.Errorf("stage does not wait for route %s", short)
		}
	}

	// Tags reach every resource of the API that takes them.
	for _, typ := range []string{awsmock.TypeAPI, awsmock.TypeStage, awsmock.TypeUserPool, awsmock.TypeLogGroup, awsmock.TypeRole, awsmock.TypeFunction} {
		for name, r := range resourcesOf(m, typ) {
			if !reflect.DeepEqual(r.Inputs["tags"], toAny(tags)) {
				t.Errorf("%s: tags = %v, want %v", name, r.Inputs["tags"], tags)
			}
		}
	}

	// Outputs.
	ids := map[string]any{}
	secrets := map[string]any{}
	for _, c := range apiClients {
		client := get("client-" + c.Name)
		ids[c.Name], secrets[c.Name] = client.ID, client.Outputs["clientSecret"]
	}
	for k, v := range map[string]any{
		"apiUrl":                str(t, api.Outputs, "apiEndpoint"),
		"tokenUrl":              "https://" + domainName + ".auth.eu-west-1.amazoncognito.com/oauth2/token",
		"userPoolId":            poolID,
		"retrieverFunctionName": str(t, ret.Outputs, "name"),
		"apiAccessLogGroupName": str(t, accessLogs.Outputs, "name"),
	} {
		if out[k] != v {
			t.Errorf("output %s = %v, want %v", k, out[k], v)
		}
	}
	if !reflect.DeepEqual(anyMap(out["apiClientIds"]), ids) || !reflect.DeepEqual(anyMap(out["apiClientSecrets"]), secrets) {
		t.Errorf("apiClientIds %v, apiClientSecrets present %v; want %v", out["apiClientIds"], out["apiClientSecrets"] != nil, ids)
	}
}

// anyMap reads a map output, which Await resolves to map[string]string.
func anyMap(v any) map[string]any {
	out := map[string]any{}
	if m, ok := v.(map[string]string); ok {
		for k, s := range m {
			out[k] = s
		}
	}
	return out
}

// TestClientSecretsAreSecret: `pulumi stack output` shows the secrets only
// with --show-secrets, and the state holds them encrypted.
func TestClientSecretsAreSecret(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		pg, err := NewPasswordGenerator(ctx, testName, &PasswordGeneratorArgs{HTTPAPI: &HTTPAPIArgs{Clients: apiClients}})
		if err != nil {
			return err
		}
		for name, o := range map[string]pulumi.Output{"apiClientSecrets": pg.API.ClientSecrets, "apiClientIds": pg.API.ClientIDs} {
			r, err := internals.UnsafeAwaitOutput(ctx.Context(), o)
			if err != nil {
				return err
			}
			if r.Secret != (name == "apiClientSecrets") {
				t.Errorf("%s: secret = %v", name, r.Secret)
			}
		}
		return nil
	}, pulumi.WithMocks("passwordgen", "test", &awsmock.Mocks{}))
	if err != nil {
		t.Fatal(err)
	}
}

// TestHTTPAPIWithExistingIssuer uses another OIDC provider: no user pool,
// the provider's issuer and audience on the authorizer, and its client ids
// in the prefix map.
func TestHTTPAPIWithExistingIssuer(t *testing.T) {
	const issuer = "https://example.okta.com/oauth2/default"
	m, out, err := deploy(testName, &PasswordGeneratorArgs{HTTPAPI: &HTTPAPIArgs{
		JWTIssuer:   issuer,
		JWTAudience: []string{"api://passwords"},
		Clients:     []APIClient{{ClientID: "0oa1team", Prefixes: []string{"team-a/", "shared/"}}},
		RateLimit:   pulumi.IntRef(50),
		BurstLimit:  pulumi.IntRef(100),
	}})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	for _, typ := range []string{awsmock.TypeUserPool, awsmock.TypeUserPoolClient, awsmock.TypeResourceServer, awsmock.TypeUserPoolDomain} {
		if rs := resourcesOf(m, typ); len(rs) != 0 {
			t.Errorf("%d %s with an existing issuer, want none", len(rs), typ)
		}
	}
	authorizer, _ := m.Named(testName + "-authorizer")
	expect(t, authorizer, "jwtConfiguration", map[string]any{"issuer": issuer, "audiences": []any{"api://passwords"}})
	stage, _ := m.Named(testName + "-stage")
	expect(t, stage, "defaultRouteSettings", map[string]any{"throttlingRateLimit": 50.0, "throttlingBurstLimit": 100.0})
	for _, fn := range []string{testName + "-function", testName + "-retriever"} {
		r, _ := m.Named(fn)
		env := r.Inputs["environment"].(map[string]any)["variables"].(map[string]any)
		if env["API_CLIENT_PREFIXES"] != `{"0oa1team":["team-a/","shared/"]}` {
			t.Errorf("%s: API_CLIENT_PREFIXES = %v", fn, env["API_CLIENT_PREFIXES"])
		}
	}
	if out["tokenUrl"] != "" || out["userPoolId"] != "" || len(anyMap(out["apiClientIds"])) != 0 {
		t.Errorf("outputs %v: want no token URL, pool or client ids", out)
	}
}

// TestEveryThrottleSettingsBlockHasBothLimits guards against the silent
// outage: API Gateway reads a route settings block without a limit as a
// limit of 0 and throttles every request. Whatever the configuration,
// each settings block of each stage carries both limits, above zero.
func TestEveryThrottleSettingsBlockHasBothLimits(t *testing.T) {
	for _, api := range []*HTTPAPIArgs{
		{Clients: apiClients},
		{Clients: apiClients, RateLimit: pulumi.IntRef(1), BurstLimit: pulumi.IntRef(1)},
		{Clients: apiClients, RateLimit: pulumi.IntRef(maxAPIRateLimit), BurstLimit: pulumi.IntRef(maxAPIBurstLimit)},
		{JWTIssuer: "https://issuer.example", JWTAudience: []string{"a"}},
	} {
		m, _, err := deploy(testName, &PasswordGeneratorArgs{HTTPAPI: api})
		if err != nil {
			t.Fatalf("deploy %+v: %v", api, err)
		}
		stages := resourcesOf(m, awsmock.TypeStage)
		if len(stages) == 0 {
			t.Fatal("no stage")
		}
		for name, stage := range stages {
			blocks := []any{stage.Inputs["defaultRouteSettings"]}
			if rs, ok := stage.Inputs["routeSettings"].([]any); ok {
				blocks = append(blocks, rs...)
			}
			for i, b := range blocks {
				block, _ := b.(map[string]any)
				rate, _ := block["throttlingRateLimit"].(float64)
				burst, _ := block["throttlingBurstLimit"].(float64)
				if rate <= 0 || burst <= 0 {
					t.Errorf("%s settings block %d = %v: want throttlingRateLimit and throttlingBurstLimit both set above 0", name, i, b)
				}
			}
		}
	}
}

// TestHTTPAPILeavesTheRestAsItWas: turning the API on adds resources and
// the prefixes to the generator's environment, and changes nothing else:
// the generator's role and its policy, the bucket and the key stay.
func TestHTTPAPILeavesTheRestAsItWas(t *testing.T) {
	without, _, err := deploy(testName, nil)
	if err != nil {
		t.Fatal(err)
	}
	with, _, err := deploy(testName, &PasswordGeneratorArgs{HTTPAPI: &HTTPAPIArgs{Clients: apiClients[:2]}})
	if err != nil {
		t.Fatal(err)
	}
	before, after := without.Inputs(), with.Inputs()
	for name, in := range before {
		if !reflect.DeepEqual(after[name], in) {
			t.Errorf("%s changed when the API was turned on:\n%v\n%v", name, in, after[name])
		}
	}
	if added := len(after) - len(before); added == 0 {
		t.Error("the API added nothing")
	}
}

func TestInvalidHTTPAPIArgsAreRejectedTogether(t *testing.T) {
	long := make([]string, 200)
	for i := range long {
		long[i] = "team-" + strings.Repeat("x", 20) + "/"
	}
	cases := []struct {
		name string
		api  HTTPAPIArgs
		want []string
	}{
		{"zero limits", HTTPAPIArgs{Clients: apiClients, RateLimit: pulumi.IntRef(0), BurstLimit: pulumi.IntRef(0)}, []string{"apiRateLimit: 0", "apiBurstLimit: 0", "throttles every request"}},
		{"negative limits", HTTPAPIArgs{Clients: apiClients, RateLimit: pulumi.IntRef(-1), BurstLimit: pulumi.IntRef(-1)}, []string{"apiRateLimit: -1", "apiBurstLimit: -1"}},
		{"limits above the account's", HTTPAPIArgs{Clients: apiClients, RateLimit: pulumi.IntRef(10001), BurstLimit: pulumi.IntRef(5001)}, []string{"apiRateLimit: 10001", "apiBurstLimit: 5001"}},
		{"no client", HTTPAPIArgs{}, []string{"apiClients: the user pool needs at least one app client"}},
		{"client problems", HTTPAPIArgs{Clients: []APIClient{
			{Name: "a/b", Scopes: []string{"read"}},
			{Name: "x", Scopes: []string{"write"}},
			{Name: "x", Scopes: nil, ClientID: "abc"},
			{Name: "y", Scopes: []string{"read", "read"}, Prefixes: []string{"team-a"}},
		}}, []string{
			`apiClients[0].name: "a/b"`, `apiClients[1].scopes: "write" is not one of generate, read`,
			`apiClients[2].name: "x" names two clients`, "apiClients[2].clientId: applies to jwtIssuer only", "apiClients[2].scopes: want at least one",
			`apiClients[3].scopes: "read" is listed twice`, `apiClients[3].prefixes: client y: prefix "team-a"`,
		}},
		{"audience without issuer", HTTPAPIArgs{Clients: apiClients, JWTAudience: []string{"x"}}, []string{"jwtAudience: applies to jwtIssuer only"}},
		{"issuer problems", HTTPAPIArgs{JWTIssuer: "http://issuer.example", Clients: []APIClient{
			{Name: "ci", Scopes: []string{"read"}, Prefixes: []string{"a/"}},
			{ClientID: "c1"},
		}}, []string{`jwtIssuer: "http://issuer.example"`, "jwtAudience: want at least one", "apiClients[0].clientId: with jwtIssuer", "apiClients[0]: name and scopes", "apiClients[1].prefixes: with jwtIssuer an entry only limits"}},
		{"prefixes past the environment's room", HTTPAPIArgs{Clients: []APIClient{{Name: "big", Scopes: []string{"read"}, Prefixes: long}}}, []string{"apiClients: the prefixes take about"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _, err := deploy(testName, &PasswordGeneratorArgs{HTTPAPI: &tc.api})
			if err == nil {
				t.Fatalf("deploy succeeded, want errors %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if rs := m.Resources(); len(rs) != 0 {
				t.Errorf("%d resources registered before validation failed", len(rs))
			}
		})
	}
}

// TestPolicyAndPrefixesShareTheEnvironment: the organization policy and
// the client prefixes travel in the functions' 4 KB of environment
// together, so prefixes that fit alone are refused beside a large policy.
func TestPolicyAndPrefixesShareTheEnvironment(t *testing.T) {
	var prefixes, patterns []string
	for i := range 60 {
		prefixes = append(prefixes, fmt.Sprintf("team-%020d/", i))
	}
	for i := range 100 {
		patterns = append(patterns, fmt.Sprintf("password%02d", i))
	}
	api := &HTTPAPIArgs{Clients: []APIClient{{Name: "teams", Scopes: []string{"read"}, Prefixes: prefixes}}}
	if _, _, err := deploy(testName, &PasswordGeneratorArgs{HTTPAPI: api}); err != nil {
		t.Fatalf("the prefixes alone: %v", err)
	}
	_, _, err := deploy(testName, &PasswordGeneratorArgs{HTTPAPI: api, Policy: orgpolicy.Policy{ForbiddenPatterns: patterns}})
	if err == nil || !strings.Contains(err.Error(), "beside the organization policy") {
		t.Errorf("the prefixes beside the policy: %v, want them refused for the environment's room", err)
	}
}
