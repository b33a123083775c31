package emulator

import (
	"log/slog"
	"time"
)

// The documented default key pair, accepted when Options.Credentials is empty. They are
// public on purpose: they only open the local emulator.
const (
	DefaultSecretID  = "AKIDplanrunEmulatorKey000000000000000"
	DefaultSecretKey = "planrun-emulator-secret-key-0000"
)

// Values of Options.ListTypeDefault.
const (
	// ListTypeWorkflow makes a list without a type parameter return Workflow jobs only
	// (the default, and the stricter of the two readings of the documentation).
	ListTypeWorkflow = "Workflow"
	// ListTypeAll makes a list without a type parameter return jobs of every type.
	ListTypeAll = "All"
)

// DefaultMaxSkew is the clock tolerance used when Options.MaxSkew is zero.
const DefaultMaxSkew = 15 * time.Minute

// Options configure a Server. The zero value is a working emulator: default credentials,
// any well-formed workflow, jobs that finish at once, no faults.
type Options struct {
	// Credentials maps SecretID to SecretKey. Empty means {DefaultSecretID: DefaultSecretKey}.
	Credentials map[string]string
	// Tokens maps a SecretID to the session token its temporary credentials require; the
	// token must arrive in x-cos-security-token or x-ci-security-token. Keys absent here
	// need no token (a token sent anyway is accepted).
	Tokens map[string]string
	// Workflows lists the workflow ids that exist; empty means any well-formed id exists.
	Workflows []string
	// DefaultBucket and DefaultRegion serve requests whose Host is not of the form
	// <bucket>.ci.<region>.<domain> (e.g. a client pointed at 127.0.0.1 directly). When
	// unset, such requests get 400 InvalidHost.
	DefaultBucket, DefaultRegion string
	// Clock is the emulator's time: signature windows, creation times and the job
	// lifecycle use it. Nil means time.Now.
	Clock func() time.Time
	// Location is the zone service times are rendered in. Nil means UTC+08:00, as the
	// real service answers.
	Location *time.Location
	// SubmittedFor and RunningFor are how long a job stays Submitted and then Running on
	// Clock before it ends Success (or Failed). Zero means instantly.
	SubmittedFor, RunningFor time.Duration
	// FailRate is the fraction of jobs that end Failed instead of Success; which jobs fail
	// is a deterministic function of Seed and the job id.
	FailRate float64
	// MaxSkew is how far outside its q-sign-time window a signature is still accepted.
	// Zero means DefaultMaxSkew.
	MaxSkew time.Duration
	// ListTypeDefault is the type filter of a list call without a type parameter:
	// ListTypeWorkflow (the default when empty), ListTypeAll, or "Job".
	ListTypeDefault string
	// NamePrefixMatch makes the list name filter a prefix match instead of an exact match.
	NamePrefixMatch bool
	// Objects describe the objects of every bucket and the executions of batch jobs.
	Objects ObjectOptions
	// StateFile, when set, is where the batch jobs are kept: Start reads what it holds
	// (making it when missing), every create and cancel is appended to it before it is
	// answered, and what other processes append is read before each request, so that
	// processes at once or one after another see one service. Only a regular file of at
	// most MaxStateFileSize bytes is read.
	StateFile string
	// QueueLimit, when positive, is how many unfinished batch jobs (Submitted, Running or
	// Pause on Clock) a bucket holds at most: a create beyond it answers 403
	// QueueSaturated, as a full processing queue does.
	QueueLimit int
	// DenyPutObject answers every PUT Object with 403 AccessDenied, as a bucket does to
	// credentials without cos:PutObject.
	DenyPutObject bool
	// Faults are injected into API requests; change them at run time with SetFaults.
	Faults Faults
	// Throttle, when its QPS is positive, limits the request rate as a service does (see
	// Throttle): the shapes --qps auto is measured against.
	Throttle Throttle
	// Seed makes job ids, request ids, fault rolls and job failures reproducible.
	// Zero picks a random seed.
	Seed int64
	// Logger receives one line per API request (never a secret). Nil discards. The path
	// and host logged are as the client sent them: give a handler that makes them safe to
	// print (planrun emulator --verbose uses report/safetext.TextHandler).
	Logger *slog.Logger
}

// Faults describe failures injected into API requests (never into /_emulator/ endpoints).
// Rates are probabilities in [0, 1] rolled per request.
type Faults struct {
	// Latency is slept before a request is handled.
	Latency time.Duration
	// ErrorRate answers 500 InternalError before doing anything.
	ErrorRate float64
	// UncertainRate applies to creates: the job is created, then half of the time the
	// answer is 500 InternalError and half of the time the connection is dropped.
	UncertainRate float64
	// EmptyAnswerRate applies to creates: the job is created, then the answer is a 200
	// with an empty body (no job id).
	EmptyAnswerRate float64
	// CreateDelay makes a create take this long: the job is made CreateDelay after the
	// request arrived, whether or not the client still waits (a client that gave up
	// earlier never sees the answer), like a slow service that finishes what it received.
	CreateDelay time.Duration
	// QueuePaused makes every create answer 403 QueuePaused, as a paused queue does.
	QueuePaused bool
	// ResetRate drops the connection (TCP reset) before doing anything.
	ResetRate float64
	// QPS, when positive, answers 503 SlowDown with a Retry-After header to requests
	// beyond QPS started within the last second (real time, across all operations).
	QPS float64
	// TooManyRate answers 429 TooManyRequests with a Retry-After header.
	TooManyRate float64
	// RetryAfter is the Retry-After value sent with 429 and 503 SlowDown answers.
	// Empty means "1".
	RetryAfter string
}
