package apispec

// ResourceServer is the identifier of the OAuth resource server whose
// scopes the routes require; Cognito prefixes each scope with it.
const ResourceServer = "passwords"

// The resource server's scopes, by their short names and as tokens carry
// them.
const (
	GenerateScopeName = "generate"
	ReadScopeName     = "read"
	ScopeGenerate     = ResourceServer + "/" + GenerateScopeName
	ScopeRead         = ResourceServer + "/" + ReadScopeName
)

// Scopes are every scope of the resource server, each with what it allows,
// as a Cognito resource server describes them.
var Scopes = []struct{ Name, Description string }{
	{GenerateScopeName, "Generate and store passwords"},
	{ReadScopeName, "Read stored passwords and list names and versions"},
}

// Function names one of the stack's functions.
type Function int

const (
	// Generator is the function that generates and stores passwords.
	Generator Function = iota
	// Retriever is the read-only function that answers stored passwords.
	Retriever
	// Rotator is the scheduled function that replaces due passwords
	// without ever reading one. No route reaches it.
	Rotator
)

// Handler is the Lambda handler name of a function. Both run the same
// bootstrap, which dispatches on the _HANDLER variable Lambda sets from it;
// the generator keeps "bootstrap", so stacks deployed before the HTTP API
// see no change.
func (f Function) Handler() string {
	switch f {
	case Retriever:
		return "retrieve"
	case Rotator:
		return "rotate"
	}
	return "bootstrap"
}

// Route is one route of the API.
type Route struct {
	// Name is a short name for the route, for names derived from it.
	Name string
	// Key is API Gateway's route key, "<METHOD> <path>"; a last path
	// segment {name+} matches the rest of the path.
	Key string
	// Scope is the scope a token needs for the route.
	Scope    string
	Function Function
}

// Route keys, as the functions see them in an event's routeKey.
const (
	RouteCreate = "POST /passwords"
	RouteGet    = "GET /passwords/{name+}"
	RouteList   = "GET /passwords"
)

// Routes are every route of the API.
var Routes = []Route{
	{Name: "create", Key: RouteCreate, Scope: ScopeGenerate, Function: Generator},
	{Name: "get", Key: RouteGet, Scope: ScopeRead, Function: Retriever},
	{Name: "list", Key: RouteList, Scope: ScopeRead, Function: Retriever},
}
