package executor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Group-commit limits: a transaction holds at most maxBatchRows rows and waits at most
// maxBatchDelay for more work, unless a caller waits for durability (then it commits at once).
const (
	maxBatchRows  = 256
	maxBatchDelay = 50 * time.Millisecond
)

// jobSeen is a job state observed on the service for a request row.
type jobSeen struct {
	plan, name                    string
	state, created, code, message string
}

// planRow is a row of the plans table.
type planRow struct {
	plan       string
	generation int
	firstRunAt time.Time
}

// writeOp is one unit of work for the writer; done (if set) receives the commit result.
type writeOp struct {
	records []Record
	jobs    []jobSeen
	plan    *planRow
	done    chan error
}

// rows counts the rows an op writes, for batching.
func (o *writeOp) rows() int { return len(o.records) + len(o.jobs) + 1 }

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
}

// startWriter starts the writer goroutine on db.
func startWriter(db *sql.DB) *writer {
	w := &writer{db: db, ops: make(chan *writeOp, 1024), quit: make(chan struct{})}
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

// commit writes a batch in one transaction.
func (w *writer) commit(batch []*writeOp) (err error) {
	ctx := context.Background()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var upsert, jobState *sql.Stmt
	now := time.Now().UTC().Format(stampFormat)
	for _, op := range batch {
		if p := op.plan; p != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plans (plan, generation, first_run_at) VALUES (?,?,?)
				ON CONFLICT (plan, generation) DO UPDATE SET first_run_at=min(first_run_at, excluded.first_run_at)`,
				p.plan, p.generation, p.firstRunAt.UTC().Format(stampFormat)); err != nil {
				return fmt.Errorf("write state plan %s: %w", p.plan, err)
			}
		}
		for i := range op.records {
			if upsert == nil {
				if upsert, err = tx.PrepareContext(ctx, upsertSQL); err != nil {
					return fmt.Errorf("write state: %w", err)
				}
			}
			r := &op.records[i]
			if _, err := upsert.ExecContext(ctx, r.Plan, r.Name, r.Bucket, r.Region, r.Job, r.Seq, r.Digest,
				r.Type, r.InputKind, r.Input, r.Workflow, r.WindowStart, r.WindowEnd, r.Status, r.JobID,
				r.JobState, r.JobCreated, r.Attempts, r.ErrorCode, r.ErrorMessage, r.RequestID, now, now); err != nil {
				return fmt.Errorf("write state request %s: %w", r.Name, err)
			}
		}
		for _, j := range op.jobs {
			if jobState == nil {
				if jobState, err = tx.PrepareContext(ctx, jobStateSQL); err != nil {
					return fmt.Errorf("write state: %w", err)
				}
			}
			if _, err := jobState.ExecContext(ctx, j.state, j.created, j.created, j.code, j.code,
				j.message, j.message, now, j.plan, j.name); err != nil {
				return fmt.Errorf("write state job %s: %w", j.name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit state: %w", err)
	}
	return nil
}
