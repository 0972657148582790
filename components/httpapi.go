package components

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/passwordgen/passwordgen/internal/apispec"
)

// API is the deployed HTTP API and who may call it.
type API struct {
	// URL is the API's base URL, https://<id>.execute-api.<region>.amazonaws.com.
	URL pulumi.StringOutput
	// TokenURL and UserPoolID are the stack's own user pool's token
	// endpoint and id; "" with an existing OIDC provider.
	TokenURL   pulumi.StringOutput
	UserPoolID pulumi.StringOutput
	// ClientIDs and ClientSecrets are the user pool's app clients' ids and
	// secrets by name; empty with an existing OIDC provider. The secrets
	// are Pulumi secrets.
	ClientIDs     pulumi.StringMapOutput
	ClientSecrets pulumi.StringMapOutput
	// RetrieverName is the read-only function behind the GET routes.
	RetrieverName pulumi.StringOutput
	// AccessLogGroupName is where the stage writes its access log.
	AccessLogGroupName pulumi.StringOutput

	retrieverARN pulumi.StringOutput
}

func (a *API) outputs() map[string]pulumi.Output {
	return map[string]pulumi.Output{
		"apiUrl":                a.URL,
		"tokenUrl":              a.TokenURL,
		"userPoolId":            a.UserPoolID,
		"apiClientIds":          a.ClientIDs,
		"apiClientSecrets":      a.ClientSecrets,
		"retrieverFunctionName": a.RetrieverName,
		"apiAccessLogGroupName": a.AccessLogGroupName,
	}
}

// clientPrefixes is the prefix map the functions enforce, keyed by client
// id: the user pool's ids once they exist, or the provider's as
// configured. Without the API it is nil, and the functions' environment
// is what it always was.
func clientPrefixes(api *apiSettings, pool *userPool) pulumi.Output {
	if api == nil {
		return pulumi.ToOutput(apispec.ClientPrefixes(nil))
	}
	var ids []any
	for i, c := range api.clients {
		if pool != nil {
			ids = append(ids, pool.clients[i].ID().ToStringOutput())
		} else {
			ids = append(ids, c.ClientID)
		}
	}
	return pulumi.All(ids...).ApplyT(func(v []any) apispec.ClientPrefixes {
		var p apispec.ClientPrefixes
		for i, c := range api.clients {
			if len(c.Prefixes) > 0 {
				if p == nil {
					p = apispec.ClientPrefixes{}
				}
				p[v[i].(string)] = c.Prefixes
			}
		}
		return p
	})
}

// apiInputs are the parts of the stack the API builds on.
type apiInputs struct {
	bucketARN, keyARN pulumi.StringOutput
	where             place
	trust             pulumi.StringInput
	generator         *lambda.Function
	pool              *userPool // nil with an existing OIDC provider
	// deps are what the retriever waits for besides its role and logs.
	deps []pulumi.Resource
}

// newAPIStack adds the retrieval function, with its own read-only role and
// log group, and the HTTP API in front of both functions, with its access
// log group. The generator and its role stay as they are.
func newAPIStack(ctx *pulumi.Context, name string, s settings, sh shared, in apiInputs, opts ...pulumi.ResourceOption) (*API, error) {
	retrieverName := name + "-retriever"
	role, err := newRole(ctx, retrieverName, fmt.Sprintf("Runs the %s password retrieval function, which can only read", name), in.trust, sh.tags, opts...)
	if err != nil {
		return nil, err
	}
	retriever, _, err := newStackFunction(ctx, s, sh, stackFunction{
		name:        retrieverName,
		logicalName: retrieverName,
		description: "Answers stored passwords to the HTTP API's authorized readers",
		function:    apispec.Retriever,
		role:        role,
		policy: func(logGroupARN pulumi.StringOutput) pulumi.StringOutput {
			return retrieverPolicy(in.bucketARN, logGroupARN, in.keyARN, s.keyPrefix, s.previousKeys, in.where)
		},
		timeout: s.timeout,
		deps:    in.deps,
	}, opts...)
	if err != nil {
		return nil, err
	}

	accessLogs, err := newLogGroup(ctx, name+"-api-access", "apigateway", s.logRetentionDays, sh.tags, opts...)
	if err != nil {
		return nil, err
	}
	spec := apiSpec{
		rate:       s.api.rate,
		burst:      s.api.burst,
		functions:  map[apispec.Function]*lambda.Function{apispec.Generator: in.generator, apispec.Retriever: retriever},
		accessLogs: accessLogs,
		tags:       sh.tags,
	}
	a := &API{
		RetrieverName:      retriever.Name,
		retrieverARN:       retriever.Arn,
		AccessLogGroupName: accessLogs.Name,
		TokenURL:           pulumi.String("").ToStringOutput(),
		UserPoolID:         pulumi.String("").ToStringOutput(),
		ClientIDs:          pulumi.StringMap{}.ToStringMapOutput(),
		ClientSecrets:      pulumi.ToSecret(pulumi.StringMap{}).(pulumi.StringMapOutput),
	}
	if p := in.pool; p != nil {
		// Cognito's access tokens carry client_id and no aud, so the
		// audience is every app client.
		ids, secrets, audience := pulumi.StringMap{}, pulumi.StringMap{}, pulumi.StringArray{}
		for i, c := range s.api.clients {
			ids[c.Name] = p.clients[i].ID()
			secrets[c.Name] = p.clients[i].ClientSecret
			audience = append(audience, p.clients[i].ID())
		}
		spec.issuer, spec.audience = p.issuer, audience
		a.TokenURL, a.UserPoolID = p.tokenURL, p.id
		a.ClientIDs = ids.ToStringMapOutput()
		a.ClientSecrets = pulumi.ToSecret(secrets).(pulumi.StringMapOutput)
	} else {
		spec.issuer, spec.audience = pulumi.String(s.api.issuer), pulumi.ToStringArray(s.api.audience)
	}
	api, err := newHTTPAPI(ctx, name, spec, opts...)
	if err != nil {
		return nil, err
	}
	a.URL = api.ApiEndpoint
	return a, nil
}
