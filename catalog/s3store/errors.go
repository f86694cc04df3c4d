package s3store

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/confmedia/confmedia/catalog"
)

// classify maps an SDK error to a catalog kind and a short reason a user
// can read.
func classify(err error) (catalog.Kind, string) {
	switch {
	case errors.Is(err, context.Canceled):
		return catalog.Other, "the request was cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return catalog.Unavailable, "the storage server did not answer in time"
	}
	code, _ := apiCode(err)
	switch code {
	case "NoSuchKey", "NotFound", "NoSuchBucket":
		return catalog.NotFound, "no such blob"
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
		"InvalidToken", "AllAccessDisabled", "AccountProblem":
		return catalog.Other, "the storage server refused the credentials (" + code + ")"
	case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling", "ThrottlingException":
		return catalog.Unavailable, "the storage server is unavailable (" + code + ")"
	}
	if status := httpStatus(err); status != 0 {
		switch {
		case status == 404:
			return catalog.NotFound, "no such blob"
		case status == 401 || status == 403:
			return catalog.Other, "the storage server refused the credentials"
		case status == 429 || status >= 500:
			return catalog.Unavailable, "the storage server is unavailable"
		}
		if code != "" {
			return catalog.Other, "the storage server answered " + code
		}
		return catalog.Other, "the storage server answered an unexpected status"
	}
	// No response at all: the request never reached the server or the
	// connection broke.
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	if errors.As(err, &sendErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return catalog.Unavailable, "cannot reach the storage server"
	}
	var invalid smithy.InvalidParamsError
	if errors.As(err, &invalid) {
		return catalog.Invalid, "invalid request"
	}
	return catalog.Other, "unexpected storage error"
}

// apiCode returns the S3 error code of err ("NoSuchKey", …), if it has one.
func apiCode(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), true
	}
	return "", false
}

// httpStatus returns the HTTP status of the response that caused err, or 0
// when there was no response.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
