package emulator

import (
	"encoding/json"
	"net/http"
)

// inspectPrefix is the path prefix of the unsigned inspection endpoints.
const inspectPrefix = "/_emulator/"

// inspect answers GET /_emulator/jobs and GET /_emulator/stats with JSON, on any host and
// without authentication.
func (s *Server) inspect(w http.ResponseWriter, r *http.Request, requestID, traceID string) {
	var v any
	switch r.URL.Path {
	case inspectPrefix + "jobs":
		v = s.Jobs()
	case inspectPrefix + "stats":
		v = s.Stats()
	case inspectPrefix + "executions":
		v = s.Executions(r.URL.Query().Get("jobId"))
	case inspectPrefix + "objects":
		v = s.Objects()
	default:
		writeError(w, requestID, traceID, errorf(http.StatusNotFound, "InvalidUrl", "unknown inspection endpoint %s (have /_emulator/jobs, /_emulator/executions, /_emulator/objects and /_emulator/stats)", r.URL.Path))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, requestID, traceID, errorf(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed on %s", r.Method, r.URL.Path))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
