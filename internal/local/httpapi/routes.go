package httpapi

import (
	"fmt"
	"net/http"
	"strings"
)

// route is a Route with its key taken apart.
type route struct {
	Route
	method string
	// path is the whole path, or with a greedy parameter everything
	// before it, ending in '/'.
	path string
	// greedy names a last segment {name+}; "" when there is none.
	greedy string
}

// parseRoute accepts literal paths, optionally ending in one greedy
// parameter: all the API has.
func parseRoute(r Route) (route, error) {
	method, path, ok := strings.Cut(r.Key, " ")
	rt := route{Route: r, method: method, path: path}
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		return rt, fmt.Errorf("route %q: want \"<METHOD> /<path>\"", r.Key)
	}
	if r.Function == nil {
		return rt, fmt.Errorf("route %q has no function", r.Key)
	}
	if len(r.Scopes) == 0 {
		return rt, fmt.Errorf("route %q has no scope: every route of the API requires one", r.Key)
	}
	if i := strings.LastIndex(path, "/{"); i >= 0 && strings.HasSuffix(path, "+}") {
		rt.path, rt.greedy = path[:i+1], path[i+2:len(path)-2]
	}
	if strings.ContainsAny(rt.path, "{}") || strings.ContainsAny(rt.greedy, "{}/") {
		return rt, fmt.Errorf("route %q: only a greedy last parameter such as {name+} is supported", r.Key)
	}
	return rt, nil
}

// match finds the request's route and its path parameters.
func (h *Handler) match(r *http.Request) (*route, map[string]string) {
	for i := range h.routes {
		rt := &h.routes[i]
		if rt.method != r.Method {
			continue
		}
		if rt.greedy == "" {
			if r.URL.Path == rt.path {
				return rt, nil
			}
			continue
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, rt.path); ok && rest != "" {
			return rt, map[string]string{rt.greedy: rest}
		}
	}
	return nil, nil
}
