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
	// owned marks an op made by SendRecord: its Records belong to the writer, which
	// appends further records to it while it waits and reuses it after the commit.
	owned bool
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

// SendRecord queues one request row, as Send of a Write holding only r does, without
// waiting for its commit. r is copied: the caller may reuse it at once. Rows sent one by
// one this way are gathered in the queue, so that a run's outcomes cost no allocation
// and no wake-up of the writer each.
func (s *Store) SendRecord(r *Record) error {
	if s.w == nil {
		return s.readOnly()
	}
	return s.w.sendRecord(r)
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

// Commit queues w as Sync does, without waiting: the channel receives the result Sync
// would return, once w and every write sent before it are committed. Writes queued after
// it are committed after it, as with Sync.
func (s *Store) Commit(w *Write) <-chan error {
	done := make(chan error, 1)
	if s.w == nil {
		done <- s.readOnly()
		return done
	}
	op := &writeOp{Write: *w, done: done}
	if err := s.w.send(op); err != nil {
		done <- err
	}
	return done
}

// maxQueuedRows bounds the rows queued for the writer: a sender waits while it is
// reached (the writer commits at most maxBatchRows rows at a time).
const maxQueuedRows = 4096

// writer owns all writes: one goroutine, one transaction per batch.
type writer struct {
	db *sql.DB

	// mu guards the queue. Senders append to it and wake the writer (kick) only when it
	// may have to act: on the first op of an empty queue, on an op someone waits for,
	// and when a batch is full. Outcomes sent one by one are thereby gathered without a
	// channel operation or a wake-up each.
	mu         sync.Mutex
	queue      []*writeOp
	queuedRows int
	urgent     bool       // an op of the queue has done: commit without waiting for more
	closed     bool       // no op is taken any more; the writer drains the queue and stops
	drained    *sync.Cond // on mu: the queue went below maxQueuedRows
	free       []*writeOp // owned ops committed, for reuse (guarded by mu)
	kick       chan struct{}
	wg         sync.WaitGroup

	errMu    sync.Mutex
	firstErr error

	// batch is the ops being committed (writer goroutine only, reused).
	batch []*writeOp
	// prepared holds the statements of commit, prepared once and used by the writer
	// goroutine only (re-parsing them for every transaction showed in profiles).
	prepared map[string]*sql.Stmt
	byRows   map[[2]int]*sql.Stmt // the multi-row ones of prepared, see rowsStmt
	// args gathers the values of a statement (writer goroutine only, reused).
	args []any
	// pending gathers the request rows of a batch (writer goroutine only, reused).
	pending []Record
	// ids are the plan and group numbers of the rows written (writer goroutine only).
	ids rowIDs
	// latency is the create latency value last committed (writer goroutine only).
	latency string
}

// startWriter starts the writer goroutine on db.
func startWriter(db *sql.DB) *writer {
	w := &writer{db: db, kick: make(chan struct{}, 1), prepared: map[string]*sql.Stmt{},
		byRows: map[[2]int]*sql.Stmt{}}
	w.drained = sync.NewCond(&w.mu)
	w.ids.reset()
	w.wg.Add(1)
	go w.loop()
	return w
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("state store is closed")

// send queues op without waiting for its commit.
func (w *writer) send(op *writeOp) error { return w.sendWithin(context.Background(), op) }

// sendWithin is send that waits for room in a full queue only until ctx ends.
func (w *writer) sendWithin(ctx context.Context, op *writeOp) error {
	w.mu.Lock()
	if err := w.roomLocked(ctx); err != nil {
		w.mu.Unlock()
		return err
	}
	w.appendLocked(op)
	return nil // appendLocked unlocked mu
}

// ownedBatch is how many rows SendRecord gathers in one op.
const ownedBatch = 64

// sendRecord queues a copy of r, appended to the last op of the queue when that is one
// sendRecord made and it has room.
func (w *writer) sendRecord(r *Record) error {
	w.mu.Lock()
	if err := w.roomLocked(context.Background()); err != nil {
		w.mu.Unlock()
		return err
	}
	if n := len(w.queue); n > 0 {
		if last := w.queue[n-1]; last.owned && len(last.Records) < ownedBatch {
			last.Records = append(last.Records, *r)
			w.queuedRows++
			full := w.queuedRows >= maxBatchRows
			w.mu.Unlock()
			if full {
				w.wake()
			}
			return nil
		}
	}
	var op *writeOp
	if k := len(w.free); k > 0 {
		op, w.free = w.free[k-1], w.free[:k-1]
	} else {
		op = &writeOp{owned: true, Write: Write{Records: make([]Record, 0, ownedBatch)}}
	}
	op.Records = append(op.Records, *r)
	w.appendLocked(op)
	return nil
}

// roomLocked waits (mu held) while the queue is full, and says whether the writer takes
// ops; a wait for room ends with ctx (whose end must broadcast drained, see sync).
func (w *writer) roomLocked(ctx context.Context) error {
	for w.queuedRows >= maxQueuedRows && !w.closed {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.drained.Wait()
	}
	if w.closed {
		return errClosed
	}
	return nil
}

// appendLocked appends op to the queue, unlocks mu, and wakes the writer when it may
// have to act.
func (w *writer) appendLocked(op *writeOp) {
	wake := len(w.queue) == 0 || op.done != nil
	w.queue = append(w.queue, op)
	w.queuedRows += op.rows()
	w.urgent = w.urgent || op.done != nil
	wake = wake || w.queuedRows >= maxBatchRows
	w.mu.Unlock()
	if wake {
		w.wake()
	}
}

// wake makes the writer look at the queue (at most one wake-up is pending).
func (w *writer) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// sync queues op (nil: nothing but a flush) and waits until it and everything queued before
// it are committed. The commit happens immediately, without waiting for the batch delay.
func (w *writer) sync(ctx context.Context, op *writeOp) error {
	if op == nil {
		op = &writeOp{}
	}
	op.done = make(chan error, 1)
	if ctx.Done() != nil {
		// A wait for room in a full queue ends with ctx: wake it (roomLocked).
		stop := context.AfterFunc(ctx, func() {
			w.mu.Lock()
			w.drained.Broadcast()
			w.mu.Unlock()
		})
		defer stop()
	}
	if err := w.sendWithin(ctx, op); err != nil {
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
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.err()
	}
	w.closed = true
	w.drained.Broadcast()
	w.mu.Unlock()
	w.wake()
	w.wg.Wait()
	return w.err()
}

// ready reports (mu held) whether the queue is to be committed now: someone waits, a
// batch is full, or the store is closing.
func (w *writer) readyLocked() bool {
	return w.urgent || w.queuedRows >= maxBatchRows || w.closed
}

// take waits for ops and returns the next batch: at most maxBatchRows rows (at least one
// op), taken once someone waits for a commit, once that many rows are queued, or
// maxBatchDelay after the first op; nil once the store is closed and the queue drained.
func (w *writer) take(timer *time.Timer) []*writeOp {
	w.mu.Lock()
	for len(w.queue) == 0 {
		if w.closed {
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		<-w.kick
		w.mu.Lock()
	}
	if !w.readyLocked() {
		w.mu.Unlock()
		timer.Reset(maxBatchDelay)
	wait:
		for {
			select {
			case <-w.kick:
				w.mu.Lock()
				ready := w.readyLocked()
				w.mu.Unlock()
				if ready {
					break wait
				}
			case <-timer.C:
				break wait
			}
		}
		timer.Stop()
		w.mu.Lock()
	}
	n, k := 0, 0
	for k < len(w.queue) && (k == 0 || n < maxBatchRows) {
		n += w.queue[k].rows()
		k++
	}
	batch := append(w.batch[:0], w.queue[:k]...)
	rest := copy(w.queue, w.queue[k:])
	clear(w.queue[rest:])
	w.queue = w.queue[:rest]
	w.queuedRows -= n
	w.urgent = slices.ContainsFunc(w.queue, func(op *writeOp) bool { return op.done != nil })
	w.drained.Broadcast()
	w.mu.Unlock()
	return batch
}

// loop commits the batches of the queue, each in one transaction.
func (w *writer) loop() {
	defer w.wg.Done()
	defer func() {
		for _, st := range w.prepared {
			st.Close()
		}
	}()
	timer := time.NewTimer(maxBatchDelay)
	timer.Stop()
	for {
		batch := w.take(timer)
		if batch == nil {
			return
		}
		err := w.commit(batch)
		if err != nil {
			err = classify(err)
			w.errMu.Lock()
			if w.firstErr == nil {
				w.firstErr = err
			}
			w.errMu.Unlock()
		}
		if err == nil {
			err = w.err() // an earlier commit failed: what was sent before this one is lost
		}
		var owned []*writeOp
		for _, op := range batch {
			if op.done != nil {
				op.done <- err
			}
			if op.owned {
				clear(op.Records)
				op.Records = op.Records[:0]
				owned = append(owned, op)
			}
		}
		if len(owned) > 0 {
			w.mu.Lock()
			if len(w.free) < maxQueuedRows/ownedBatch {
				w.free = append(w.free, owned...)
			}
			w.mu.Unlock()
		}
		clear(batch)
		w.batch = batch[:0]
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
		args := append(w.args[:0], now)
		defer func() { clear(args); w.args = args[:0] }()
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
	args := slices.Grow(w.args[:0], perRow*len(recs))
	defer func() { clear(args); w.args = args[:0] }()
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
