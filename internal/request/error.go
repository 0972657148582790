package request

// Error is a problem with the caller's input: the handler answers it with
// status 400 and shows Error() to the caller, so messages name the field and
// the rule and quote at most a short, escaped excerpt of what was sent.
type Error struct {
	// Field is the request field at fault, as the caller spelled it, or ""
	// when the problem concerns the event as a whole.
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}
