package apispec

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/passwordgen/passwordgen/internal/naming"
)

// ClientPrefixes maps an app client id to the name prefixes it may touch,
// on every route. A client that is not in the map may touch every name.
type ClientPrefixes map[string][]string

// Validate reports every problem at once: a client id must be non-empty,
// and each prefix '/'-terminated segments of the name rules (so "team-a/"
// never admits "team-ab/...").
func (p ClientPrefixes) Validate() error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(p)) {
		if strings.TrimSpace(id) == "" {
			errs = append(errs, errors.New("a client id is empty"))
		}
		if len(p[id]) == 0 {
			errs = append(errs, fmt.Errorf("client %s: an empty list of prefixes would refuse it everything; leave the client out to allow it every name", id))
		}
		for _, prefix := range p[id] {
			if err := naming.ValidatePrefix(prefix); err != nil || prefix == "" {
				if err == nil {
					err = errors.New("must not be empty")
				}
				errs = append(errs, fmt.Errorf("client %s: prefix %q: %v", id, prefix, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Allows reports whether a caller may touch names starting with name: a
// whole name, or the prefix of a listing. byToken is false for callers IAM
// authorized (a direct invocation), whom no prefix limits. A token without
// client_id cannot be told apart from a limited client's, so while any
// client is limited it is refused.
func (p ClientPrefixes) Allows(byToken bool, clientID, name string) bool {
	if !byToken || len(p) == 0 {
		return true
	}
	if clientID == "" {
		return false
	}
	prefixes, limited := p[clientID]
	return !limited || slices.ContainsFunc(prefixes, func(prefix string) bool { return strings.HasPrefix(name, prefix) })
}

// Refusal tells a caller that Allows refused why, and what it may do.
func (p ClientPrefixes) Refusal(clientID, name string) string {
	if clientID == "" {
		return "the token has no client_id claim; while app clients are limited to name prefixes, every API caller must be identified by one"
	}
	var quoted []string
	for _, prefix := range p[clientID] {
		quoted = append(quoted, strconv.Quote(prefix))
	}
	allowed := strings.Join(quoted, " or ")
	if name == "" && len(p[clientID]) > 0 {
		return fmt.Sprintf("client %s may only use names starting with %s: list with prefix=%s", clientID, allowed, p[clientID][0])
	}
	return fmt.Sprintf("client %s may only use names starting with %s; %q is outside them", clientID, allowed, name)
}
