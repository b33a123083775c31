package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/planrun/planrun/plan/request"
)

// Group-commit limits: a transaction holds at most maxBatchRows rows and waits at most
// maxBatchDelay for more work, unless a caller waits for durability (then it commits at once).
const (
	maxBatchRows  = 256
	maxBatchDelay = 50 * time.Millisecond
)

// JobSeen is a job state observed on the service for the row of request Name of Plan.
// Empty Created, Code and Message leave what the row holds.
type JobSeen struct {
	Plan, Name                    string
	State, Created, Code, Message string
}

// PlanRun records when a plan's generation first ran (a row of the plans table).
type PlanRun struct {
	Plan       string
	Generation int
	FirstRunAt time.Time
}

// Write is one unit of work for the store: request rows, job states and a plan's first
// run, committed in that order and in the order writes were sent.
type Write struct {
	Records []Record
	Jobs    []JobSeen
	Plan    *PlanRun
	// Latency, when set, replaces the create latencies the state keeps (see CreateLatency).
	Latency *CreateLatency
}

// writeOp is a Write queued for the writer; done (if set) receives the commit result.
type writeOp struct {
	Write
	done chan error
}

// rows counts the rows an op writes, for batching.
func (o *writeOp) rows() int { return len(o.Records) + len(o.Jobs) + 1 }

// readOnly is the error of a write to a store opened with OpenReadOnly.
func (s *Store) readOnly() error {
	return fmt.Errorf("write state %s: %w: opened for reading only", s.path, ErrReadOnly)
}

// Send queues w without waiting for its commit; a commit error shows in a later Sync,
// Flush or Close.
func (s *Store) Send(w *Write) error {
	if s.w == nil {
		return s.readOnly()
	}
	return s.w.send(&writeOp{Write: *w})
}

// Sync queues w (nil: nothing) and waits until it and every write sent before it are committed.
func (s *Store) Sync(ctx context.Context, w *Write) error {
	if s.w == nil {
		return s.readOnly()
	}
	op := &writeOp{}
	if w != nil {
		op.Write = *w
	}
	return s.w.sync(ctx, op)
}

// writer owns all writes: one goroutine, one transaction per batch.
type writer struct {
	db   *sql.DB
	ops  chan *writeOp
	quit chan struct{}
	wg   sync.WaitGroup

	closeMu sync.RWMutex // held for reading while sending, for writing while closing
	closed  bool

	errMu    sync.Mutex
	firstErr error

	// prepared holds the statements of commit, prepared once and used by the writer
	// goroutine only (re-parsing them for every transaction showed in profiles).
	prepared map[string]*sql.Stmt
	byRows   map[[2]int]*sql.Stmt // the multi-row ones of prepared, see rowsStmt
	// pending gathers the request rows of a batch (writer goroutine only, reused).
	pending []Record
	// ids are the plan and group numbers of the rows written (writer goroutine only).
	ids rowIDs
	// latency is the create latency value last committed (writer goroutine only).
	latency string
}

// startWriter starts the writer goroutine on db.
func startWriter(db *sql.DB) *writer {
	w := &writer{db: db, ops: make(chan *writeOp, 1024), quit: make(chan struct{}), prepared: map[string]*sql.Stmt{},
		byRows: map[[2]int]*sql.Stmt{}}
	w.ids.reset()
	w.wg.Add(1)
	go w.loop()
	return w
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("state store is closed")

// send queues op without waiting for its commit.
func (w *writer) send(op *writeOp) error {
	w.closeMu.RLock()
	defer w.closeMu.RUnlock()
	if w.closed {
		return errClosed
	}
	w.ops <- op
	return nil
}

// sync queues op (nil: nothing but a flush) and waits until it and everything queued before
// it are committed. The commit happens immediately, without waiting for the batch delay.
func (w *writer) sync(ctx context.Context, op *writeOp) error {
	if op == nil {
		op = &writeOp{}
	}
	op.done = make(chan error, 1)
	if err := w.send(op); err != nil {
		return err
	}
	select {
	case err := <-op.done:
		if err != nil {
			return err
		}
		return w.err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// err returns the first commit error seen, if any.
func (w *writer) err() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.firstErr
}

// close drains the queue, commits it and stops the goroutine.
func (w *writer) close() error {
	w.closeMu.Lock()
	if w.closed {
		w.closeMu.Unlock()
		return w.err()
	}
	w.closed = true
	close(w.ops)
	w.closeMu.Unlock()
	w.wg.Wait()
	return w.err()
}

// loop collects ops into batches and commits each batch in one transaction.
func (w *writer) loop() {
	defer w.wg.Done()
	defer func() {
		for _, st := range w.prepared {
			st.Close()
		}
	}()
	for {
		op, ok := <-w.ops
		if !ok {
			return
		}
		batch := []*writeOp{op}
		n := op.rows()
		urgent := op.done != nil
		timer := time.NewTimer(maxBatchDelay)
	collect:
		for n < maxBatchRows {
			if urgent {
				// Someone waits: take only what is already queued.
				select {
				case op, ok := <-w.ops:
					if !ok {
						break collect
					}
					batch = append(batch, op)
					n += op.rows()
				default:
					break collect
				}
				continue
			}
			select {
			case op, ok := <-w.ops:
				if !ok {
					break collect
				}
				batch = append(batch, op)
				n += op.rows()
				urgent = op.done != nil
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		err := w.commit(batch)
		if err != nil {
			err = classify(err)
			w.errMu.Lock()
			if w.firstErr == nil {
				w.firstErr = err
			}
			w.errMu.Unlock()
		}
		for _, op := range batch {
			if op.done != nil {
				op.done <- err
			}
		}
	}
}

// stmt returns query as a statement of tx, prepared on the database once.
func (w *writer) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	st := w.prepared[query]
	if st == nil {
		var err error
		if st, err = w.db.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		w.prepared[query] = st
	}
	return tx.StmtContext(ctx, st), nil
}

// Kinds of multi-row statements, see rowsStmt.
const (
	sqlUpsert   = iota // upsertRowsSQL
	sqlIntent          // intentRowsSQL
	sqlOutcomes        // outcomeRowsSQL
)

// rowsSQL builds the multi-row statements by kind.
var rowsSQL = [...]func(n int) string{sqlUpsert: upsertRowsSQL, sqlIntent: intentRowsSQL, sqlOutcomes: outcomeRowsSQL}

// rowsStmt returns the statement of kind for n rows as a statement of tx, without
// building its text again once prepared.
func (w *writer) rowsStmt(ctx context.Context, tx *sql.Tx, kind, n int) (*sql.Stmt, error) {
	k := [2]int{kind, n}
	if st := w.byRows[k]; st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	st, err := w.stmt(ctx, tx, rowsSQL[kind](n))
	if err != nil {
		return nil, err
	}
	w.byRows[k] = w.prepared[rowsSQL[kind](n)]
	return st, nil
}

// latencySQL replaces the create latencies the state keeps.
const latencySQL = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value`

// upsertChunk is how many intents one statement writes (17 parameters each).
const upsertChunk = 16

// isOutcome tells the rows of outcomes (their intent was written before the send) from
// intents and rows given back unsent.
func isOutcome(r *Record) bool { return r.Status != request.Sending && r.Status != request.Planned }

// writeRecords writes request rows in tx: runs of intents with multi-row upserts (one
// statement per upsertChunk rows costs much less than one per row), each outcome with an
// update of the columns it changes, or a full upsert when its row is not as expected.
func (w *writer) writeRecords(ctx context.Context, tx *sql.Tx, recs []Record, now int64) error {
	for i := 0; i < len(recs); {
		if isOutcome(&recs[i]) {
			j := i + 1
			for j < len(recs) && j-i < upsertChunk && isOutcome(&recs[j]) {
				j++
			}
			if err := w.writeOutcomes(ctx, tx, recs[i:j], now); err != nil {
				return err
			}
			i = j
			continue
		}
		j := i + 1
		for j < len(recs) && j-i < upsertChunk && !isOutcome(&recs[j]) {
			j++
		}
		if err := w.upsert(ctx, tx, recs[i:j], now); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// writeOutcomes records outcomes over the rows of their intents: several with one
// statement; when that does not change exactly one row per outcome (a row not as
// expected, or one request twice), each again on its own, in order (rewriting a row
// with the values it just got changes nothing).
func (w *writer) writeOutcomes(ctx context.Context, tx *sql.Tx, recs []Record, now int64) error {
	if len(recs) > 1 {
		st, err := w.rowsStmt(ctx, tx, sqlOutcomes, len(recs))
		if err != nil {
			return fmt.Errorf("write state: %w", err)
		}
		args := make([]any, 0, 1+13*len(recs))
		args = append(args, now)
		for i := range recs {
			if args, err = w.matchArgs(ctx, tx, outcomeArgs(args, &recs[i]), &recs[i]); err != nil {
				return err
			}
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("write state request %s: %w", recs[0].Name, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == int64(len(recs)) {
			return nil
		}
	}
	for i := range recs {
		if err := w.writeOutcome(ctx, tx, &recs[i], now); err != nil {
			return err
		}
	}
	return nil
}

// writeOutcome records the outcome r over the row of its intent.
func (w *writer) writeOutcome(ctx context.Context, tx *sql.Tx, r *Record, now int64) error {
	st, err := w.stmt(ctx, tx, outcomeSQL)
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	args, err := w.matchArgs(ctx, tx, append(outcomeArgs(make([]any, 0, 14), r), now), r)
	if err != nil {
		return err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("write state request %s: %w", r.Name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return nil
	}
	return w.upsert(ctx, tx, []Record{*r}, now)
}

// noOutcome reports whether r carries none of the columns an outcome sets.
func noOutcome(r *Record) bool {
	return r.JobID == "" && r.JobState == "" && r.JobCreated == "" && r.Attempts == 0 &&
		r.ErrorCode == "" && r.ErrorMessage == "" && r.RequestID == ""
}

// upsert writes whole rows with one statement: intentRowsSQL when none of them carries
// an outcome (the rows are the same), else upsertRowsSQL.
func (w *writer) upsert(ctx context.Context, tx *sql.Tx, recs []Record, now int64) error {
	bare := true
	for i := range recs {
		bare = bare && noOutcome(&recs[i])
	}
	kind, perRow := sqlUpsert, 17
	if bare {
		kind, perRow = sqlIntent, 10
	}
	st, err := w.rowsStmt(ctx, tx, kind, len(recs))
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	args := make([]any, 0, perRow*len(recs))
	for i := range recs {
		r := &recs[i]
		if args, err = w.intentArgs(ctx, tx, args, r); err != nil {
			return err
		}
		if !bare {
			args = outcomeColumns(args, r)
		}
		args = append(args, now, now)
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("write state request %s: %w", recs[0].Name, err)
	}
	return nil
}

// commit writes a batch in one transaction.
func (w *writer) commit(batch []*writeOp) (err error) {
	if !slices.ContainsFunc(batch, func(op *writeOp) bool {
		return len(op.Records) > 0 || len(op.Jobs) > 0 || op.Plan != nil || op.Latency != nil
	}) {
		// Only waits (Flush, Sync(nil)): no transaction, which would wait for another
		// writer of the file, and could fail for it, though there is nothing to write.
		return nil
	}
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			w.ids.reset() // the numbers made in tx are gone with it
		}
	}()
	var jobState *sql.Stmt
	now := encodeStamp(time.Now())
	// The run sends its create latencies with every batch of intents; a value the file
	// already holds is not written again.
	latency := w.latency
	// The request rows of consecutive ops are written together, so that outcomes sent
	// one by one share statements; an op with a plan or job rows writes what is pending
	// first, keeping the order of every write to a row.
	pending := w.pending[:0]
	defer func() { clear(pending); w.pending = pending[:0] }()
	for _, op := range batch {
		if op.Plan == nil && len(op.Jobs) == 0 && op.Latency == nil {
			pending = append(pending, op.Records...)
			continue
		}
		if err := w.writeRecords(ctx, tx, pending, now); err != nil {
			return err
		}
		pending = pending[:0]
		if p := op.Plan; p != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plans (plan, generation, first_run_at) VALUES (?,?,?)
				ON CONFLICT (plan, generation) DO UPDATE SET first_run_at=min(first_run_at, excluded.first_run_at)`,
				p.Plan, p.Generation, p.FirstRunAt.UTC().Format(stampFormat)); err != nil {
				return fmt.Errorf("write state plan %s: %w", p.Plan, err)
			}
		}
		if err := w.writeRecords(ctx, tx, op.Records, now); err != nil {
			return err
		}
		for _, j := range op.Jobs {
			if jobState == nil {
				if jobState, err = w.stmt(ctx, tx, jobStateSQL); err != nil {
					return fmt.Errorf("write state: %w", err)
				}
			}
			if _, err := jobState.ExecContext(ctx, jobStateWords.encode(j.State), j.Created, encodeTime(j.Created), j.Code, j.Code,
				j.Message, j.Message, now, j.Plan, encodeName(j.Plan, j.Name)); err != nil {
				return fmt.Errorf("write state job %s: %w", j.Name, err)
			}
		}
		if l := op.Latency; l != nil {
			if v := l.encode(); v != latency {
				st, err := w.stmt(ctx, tx, latencySQL)
				if err != nil {
					return fmt.Errorf("write state: %w", err)
				}
				if _, err := st.ExecContext(ctx, latencyKey, v); err != nil {
					return fmt.Errorf("write state create latency: %w", err)
				}
				latency = v
			}
		}
	}
	if err := w.writeRecords(ctx, tx, pending, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit state: %w", err)
	}
	w.latency = latency
	return nil
}
