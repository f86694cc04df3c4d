package catalog

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that every layer can decide what to do with it
// (HTTP status, retry policy, exit code) in one place.
type Kind uint8

// The kinds of error. The zero value, Other, is an unexpected internal fault.
const (
	Other        Kind = iota // unclassified; treated as an internal error
	Invalid                  // the input is malformed or breaks a rule
	NotFound                 // the thing asked for does not exist
	Conflict                 // the thing exists already or changed meanwhile
	TooLarge                 // the input is over a size or pixel limit
	Unauthorized             // no or bad credentials
	Forbidden                // credentials are good but lack the role
	Unavailable              // a dependency (Redis, S3, database) did not answer; retry later
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case TooLarge:
		return "too large"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case Unavailable:
		return "unavailable"
	}
	return "internal error"
}

// Error is confmedia's error type: a kind, the operation that failed, the
// wrapped cause and a message that is safe to show to a user (it names the
// file and the reason, never internals).
type Error struct {
	Kind Kind
	Op   string // e.g. "schedule.Parse", "sqlstore.CreateMedia"
	Msg  string // user-facing; may be empty
	Err  error  // the cause; may be nil
}

// E builds an *Error. Msg is formatted from format and args.
func E(kind Kind, op string, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Err: err, Msg: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	var s string
	if e.Op != "" {
		s = e.Op + ": "
	}
	switch {
	case e.Msg != "" && e.Err != nil:
		s += e.Msg + ": " + e.Err.Error()
	case e.Msg != "":
		s += e.Msg
	case e.Err != nil:
		s += e.Err.Error()
	default:
		s += e.Kind.String()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns the Kind of the outermost *Error in err's chain that has
// one, else Other. A nil error has kind Other.
func ErrorKind(err error) Kind {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Other
		}
		if e.Kind != Other {
			return e.Kind
		}
		err = e.Err
	}
	return Other
}

// ErrorMessage returns the user-facing message of err: the Msg of the
// outermost *Error that has one, followed by the messages of the *Errors it
// wraps. For an error with no *Error in its chain it returns err.Error().
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Msg
	if inner := e.Err; inner != nil {
		var ie *Error
		if errors.As(inner, &ie) {
			if m := ErrorMessage(inner); m != "" {
				if msg == "" {
					msg = m
				} else {
					msg += ": " + m
				}
			}
		} else if msg == "" {
			msg = inner.Error()
		}
	}
	if msg == "" {
		msg = e.Kind.String()
	}
	return msg
}

// IsNotFound reports whether err is of kind NotFound.
func IsNotFound(err error) bool { return ErrorKind(err) == NotFound }
