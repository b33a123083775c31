package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrOtherEndpoint is returned by CheckEndpoint when the state file holds the requests of
// runs against another endpoint: its "done" rows say nothing about this service.
var ErrOtherEndpoint = errors.New("state file belongs to another endpoint")

// Endpoint returns the endpoint the state's runs went to, or "" when none is recorded yet
// (a new state, or one written by a planrun that did not record it).
func (s *Store) Endpoint(ctx context.Context) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='endpoint'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.sqlError("read state", err)
	}
	return v, nil
}

// CheckEndpoint ties the state file to the service its requests go to. The first run
// records endpoint (as --endpoint says it, or a fixed label for the in-process emulator;
// each request row keeps its bucket and region); a later run against another endpoint gets
// an error matching ErrOtherEndpoint that names both, before anything is sent. A state
// written before endpoints were recorded takes the endpoint of its next run. A store opened
// read-only only checks.
func (s *Store) CheckEndpoint(ctx context.Context, endpoint string) error {
	endpoint = normalEndpoint(endpoint)
	if s.w != nil {
		// INSERT OR IGNORE: of two runs recording at once, the first wins and the
		// other is compared with it below.
		if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value) VALUES ('endpoint', ?)`, endpoint); err != nil {
			return s.sqlError("write state", err)
		}
	}
	got, err := s.Endpoint(ctx)
	if err != nil {
		return err
	}
	if got != "" && got != endpoint {
		return fmt.Errorf("state %s: %w: its requests went to %s, this run's go to %s; use another --state for %s, or move this one aside (its -wal and -shm files too)",
			s.path, ErrOtherEndpoint, got, endpoint, endpoint)
	}
	return nil
}

// normalEndpoint is the recorded form of an endpoint: without a trailing slash.
func normalEndpoint(e string) string { return strings.TrimRight(strings.TrimSpace(e), "/") }
