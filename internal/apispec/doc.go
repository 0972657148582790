// Package apispec is the HTTP API's contract, in one place for the stack
// that deploys it, the local API that imitates it and the functions behind
// it: the routes and the scope each requires, the OAuth resource server
// that defines the scopes, the fields of the access log, and the name
// prefixes each app client is limited to, which the functions enforce.
//
// It is pure data and string handling, with no AWS or Pulumi imports, so
// every side reads the same values.
package apispec
