package testenv

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// QueryPlan returns the lines of EXPLAIN QUERY PLAN of query on an SQLite db (a state's, a
// scratch's): the tests that guard a query's cost read which index it searches.
func QueryPlan(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("explain: %v", err)
		}
		out = append(out, strings.TrimSpace(detail))
	}
	return out
}
