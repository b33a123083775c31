// Package emulator is a local, in-memory emulation of the Tencent Cloud Cloud Infinite
// batch data processing API (/inventorytriggerjob), faithful to what docs/service-api.md
// says about the service. Users try plans against it without an account (`planrun
// emulator`, `planrun run --emulator`) and every test of the project runs against it.
//
// # Routing and authentication
//
// Requests are routed by Host like the real service: <bucket>.ci.<region>.myqcloud.com, or
// any <bucket>.ci.<region>.<domain>, port ignored. Other hosts use Options.DefaultBucket and
// Options.DefaultRegion, else get 400 InvalidHost. Jobs are held per bucket and region; a
// job id of another bucket is not found.
//
// Every API request must carry a COS q-sign-algorithm=sha1 Authorization header. It is
// verified over exactly the headers and parameters it lists (a listed one that is absent
// counts as empty; host is taken from the Host header, port included, and must be listed):
//
//	401 MissingAuthorization / InvalidAuthorization  header absent or malformed
//	403 InvalidAccessKeyId     unknown q-ak, or a temporary key without its token
//	403 RequestTimeTooSkewed   q-sign-time starts after now + MaxSkew
//	403 AccessDenied           "Request has expired" (window ended before now - MaxSkew), host not signed
//	403 SignatureDoesNotMatch  with <StringToSign> and <FormatString> (session tokens redacted)
//
// Session tokens are accepted in x-cos-security-token and x-ci-security-token.
//
// # Operations
//
//	POST /inventorytriggerjob          create; 400 InvalidArgument names the field
//	GET  /inventorytriggerjob/<id>     describe; unknown id: 200 with <NonExistJobIds>
//	GET  /inventorytriggerjob          list; filters, orders and pagination as documented
//	PUT  /inventorytriggerjob/<id>     cancel, with or without ?cancel
//
// Choices where the service's behaviour is unconfirmed: Type omitted on create means Workflow; an
// empty <TimeInterval></TimeInterval> means no filter, and TimeInterval is accepted with any
// input (it only matters for Prefix); exactly one input is required; WorkflowIds holds one
// id; names are not deduplicated (two creates with one Name make two jobs); a list without
// type returns Workflow jobs only (Options.ListTypeDefault switches to ListTypeAll); the
// name filter is exact (Options.NamePrefixMatch switches to prefix); size above 100 is
// clamped to 100; startCreationTime and endCreationTime also take RFC 3339 (the official
// SDK's example sends "2022-02-25T12:00:00z"); NextToken is a decimal position, absent on
// the last page, and pages are stable in both orders while jobs are created; an unknown
// cancel is 404 NoSuchJob and a cancel of a finished job (Success, Failed or Cancel) is 400
// InvalidArgument "job already finished". Jobs move Submitted -> Running -> Success or
// Failed on Options.Clock; the answer to a create always shows Submitted.
//
// Every answer carries x-ci-request-id, Server: tencent-ci and Date; errors also carry
// x-ci-trace-id and an <Error><Code/><Message/><RequestId/><TraceId/></Error> body.
//
// # Objects and executions
//
// PUT /<key> and GET /<key> on a COS host (signed like every call; a client with a base-URL
// endpoint sends Host: <bucket>.cos.<region>.myqcloud.com) store and return object bodies:
// at most MaxObjectSize bytes each (400 EntityTooLarge) and MaxStoredBytes in all (507
// InsufficientStorage), held in memory and, with a StateFile, in the folder
// <StateFile>.objects beside it (one file each, written when PUT, read when a later
// process needs it). An unknown key is 404 NoSuchKey; Options.DenyPutObject refuses every
// PUT with 403 AccessDenied. A batch job whose Input.UrlFile is the URL of a stored object
// runs the objects it lists, one https://<bucket>.cos.<region>.myqcloud.com/<escaped key> a
// line, keys unescaped exactly (empty lines skipped), as read when the job was created; a
// line that is not such a URL of the batch job's own bucket gives one execution, named by
// the line, that fails with InvalidUrl. Listed objects fail and succeed by FailRate and
// PermanentShare like any other.
//
// Every bucket holds objects (Options.Objects): under each prefix a deterministic set of
// keys with upload times spread evenly over a range, so a TimeInterval selects those
// uploaded in it; a Manifest input, or a UrlFile one that names no stored object, yields a
// deterministic set per URL; an Object input yields that object, its key exactly as sent
// (an object URL of the bucket itself names its key). A workflow batch job fans out into
// one execution per object and workflow, a node batch job into one node job per object;
// they run one after the other while the batch job is Running. A share of (object, workflow or tag) pairs
// fails (ObjectOptions.FailRate), chosen by hash of the key; of those a share fails on
// every attempt (PermanentShare), the others only on their first. Attempts count per
// object and workflow or tag in the bucket, across batch jobs.
//
//	GET /workflowexecution             executions of a workflow (workflowId optional),
//	                                   of one batch job with jobId; states, name, sizes
//	GET /workflowexecution/<RunId>     one execution with a Start task and a node task
//	                                   carrying Code and Message; unknown: 400 ResourceNotFound
//	GET /jobs, GET /pic_jobs           node jobs of a tag (required), of one batch job with
//	                                   inventoryTriggerJobId; PicProcess at /pic_jobs (or
//	                                   /jobs with queueType=PicProcess)
//	GET /jobs/<id>[,<id>...]           node jobs by id, the unknown ones in NonExistJobIds
//
// Pages can be capped (PageSize), every n-th page can name objects by full URL
// (FullURLEvery), a token can be answered again (LoopToken), and detail calls can fail
// (DetailFailRate). Options.StateFile keeps the batch jobs in a file shared by every
// process that uses it: each change is appended before it is answered, and what the others
// appended is read before each request (see persist.go; Save and Load copy it elsewhere).
//
// # Faults
//
// Options.Faults (or Server.SetFaults) injects latency, 500 InternalError, dropped
// connections, uncertain creates (created, then 500 or dropped), 429 TooManyRequests and
// 503 SlowDown above a QPS, the last two with Retry-After.
//
// # Inspection
//
// Two endpoints need no signature and answer on any host, with JSON:
//
//	GET /_emulator/jobs    every job held (see Job): bucket, region, id, name, type, state,
//	                       code, message, creationTime, startTime, endTime, input,
//	                       workflowId, tag, timeInterval
//	GET /_emulator/executions  every execution (see Execution); ?jobId= keeps one batch job's
//	GET /_emulator/objects     every object PUT by this process (see StoredObject)
//	GET /_emulator/stats   the counters (see Stats): calls and 2xx answers per operation,
//	                       injected faults, auth failures, in-flight maximum, create arrival times
package emulator
