package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"

	"github.com/planrun/planrun/ciapi"
)

// apiError is an answer with an <Error> body.
type apiError struct {
	status        int
	code, message string
	stringToSign  string // SignatureDoesNotMatch only
	formatString  string // SignatureDoesNotMatch only
	retryAfter    string // sets Retry-After when not empty
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// invalidArgument is the 400 InvalidArgument answer naming field.
func invalidArgument(field, format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "InvalidArgument", field+": "+format, args...)
}

// writeError sends e with the request's ids; it returns the status written.
func writeError(w http.ResponseWriter, requestID, traceID string, e *apiError) int {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-ci-trace-id", traceID)
	if e.retryAfter != "" {
		h.Set("Retry-After", e.retryAfter)
	}
	body, _ := xml.Marshal(ciapi.ErrorBody{
		Code: e.code, Message: e.message, RequestId: requestID, TraceId: traceID,
		StringToSign: e.stringToSign, FormatString: e.formatString,
	})
	w.WriteHeader(e.status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
	return e.status
}

// writeXML sends a 200 answer with v marshalled as its body.
func writeXML(w http.ResponseWriter, requestID, traceID string, v any) int {
	body, err := xml.Marshal(v)
	if err != nil {
		return writeError(w, requestID, traceID, errorf(http.StatusInternalServerError, "InternalError", "encode response: %v", err))
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return http.StatusOK
}
