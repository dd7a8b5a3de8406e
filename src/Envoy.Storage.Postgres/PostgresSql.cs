namespace Envoy.Storage.Postgres;

/// <summary>Every SQL statement of the PostgreSQL store, parameterised. Statuses: 0 pending, 1 running, 2 blocking, 3 done, 4 failed, 5 cancelled.</summary>
internal static class PostgresSql
{
    public const string NotifyChannel = "envoy_signals";

    public const long MigrationLockKey = 0x656E766F79L; // "envoy"

    public const string Migration1 = """
        CREATE SCHEMA IF NOT EXISTS envoy;
        CREATE TABLE envoy.jobs (
          seq bigint GENERATED ALWAYS AS IDENTITY,
          id text PRIMARY KEY,
          flow text NOT NULL,
          status smallint NOT NULL,
          context jsonb NOT NULL,
          priority integer NOT NULL DEFAULT 0,
          run_at bigint NOT NULL,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL,
          started_at bigint,
          finished_at bigint,
          error text,
          parent_id text,
          parent_wait_id text,
          retries integer NOT NULL DEFAULT 0,
          attempts integer NOT NULL DEFAULT 0,
          idempotency_key text UNIQUE,
          lease_owner text,
          lease_until bigint,
          version bigint NOT NULL DEFAULT 0);
        CREATE INDEX jobs_ready ON envoy.jobs (priority DESC, run_at, seq) WHERE status = 0;
        CREATE INDEX jobs_due ON envoy.jobs (run_at) WHERE status = 0;
        CREATE INDEX jobs_leases ON envoy.jobs (lease_until) WHERE status = 1;
        CREATE INDEX jobs_parent ON envoy.jobs (parent_id) WHERE parent_id IS NOT NULL;
        CREATE INDEX jobs_created ON envoy.jobs (created_at DESC, seq DESC);
        CREATE INDEX jobs_status_created ON envoy.jobs (status, created_at DESC);
        CREATE TABLE envoy.waits (
          job_id text NOT NULL,
          wait_id text NOT NULL,
          type text NOT NULL,
          status smallint NOT NULL DEFAULT 0,
          output jsonb,
          error text,
          consumed boolean NOT NULL DEFAULT false,
          resolved_at bigint,
          PRIMARY KEY (job_id, wait_id));
        CREATE TABLE envoy.escalations (
          id text PRIMARY KEY,
          job_id text NOT NULL,
          wait_id text NOT NULL,
          user_name text NOT NULL,
          message text NOT NULL,
          inputs jsonb NOT NULL,
          status smallint NOT NULL DEFAULT 0,
          response jsonb,
          replied_by text,
          created_at bigint NOT NULL,
          answered_at bigint,
          seq bigint GENERATED ALWAYS AS IDENTITY);
        CREATE INDEX escalations_status ON envoy.escalations (status, user_name);
        CREATE TABLE envoy.job_events (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          job_id text NOT NULL,
          at bigint NOT NULL,
          kind smallint NOT NULL,
          state text,
          step integer,
          from_status smallint,
          to_status smallint,
          duration_ms double precision,
          error text);
        CREATE INDEX job_events_job ON envoy.job_events (job_id, seq);
        """;

    /// <summary>
    /// Room on each page of <c>envoy.jobs</c> for a job's next versions: a step that keeps the job running changes no indexed
    /// column (see <see cref="CommitJob"/>), so its new row version can stay on the page as a heap-only tuple, and none of
    /// the table's indexes gets a new entry. Applies to pages written from then on.
    /// </summary>
    public const string Migration2 = "ALTER TABLE envoy.jobs SET (fillfactor = 70)";

    /// <summary>
    /// Fewer index entries per job (each one a btree insert and a WAL record, on every insert and on every update that is not
    /// heap-only): the idempotency key's unique index holds only the jobs that have a key (it held a NULL entry for every job),
    /// and the history's identity column loses its primary key index, which no query used (history is read by job through
    /// <c>job_events_job</c>; <c>seq</c> stays unique by its identity).
    /// </summary>
    public const string Migration3 = """
        CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON envoy.jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
        ALTER TABLE envoy.jobs DROP CONSTRAINT jobs_idempotency_key_key;
        ALTER TABLE envoy.job_events DROP CONSTRAINT job_events_pkey
        """;

    /// <summary>
    /// The store's identity: a random id made once per database, the same for every process that uses it however it connects
    /// (host names, poolers), and different for every other database: it names the store's keys and channels in a Redis shared
    /// by many apps.
    /// </summary>
    public const string Migration4 = """
        CREATE TABLE IF NOT EXISTS envoy.store_identity (id text NOT NULL);
        INSERT INTO envoy.store_identity (id) SELECT replace(gen_random_uuid()::text, '-', '') WHERE NOT EXISTS (SELECT FROM envoy.store_identity)
        """;

    /// <summary>
    /// Takeovers since the job's last commit (lease expiries while it ran), so that a step that kills its worker every time
    /// fails its job after <c>MaxAttempts</c> instead of looping. A column with a constant default: no table rewrite.
    /// </summary>
    public const string Migration5 = "ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS takeovers integer NOT NULL DEFAULT 0";

    /// <summary>
    /// The job list's queries. <c>input</c>: the input a job was scheduled with, written once by its insert and never by a commit
    /// (jobs created before this migration have none); it is not indexed, so a commit that leaves it alone stays heap-only.
    /// <c>jobs_flow_status_created</c>: the newest jobs of a flow in a status, also when that pair is rare (10 running jobs of
    /// a flow among 1,000,000 read 10 entries), and of a flow in any status (one walk per status, merged). One index, not one
    /// per filter: each full index costs an entry on every insert and on every update that is not heap-only. A flow never
    /// changes, and the status changes only in updates that are not heap-only anyway. Adding a column without a default does
    /// not rewrite the table. On a large table, build the index beforehand with <c>CREATE INDEX CONCURRENTLY</c>, this name
    /// and these columns (the migration keeps it), so that the migration does not hold the table's lock while it builds.
    /// </summary>
    public const string Migration6 = """
        ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS input jsonb;
        CREATE INDEX IF NOT EXISTS jobs_flow_status_created ON envoy.jobs (flow, status, created_at DESC, seq DESC)
        """;

    /// <summary>
    /// The processes listening to the store-wide event feed, each until its announcement expires (renewed every 10 s for 30 s):
    /// a process sends its events (<c>NOTIFY</c> on <see cref="EventsChannel"/>) only while a row here is current.
    /// </summary>
    public const string Migration7 = "CREATE TABLE IF NOT EXISTS envoy.event_listeners (id text PRIMARY KEY, until_ms bigint NOT NULL)";

    /// <summary>
    /// <c>total_retries</c>: every retry a job had, automatic and by hand, never reset (<c>Job.TotalRetries</c>; <c>retries</c>
    /// is the automatic-retry budget, which a retry by hand resets). A column with a constant default (no table rewrite), not
    /// indexed (commits stay heap-only). Existing jobs are counted from their history: each <c>Retried</c> entry (kind 8) and
    /// each failed step that went back to pending (kind 3 to status 0), at least the stored <c>retries</c>; only jobs that had a
    /// retry are updated (the history is read once, whole).
    /// </summary>
    public const string Migration8 = """
        ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS total_retries integer NOT NULL DEFAULT 0;
        UPDATE envoy.jobs j SET total_retries = greatest(j.retries, h.n)
        FROM (SELECT job_id, count(*)::integer AS n FROM envoy.job_events WHERE kind = 8 OR (kind = 3 AND to_status = 0) GROUP BY job_id) h
        WHERE j.id = h.job_id;
        UPDATE envoy.jobs SET total_retries = retries WHERE retries > total_retries
        """;

    /// <summary>
    /// Recurring jobs (cron, issue 17): one row per schedule; <c>next_run_at</c> is the next occurrence to fire (Unix ms, UTC),
    /// moved on by a compare-and-set when it fires.
    /// </summary>
    public const string Migration9 = """
        CREATE TABLE IF NOT EXISTS envoy.recurring (
            id text PRIMARY KEY,
            flow text NOT NULL,
            cron text NOT NULL,
            time_zone text NOT NULL,
            input text,
            priority integer NOT NULL DEFAULT 0,
            enabled boolean NOT NULL DEFAULT true,
            next_run_at bigint,
            last_run_at bigint,
            last_job_id text,
            updated_at bigint NOT NULL
        )
        """;

    /// <summary>
    /// Issue 17, flow versions: <c>flow_version</c>, the version of its flow a job started with (<c>Job.FlowVersion</c>); claims
    /// take a job only for a worker that has its (flow, version) pair. Existing jobs get <c>''</c> (none recorded), which any
    /// worker that has the flow runs on its newest version. A column with a constant default (no table rewrite), not indexed:
    /// claims filter on it row by row while walking the ready and lease indexes, as they do on the flow, and commits never
    /// write it (they stay heap-only).
    /// </summary>
    public const string MigrationFlowVersions = "ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS flow_version text NOT NULL DEFAULT ''";

    /// <summary>
    /// Telemetry (issue 18): <c>trace_parent</c>, the W3C trace context of the span that scheduled the job (or of its parent's
    /// step), written once by its insert; null when nobody traced. Not indexed (commits stay heap-only); a column without a
    /// default: no table rewrite.
    /// </summary>
    public const string MigrationTraceParent = "ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS trace_parent text";

    /// <summary>
    /// Durable timers (issue 17, timers): <c>waits.due_at</c>, when a wait with a timer (a sleep, a wait or escalation timeout)
    /// fires, and <c>waits_timers</c>, the pending ones by due time (the next due timer, the due ones in order). A column without
    /// a default: no table rewrite.
    /// </summary>
    public const string MigrationTimers = """
        ALTER TABLE envoy.waits ADD COLUMN IF NOT EXISTS due_at bigint;
        CREATE INDEX IF NOT EXISTS waits_timers ON envoy.waits (due_at) WHERE status = 0 AND due_at IS NOT NULL
        """;

    /// <summary>
    /// Retention (issue 17): <c>jobs_finished</c>, the finished jobs by finish time, so that a purge batch reads the oldest
    /// finished jobs at once, never the table (partial: no entry for unfinished jobs, and a commit that keeps a job running
    /// leaves <c>finished_at</c> null, so it stays heap-only); <c>escalations_job</c>, a deleted job's escalations. On a large
    /// table, build both beforehand with <c>CREATE INDEX CONCURRENTLY</c>, these names and columns (the migration keeps them).
    /// </summary>
    public const string MigrationRetention = """
        CREATE INDEX IF NOT EXISTS jobs_finished ON envoy.jobs (finished_at) WHERE status >= 3;
        CREATE INDEX IF NOT EXISTS escalations_job ON envoy.escalations (job_id)
        """;

    /// <summary>
    /// Issue 17, live workers (helper "workers"): the store's registry of live workers, one row per started scheduler, renewed
    /// by its heartbeat until <c>until_ms</c>; <c>flows</c> is the JSON array of the (flow, version) pairs it serves
    /// (<c>WorkerFlowsJson</c>). A few rows: no index but the key.
    /// </summary>
    public const string MigrationWorkers = """
        CREATE TABLE IF NOT EXISTS envoy.workers (
            id text PRIMARY KEY,
            host text NOT NULL,
            process_id integer NOT NULL,
            started_at bigint NOT NULL,
            last_seen_at bigint NOT NULL,
            until_ms bigint NOT NULL,
            flows text NOT NULL
        )
        """;

    /// <summary>
    /// Concurrency limits (issue 18, <c>FlowOptions.ConcurrencyLimit</c>): <c>concurrency_key</c>, the job's key (<c>''</c>: none;
    /// the flow's key-less slot set), and <c>concurrency_limit</c>, its flow version's limit when scheduled (null: unlimited),
    /// both written once by the insert. Limited pending jobs leave the common ready index (<c>jobs_ready</c>, rebuilt with
    /// <c>concurrency_limit IS NULL</c>) for <c>jobs_limited_ready</c>, walked per (flow, key), so that a key flooding the
    /// queue at its limit is one probe per claim, not a scan of its blocked rows; <c>jobs_limited_running</c> counts a key's
    /// running jobs. Columns with constant defaults (no table rewrite); commits never change them (they stay heap-only).
    /// </summary>
    public const string MigrationConcurrency = """
        ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS concurrency_key text NOT NULL DEFAULT '';
        ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS concurrency_limit integer;
        DROP INDEX IF EXISTS envoy.jobs_ready;
        CREATE INDEX jobs_ready ON envoy.jobs (priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NULL;
        CREATE INDEX IF NOT EXISTS jobs_limited_ready ON envoy.jobs (flow, concurrency_key, priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NOT NULL;
        CREATE INDEX IF NOT EXISTS jobs_limited_running ON envoy.jobs (flow, concurrency_key) WHERE status = 1 AND concurrency_limit IS NOT NULL
        """;

    /// <summary>
    /// Rate limits (issue 18, ratelimit): <c>rate_limit_scopes</c>, one row per scope (locked <c>FOR UPDATE</c> by every
    /// acquisition, which serializes a scope's callers, and its pause), and <c>rate_limit_usage</c>, the sliding-window log (each
    /// grant or recorded usage: when, its weight, and when it leaves its window); and <c>jobs.waiting_reason</c>, why a pending
    /// job waits (a rate limit), written by the commit that released it. New tables and a column without a default: no rewrite.
    /// </summary>
    public const string MigrationRateLimits = """
        CREATE TABLE IF NOT EXISTS envoy.rate_limit_scopes (scope text PRIMARY KEY, paused_until bigint);
        CREATE TABLE IF NOT EXISTS envoy.rate_limit_usage (scope text NOT NULL, at_ms bigint NOT NULL, until_ms bigint NOT NULL, weight integer NOT NULL);
        CREATE INDEX IF NOT EXISTS rate_limit_usage_scope ON envoy.rate_limit_usage (scope, at_ms);
        CREATE INDEX IF NOT EXISTS rate_limit_usage_until ON envoy.rate_limit_usage (until_ms);
        ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS waiting_reason text
        """;

    /// <summary>Every migration in order: the one at index <c>i</c> brings the schema to version <c>i + 1</c>.</summary>
    /// <summary>
    /// Limited jobs in claim order (issue 18, limits that do not bind cost little): limited pending jobs are kept in
    /// <c>jobs_limited_ready</c>, rebuilt in plain claim order (priority, run-at, age), so that a claim reads the jobs it takes
    /// rather than visiting every key; a job met with its key full is <em>parked</em> (<c>parked</c>) into
    /// <c>jobs_limited_parked</c>, per (flow, key), where claims serve it as its key's slots free. A column with a constant
    /// default (no table rewrite).
    /// </summary>
    public const string MigrationLimitedOrder = """
        ALTER TABLE envoy.jobs ADD COLUMN IF NOT EXISTS parked boolean NOT NULL DEFAULT false;
        DROP INDEX IF EXISTS envoy.jobs_limited_ready;
        CREATE INDEX jobs_limited_ready ON envoy.jobs (priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NOT NULL AND NOT parked;
        CREATE INDEX IF NOT EXISTS jobs_limited_parked ON envoy.jobs (flow, concurrency_key, priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked
        """;

    public static readonly string[] Migrations = [Migration1, Migration2, Migration3, Migration4, Migration5, Migration6, Migration7, Migration8, Migration9, MigrationFlowVersions, MigrationTraceParent, MigrationTimers, MigrationRetention, MigrationWorkers, MigrationConcurrency, MigrationRateLimits, MigrationLimitedOrder];

    /// <summary>The channel of the store-wide event feed (apart from the wake-ups on <see cref="NotifyChannel"/>).</summary>
    public const string EventsChannel = "envoy_events";

    public const string NotifyEvents = "SELECT pg_notify('" + EventsChannel + "', $1)";

    public const string HasEventListeners = "SELECT EXISTS (SELECT FROM envoy.event_listeners WHERE until_ms > $1)";

    public const string AnnounceEventListener =
        "INSERT INTO envoy.event_listeners (id, until_ms) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET until_ms = EXCLUDED.until_ms";

    public const string ForgetExpiredEventListeners = "DELETE FROM envoy.event_listeners WHERE until_ms <= $1";

    public const string WithdrawEventListener = "DELETE FROM envoy.event_listeners WHERE id = $1";

    public const string StoreIdentity = "SELECT id FROM envoy.store_identity LIMIT 1";

    public const string JobColumns =
        "id, flow, status, context::text, priority, run_at, created_at, updated_at, started_at, finished_at, error, parent_id, retries, attempts, idempotency_key, version, takeovers, input::text AS input, total_retries, flow_version, trace_parent, concurrency_key, concurrency_limit, waiting_reason";

    /// <summary>
    /// The text <see cref="JobQuery.Search"/> matches in a job: its id, flow, error, scheduled input and current output
    /// (the context's <c>output</c>), each on its own so that a match never spans two of them. <c>ILIKE</c> with the pattern
    /// parameter <c>$?</c> (<c>StoreRows.ContainsPattern</c>).
    /// </summary>
    public const string SearchCondition = """
        (id ILIKE $? ESCAPE '\' OR flow ILIKE $? ESCAPE '\' OR error ILIKE $? ESCAPE '\' OR input::text ILIKE $? ESCAPE '\'
          OR (context -> 'output')::text ILIKE $? ESCAPE '\')
        """;

    /// <summary>
    /// Set in a searching list's batch (its implicit transaction) before the query: the server stops the query after $1
    /// milliseconds (<c>PostgresConfig.SearchTimeout</c>). Through <c>set_config</c>, local to the transaction, like
    /// <see cref="ClaimSettings"/>. Returns one row, which the list skips.
    /// </summary>
    public const string SearchSettings = "SELECT set_config('statement_timeout', $1, true)";

    public const string InsertJob = """
        INSERT INTO envoy.jobs (id, flow, status, context, priority, run_at, created_at, updated_at, parent_id, parent_wait_id, idempotency_key,
          lease_owner, lease_until, version, attempts, started_at, input, flow_version, trace_parent, concurrency_key, concurrency_limit)
        VALUES ($1, $2, $10, $3::jsonb, $4, $5, $6, $6, $7, $8, $9, $11, $12, $13, $13, CASE WHEN $13 = 1 THEN $6 END, $14::jsonb, $15, $16, $17, $18)
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        """;

    /// <summary>
    /// <see cref="InsertJob"/> ($1–$16) and the job's one history entry ($17–$24: at, kind, state, step, from, to, duration, error) in one
    /// statement: the entry is written only if the job row was (not on a used idempotency key), so the statement's row count
    /// (the history insert's) says whether the job was inserted.
    /// </summary>
    public const string InsertJobWithEvent = """
        WITH inserted AS (
          INSERT INTO envoy.jobs (id, flow, status, context, priority, run_at, created_at, updated_at, parent_id, parent_wait_id, idempotency_key,
            lease_owner, lease_until, version, attempts, started_at, input, flow_version, trace_parent, concurrency_key, concurrency_limit)
          VALUES ($1, $2, $10, $3::jsonb, $4, $5, $6, $6, $7, $8, $9, $11, $12, $13, $13, CASE WHEN $13 = 1 THEN $6 END, $14::jsonb, $15, $16, $25, $26)
          ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
          RETURNING id)
        INSERT INTO envoy.job_events (job_id, at, kind, state, step, from_status, to_status, duration_ms, error)
        SELECT id, $17, $18, $19, $20, $21, $22, $23, $24 FROM inserted
        """;

    /// <summary>
    /// First in a create batch holding eager starts of limited jobs: locks each of their (flow, key) scopes ($1 flows, $2
    /// keys, pairwise) for the transaction with the advisory lock a claim of the scope takes (<see cref="LockLimitedKeys"/>),
    /// waiting for it, in the order of the lock keys (so two creates never wait for each other). The counts of
    /// <see cref="InsertLimitedJobStarting"/> come in later statements, whose snapshots are taken with the locks held. Returns
    /// one row, which the create skips.
    /// </summary>
    public const string LockLimitedScopes = $"""
        SELECT count(pg_advisory_xact_lock({ConcurrencyLockClass}, l.h))
        FROM (SELECT DISTINCT hashtext(s.f || chr(31) || s.k) AS h FROM unnest($1::text[], $2::text[]) AS s(f, k) ORDER BY h) l
        """;

    /// <summary>
    /// The eager start of a limited job, after <see cref="LockLimitedScopes"/> in the same transaction: the job ($1–$16 as in
    /// <see cref="InsertJob"/>, with its lease; $17 key, $18 limit) is inserted running and leased when its scope runs fewer
    /// jobs than its limit (counted now, with the scope locked: every claim or start of the scope committed before is seen,
    /// and so are this transaction's own inserts), else pending and parked without the lease; then its history ($19 <c>Scheduled</c>,
    /// and when started $20 <c>Claimed</c>; $21 pending, $22 running). The row count (the history's) says what happened: 0
    /// nothing (idempotency key used), 1 inserted pending, 2 inserted running.
    /// </summary>
    public const string InsertLimitedJobStarting = """
        WITH slot AS (
          SELECT count(*) < $18 AS free FROM envoy.jobs WHERE status = 1 AND concurrency_limit IS NOT NULL AND flow = $2 AND concurrency_key = $17),
        inserted AS (
          INSERT INTO envoy.jobs (id, flow, status, context, priority, run_at, created_at, updated_at, parent_id, parent_wait_id, idempotency_key,
            lease_owner, lease_until, version, attempts, started_at, input, flow_version, trace_parent, concurrency_key, concurrency_limit, parked)
          SELECT $1, $2, CASE WHEN slot.free THEN $10 ELSE $21 END, $3::jsonb, $4, $5, $6, $6, $7, $8, $9,
            CASE WHEN slot.free THEN $11 END, CASE WHEN slot.free THEN $12 END, CASE WHEN slot.free THEN $13 ELSE 0 END,
            CASE WHEN slot.free THEN $13 ELSE 0 END, CASE WHEN slot.free THEN $6 END, $14::jsonb, $15, $16, $17, $18, NOT slot.free
          FROM slot
          ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
          RETURNING id, status)
        INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status)
        SELECT id, $6, $19, NULL::smallint, $21 FROM inserted
        UNION ALL
        SELECT id, $6, $20, $21, $22 FROM inserted WHERE status = $22
        """;

    public const string JobIdsByKeys = "SELECT idempotency_key, id FROM envoy.jobs WHERE idempotency_key = ANY($1) AND idempotency_key IS NOT NULL";

    /// <summary>
    /// One claim in one statement: running jobs whose lease expired first (oldest expiry first), then due pending jobs (by
    /// priority, run-at, age), at most $5 in all. Pending jobs are read one priority level at a time, highest first (the levels
    /// come from a loose index scan of the ready index): within a level the ready index is in run-at order, so the scan stops
    /// at the first job not yet due. One scan ordered by (priority, run-at) would instead read past every job scheduled for
    /// later whenever fewer jobs are due than asked for (measured: 9 ms with 300,000 delayed jobs, against 0.2 ms).
    /// Jobs are locked with SKIP LOCKED so concurrent claimers never take the same job; each gets its lease, a new version and
    /// its <c>Claimed</c> history entry ($6 = that kind, $7/$8 = the running/pending status codes). The update matches the
    /// picked ids with <c>= ANY (ARRAY (...))</c> on the primary key, so that it is an index lookup whatever the planner
    /// guesses of the CTEs' sizes (a join on <c>seq</c>, which has no index, or a hash join on <c>id</c> planned from a wrong
    /// size guess, scanned the whole table on every claim). Besides the job's columns it returns whether the job was taken
    /// over (<c>was_running</c>); <see cref="ResolutionsOfClaim"/> follows it in the same batch. Flow versions: a job with a
    /// recorded version is taken only when its (flow, version) key (<c>FlowVersionKey</c>: the flow, U+001F, the version) is
    /// in $9; $9 null takes every version; a job with none recorded (<c>''</c>) only needs its flow in $4. The test is on the
    /// few rows the index walks reach, like the flow's: the claim reads no more rows than before. Concurrency limits: pending
    /// jobs with a limit are not in the ready index (<c>concurrency_limit IS NULL</c>); <see cref="LockLimitedKeys"/> and
    /// <see cref="ClaimLimited"/> take them earlier in the same batch, and <c>taken</c> counts them against $5: the rows of
    /// this lease (one probe of the lease index) written by this very transaction (<c>xmin</c> is its id; when the limited
    /// claim wrote nothing, the transaction has no id yet and nothing counts). Owner and lease end alone are not enough: an
    /// earlier claim of the same worker in the same millisecond (or under a fixed test clock) has the same lease.
    /// </summary>
    public const string Claim = """
        WITH taken AS (
          SELECT count(*) AS n FROM envoy.jobs
          WHERE status = 1 AND lease_until = $2 AND lease_owner = $1 AND xmin = pg_current_xact_id_if_assigned()::xid),
        expired AS (
          SELECT id FROM envoy.jobs
          WHERE status = 1 AND lease_until < $3 AND flow = ANY($4) AND ($9::text[] IS NULL OR flow_version = '' OR flow || chr(31) || flow_version = ANY($9))
          ORDER BY lease_until
          LIMIT greatest($5 - (SELECT n FROM taken), 0)
          FOR UPDATE SKIP LOCKED),
        pending AS (
          SELECT due.id
          FROM (
            WITH RECURSIVE levels(p) AS (
              SELECT max(priority) FROM envoy.jobs WHERE status = 0 AND concurrency_limit IS NULL
              UNION ALL
              SELECT (SELECT max(priority) FROM envoy.jobs WHERE status = 0 AND concurrency_limit IS NULL AND priority < levels.p) FROM levels WHERE levels.p IS NOT NULL)
            SELECT p FROM levels WHERE p IS NOT NULL) level
          CROSS JOIN LATERAL (
            SELECT id FROM envoy.jobs
            WHERE status = 0 AND concurrency_limit IS NULL AND priority = level.p AND run_at <= $3 AND flow = ANY($4)
              AND ($9::text[] IS NULL OR flow_version = '' OR flow || chr(31) || flow_version = ANY($9))
            ORDER BY run_at, seq
            LIMIT $5
            FOR UPDATE SKIP LOCKED) due
          LIMIT greatest($5 - (SELECT n FROM taken) - (SELECT count(*) FROM expired), 0)),
        claimed AS (
          UPDATE envoy.jobs j SET status = 1, lease_owner = $1, lease_until = $2, version = j.version + 1, attempts = j.attempts + 1,
            takeovers = CASE WHEN j.status = 1 THEN j.takeovers + 1 ELSE j.takeovers END, started_at = coalesce(j.started_at, $3), updated_at = $3
          WHERE j.id = ANY (ARRAY (SELECT id FROM expired UNION ALL SELECT id FROM pending))
          RETURNING j.id, j.flow, j.status, j.context::text AS context, j.priority, j.run_at, j.created_at, j.updated_at, j.started_at,
            j.finished_at, j.error, j.parent_id, j.retries, j.attempts, j.idempotency_key, j.version, j.takeovers, j.flow_version, j.trace_parent,
            j.concurrency_key, j.concurrency_limit, j.id = ANY (ARRAY (SELECT id FROM expired)) AS was_running),
        history AS (
          INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status)
          SELECT id, $3, $6, CASE WHEN was_running THEN $7 ELSE $8 END, $7 FROM claimed)
        SELECT * FROM claimed
        """;

    /// <summary>
    /// A claim's first step for jobs with a concurrency limit (<c>FlowOptions.ConcurrencyLimit</c>), in its batch before
    /// <see cref="ClaimLimited"/>: the (flow, key) scopes it may serve, each locked for the transaction with a non-blocking
    /// advisory lock (class <see cref="ConcurrencyLockClass"/>, the hash of flow and key; a scope another claimer holds is
    /// skipped): the scopes with parked jobs (met earlier with their key full; a loose index scan of
    /// <c>jobs_limited_parked</c>, one probe per scope, none when nothing is parked) whose next job is due at $1 and of a
    /// version in $4 (null: any) and that by this statement's snapshot run fewer jobs than its limit, at most $3, best next job
    /// first; and the scopes of the next $5 due limited jobs in claim order (<see cref="LimitedInOrder"/>). The scopes locked
    /// are kept, with their limits, in the transaction's setting <see cref="ClaimScopesSetting"/> for the next statement.
    /// Counting must happen there, not here: this statement's snapshot was taken before it had the locks, so it can miss a
    /// claim that the previous holder committed while this one waited; the next statement's snapshot is taken after. Returns
    /// one row, which the claim skips.
    /// </summary>
    public static readonly string LockLimitedKeys = $"""
        SELECT set_config('{ClaimScopesSetting}', coalesce(json_agg(json_build_object('f', c.flow, 'k', c.k, 'l', c.lim))::text, '[]'), true)
        FROM (
          SELECT g.flow, g.k, max(g.lim) AS lim FROM (
            (SELECT scopes.flow, scopes.k, head.concurrency_limit AS lim FROM (
              WITH RECURSIVE scopes(flow, k) AS (
                (SELECT flow, concurrency_key FROM envoy.jobs
                 WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked AND flow = ANY($2)
                 ORDER BY flow, concurrency_key LIMIT 1)
                UNION ALL
                SELECT n.flow, n.k FROM scopes CROSS JOIN LATERAL (
                  SELECT flow, concurrency_key AS k FROM envoy.jobs
                  WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked AND flow = ANY($2) AND (flow, concurrency_key) > (scopes.flow, scopes.k)
                  ORDER BY flow, concurrency_key LIMIT 1) n)
              SELECT flow, k FROM scopes) scopes
            CROSS JOIN LATERAL (
              SELECT concurrency_limit, priority, run_at, seq FROM envoy.jobs
              WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked AND flow = scopes.flow AND concurrency_key = scopes.k AND run_at <= $1
                AND ($4::text[] IS NULL OR flow_version = '' OR flow || chr(31) || flow_version = ANY($4))
              ORDER BY priority DESC, run_at, seq LIMIT 1) head
            WHERE (SELECT count(*) FROM envoy.jobs r
                   WHERE r.status = 1 AND r.concurrency_limit IS NOT NULL AND r.flow = scopes.flow AND r.concurrency_key = scopes.k) < head.concurrency_limit
            ORDER BY head.priority DESC, head.run_at, head.seq
            LIMIT $3)
            UNION ALL
            SELECT due.flow, due.concurrency_key, due.concurrency_limit FROM ({LimitedInOrder("$1", "$2", "$5", "$4")}) due) g
          GROUP BY g.flow, g.k) c
        WHERE pg_try_advisory_xact_lock({ConcurrencyLockClass}, hashtext(c.flow || chr(31) || c.k))
        """;

    /// <summary>
    /// The next <paramref name="max"/> due limited jobs (due at <paramref name="now"/>) in claim order (priority, run-at, age)
    /// that are not parked, of flows <paramref name="flows"/> and versions <paramref name="versions"/> (as <see cref="Claim"/>):
    /// read one priority level at a time, highest first, through <c>jobs_limited_ready</c>, so the scan stops at the first job
    /// of a level not yet due. Columns: id, flow, concurrency_key, concurrency_limit. Part of <see cref="LockLimitedKeys"/>
    /// (the scopes to lock) and <see cref="ClaimLimited"/> (the jobs to take); the arguments name their parameters.
    /// </summary>
    private static string LimitedInOrder(string now, string flows, string max, string versions) => $"""
        SELECT due.id, due.flow, due.concurrency_key, due.concurrency_limit
        FROM (
          WITH RECURSIVE levels(p) AS (
            SELECT max(priority) FROM envoy.jobs WHERE status = 0 AND concurrency_limit IS NOT NULL AND NOT parked
            UNION ALL
            SELECT (SELECT max(priority) FROM envoy.jobs WHERE status = 0 AND concurrency_limit IS NOT NULL AND NOT parked AND priority < levels.p)
            FROM levels WHERE levels.p IS NOT NULL)
          SELECT p FROM levels WHERE p IS NOT NULL) level
        CROSS JOIN LATERAL (
          SELECT id, flow, concurrency_key, concurrency_limit FROM envoy.jobs
          WHERE status = 0 AND concurrency_limit IS NOT NULL AND NOT parked AND priority = level.p AND run_at <= {now} AND flow = ANY({flows})
            AND ({versions}::text[] IS NULL OR flow_version = '' OR flow || chr(31) || flow_version = ANY({versions}))
          ORDER BY run_at, seq
          LIMIT {max}) due
        LIMIT {max}
        """;

    /// <summary>The transaction-local setting in which <see cref="LockLimitedKeys"/> hands its locked scopes to <see cref="ClaimLimited"/>.</summary>
    public const string ClaimScopesSetting = "envoy.claim_scopes";

    /// <summary>
    /// The class (first key) of the two-key advisory locks of concurrency scopes; two-key locks never collide with the
    /// one-key locks of migrations and maintenance.
    /// </summary>
    public const string ConcurrencyLockClass = "1701737059"; // 0x656E7663, "envc"

    /// <summary>
    /// A claim's second step for limited jobs, after <see cref="LockLimitedKeys"/> in the same batch (one transaction): in each
    /// scope it locked, the running jobs are counted now (this statement's snapshot is taken with the locks held, so every
    /// claim of the scope committed before is seen); the scope's due jobs are its parked jobs first, then its jobs among the
    /// next $10 limited jobs of flows $9 in claim order (<see cref="LimitedInOrder"/>, the same window as the scopes'), each
    /// scope's in order; as many as its free slots
    /// (the scope's limit − running) are taken, at most $4 in all, parked scopes' first; the rest of a full scope's jobs in
    /// claim order are parked. Versions as in <see cref="Claim"/> ($8). Rows are taken with SKIP LOCKED (never waiting, so
    /// never re-reading a changed row), leased to $1 until $2 at $3, with their history entry ($5 = <c>Claimed</c>, from $7
    /// pending to $6 running). Returns the jobs taken, each with <c>parked_n</c>, the count of jobs parked; when none was taken,
    /// one row of nulls with that count. A claim of a lease-expired running job (in <see cref="Claim"/>) changes no count:
    /// that job kept its slot.
    /// </summary>
    public static readonly string ClaimLimited = $"""
        WITH scopes AS (
          SELECT s.f, s.k, s.l FROM json_to_recordset(current_setting('{ClaimScopesSetting}')::json) AS s(f text, k text, l integer)),
        slots AS (
          SELECT scopes.f, scopes.k, scopes.l - (SELECT count(*) FROM envoy.jobs
              WHERE status = 1 AND concurrency_limit IS NOT NULL AND flow = scopes.f AND concurrency_key = scopes.k) AS free
          FROM scopes),
        parked_due AS (
          SELECT p.id, slots.f, slots.k, slots.free, 0 AS src, p.priority, p.run_at, p.seq
          FROM slots CROSS JOIN LATERAL (
            SELECT id, priority, run_at, seq FROM envoy.jobs
            WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked AND flow = slots.f AND concurrency_key = slots.k AND run_at <= $3
              AND ($8::text[] IS NULL OR flow_version = '' OR flow || chr(31) || flow_version = ANY($8))
            ORDER BY priority DESC, run_at, seq
            LIMIT greatest(slots.free, 0)
            FOR UPDATE SKIP LOCKED) p),
        ready_due AS (
          SELECT r.id, slots.f, slots.k, slots.free, 1 AS src, r.priority, r.run_at, r.seq
          FROM (SELECT j.id, j.flow, j.concurrency_key, j.priority, j.run_at, j.seq FROM envoy.jobs j
                WHERE j.id = ANY (ARRAY (SELECT o.id FROM ({LimitedInOrder("$3", "$9", "$10", "$8")}) o))
                  AND j.status = 0 AND NOT j.parked
                FOR UPDATE SKIP LOCKED) r
          JOIN slots ON slots.f = r.flow AND slots.k = r.concurrency_key),
        ranked AS (
          SELECT c.id, c.free, c.src, c.priority, c.run_at, c.seq,
            row_number() OVER (PARTITION BY c.f, c.k ORDER BY c.src, c.priority DESC, c.run_at, c.seq) AS rn
          FROM (SELECT * FROM parked_due UNION ALL SELECT * FROM ready_due) c),
        picked AS (
          SELECT id FROM ranked WHERE rn <= free ORDER BY src, priority DESC, run_at, seq LIMIT $4),
        parking AS (
          UPDATE envoy.jobs j SET parked = true
          WHERE j.id = ANY (ARRAY (SELECT id FROM ranked WHERE src = 1 AND rn > free)) AND j.status = 0
          RETURNING j.id),
        claimed AS (
          UPDATE envoy.jobs j SET status = 1, parked = false, lease_owner = $1, lease_until = $2, version = j.version + 1, attempts = j.attempts + 1,
            started_at = coalesce(j.started_at, $3), updated_at = $3
          WHERE j.id = ANY (ARRAY (SELECT id FROM picked)) AND j.status = 0
          RETURNING j.id, j.flow, j.status, j.context::text AS context, j.priority, j.run_at, j.created_at, j.updated_at, j.started_at,
            j.finished_at, j.error, j.parent_id, j.retries, j.attempts, j.idempotency_key, j.version, j.takeovers, j.flow_version, j.trace_parent,
            j.concurrency_key, j.concurrency_limit),
        history AS (
          INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status)
          SELECT id, $3, $5, $7, $6 FROM claimed)
        SELECT claimed.*, n.parked_n FROM (SELECT count(*) AS parked_n FROM parking) n LEFT JOIN claimed ON true
        """;

    /// <summary>The running jobs of flow $1 with concurrency key $2 that hold a slot (through <c>jobs_limited_running</c>).</summary>
    public const string CountRunningLimited =
        "SELECT count(*)::integer FROM envoy.jobs WHERE status = 1 AND concurrency_limit IS NOT NULL AND flow = $1 AND concurrency_key = $2";

    /// <summary>
    /// The unconsumed wait resolutions of the jobs the claim before it (in the same batch, so the same transaction) just took:
    /// found by this claim's owner ($1) and lease end ($2) through the lease index.
    /// </summary>
    public const string ResolutionsOfClaim = """
        SELECT w.job_id, w.wait_id, w.status, w.output::text, w.error FROM envoy.waits w
        WHERE w.job_id IN (SELECT id FROM envoy.jobs WHERE status = 1 AND lease_until = $2 AND lease_owner = $1)
          AND w.status <> 0 AND NOT w.consumed
        """;

    /// <summary>
    /// Set in a claim's transaction. Claims write leases only (soft state): their commit need not wait for the disk (see
    /// <c>ClaimAsync</c>). And no sort: the claim must walk the ready and lease indexes in their order and stop after its few
    /// rows. When the statistics show few pending jobs the planner would otherwise read every pending row and sort them, on
    /// every claim (measured: 1.2 ms with 2,000 pending rows, and it grows with the backlog and the dead rows not yet vacuumed).
    /// A claim's batch is an implicit transaction, not a transaction block: <c>SET LOCAL</c> there works but makes the server
    /// log a warning each time (two lines per claim in the server's log), so the settings go through <c>set_config</c>, which
    /// sets them for the transaction just the same, without a warning. Returns one row, which the claim skips.
    /// </summary>
    public const string ClaimSettings = "SELECT set_config('synchronous_commit', 'off', true), set_config('enable_sort', 'off', true)";

    public const string ResolutionsFor = "SELECT job_id, wait_id, status, output::text, error FROM envoy.waits WHERE job_id = ANY($1) AND status <> 0 AND NOT consumed";

    /// <summary>
    /// A step's commit, checked against the version and lease owner the worker holds. A job that stays running keeps its lease
    /// end while more than half of a full lease ($9 − $6) remains (the lease keeper renews it every third of a lease anyway):
    /// then the update changes no indexed column and PostgreSQL can make it a heap-only update, with no index entries.
    /// </summary>
    public const string CommitJob = """
        UPDATE envoy.jobs SET status = $1, context = $2::jsonb, error = $3, retries = $4, total_retries = total_retries + greatest($4 - retries, 0), run_at = coalesce($5, run_at),
          updated_at = $6, finished_at = $7, lease_owner = $8, lease_until = CASE WHEN $9 IS NOT NULL AND lease_until - $6 > ($9 - $6) / 2 THEN lease_until ELSE $9 END,
            version = version + 1, takeovers = 0, waiting_reason = $13
        WHERE id = $10 AND version = $11 AND lease_owner = $12
        RETURNING parent_id, parent_wait_id
        """;

    /// <summary>
    /// <see cref="CommitJob"/> ($1–$12) and the step's one history entry ($14–$21: at, kind, state, step, from, to, duration,
    /// error) in one statement: the entry is written only if the update applied. With $13 false the update also requires that
    /// the job has no parent (a finishing child must resolve its parent's wait in the same transaction, which this statement
    /// cannot do): the caller then commits it again the long way. Returns the job's parent, like <see cref="CommitJob"/>.
    /// </summary>
    public const string CommitJobWithEvent = """
        WITH updated AS (
          UPDATE envoy.jobs SET status = $1, context = $2::jsonb, error = $3, retries = $4, total_retries = total_retries + greatest($4 - retries, 0), run_at = coalesce($5, run_at),
            updated_at = $6, finished_at = $7, lease_owner = $8, lease_until = CASE WHEN $9 IS NOT NULL AND lease_until - $6 > ($9 - $6) / 2 THEN lease_until ELSE $9 END,
            version = version + 1, takeovers = 0, waiting_reason = $22
          WHERE id = $10 AND version = $11 AND lease_owner = $12 AND ($13 OR parent_id IS NULL)
          RETURNING parent_id, parent_wait_id),
        history AS (
          INSERT INTO envoy.job_events (job_id, at, kind, state, step, from_status, to_status, duration_ms, error)
          SELECT $10, $14, $15, $16, $17, $18, $19, $20, $21 FROM updated)
        SELECT parent_id, parent_wait_id FROM updated
        """;

    /// <summary>
    /// The finished-jobs NOTIFY of a commit batch that sends its <c>COMMIT</c> before it reads which updates applied: only the
    /// jobs of $1 whose row this transaction wrote (<c>xmin</c> is its id) are named, after the prefix $2.
    /// </summary>
    public const string NotifyFinishedWrittenHere =
        "SELECT pg_notify('" + NotifyChannel + "', $2 || string_agg(id, ',')) FROM envoy.jobs WHERE id = ANY($1) AND xmin = pg_current_xact_id()::xid HAVING count(*) > 0";

    /// <summary>Set before <see cref="NotifyFinishedWrittenHere"/>: reuse its one prepared plan (see <c>AddNotifyIfWrittenAndCommit</c>).</summary>
    public const string GenericPlans = "SET LOCAL plan_cache_mode = force_generic_plan";

    public const string ConsumeWaits = "UPDATE envoy.waits SET consumed = true WHERE job_id = $1 AND status <> 0 AND NOT consumed";

    // A state that runs again (a loop, a retry) may reuse a wait id; the earlier wait was consumed, so the row starts over.
    public const string InsertWait = """
        INSERT INTO envoy.waits (job_id, wait_id, type) VALUES ($1, $2, $3)
        ON CONFLICT (job_id, wait_id) DO UPDATE SET type = excluded.type, status = 0, output = NULL, error = NULL, consumed = false, resolved_at = NULL, due_at = NULL
        """;

    /// <summary><see cref="InsertWait"/> for a wait with a timer (due at <c>$4</c>); a step that arms no timer never sends it.</summary>
    public const string InsertTimedWait = """
        INSERT INTO envoy.waits (job_id, wait_id, type, due_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (job_id, wait_id) DO UPDATE SET type = excluded.type, status = 0, output = NULL, error = NULL, consumed = false, resolved_at = NULL, due_at = excluded.due_at
        """;

    /// <summary>
    /// The pending timers of blocking jobs due at <c>$1</c>, earliest first, their jobs locked; a job another transaction holds
    /// (another scheduler firing it, a reply, a cancel) is skipped, so schedulers firing at once share the due timers.
    /// </summary>
    public const string DueTimers = """
        SELECT w.job_id, w.wait_id, w.type FROM envoy.waits w JOIN envoy.jobs j ON j.id = w.job_id
        WHERE w.status = 0 AND w.due_at IS NOT NULL AND w.due_at <= $1 AND j.status = 2
        ORDER BY w.due_at LIMIT $2
        FOR UPDATE OF j SKIP LOCKED
        """;

    /// <summary>Locks the escalations behind due escalation timers, skipping those another transaction holds (a reply under way).</summary>
    public const string LockDueEscalations = "SELECT id FROM envoy.escalations WHERE id = ANY($1) FOR UPDATE SKIP LOCKED";

    /// <summary>
    /// Set before <see cref="NextTimerDue"/> in its batch (an implicit transaction): no sort, so the plan walks
    /// <c>waits_timers</c> in due order and stops at the first timer of a blocking job. With statistics that show few pending
    /// timers (taken before a burst was scheduled) the planner otherwise reads every pending timer and sorts them, on every
    /// pass of the timer loop (measured: 169 ms with 50,000 pending timers, against 0.04 ms; up to 5 s of the server's time in
    /// a 12-second burst). Returns one row, which the caller skips.
    /// </summary>
    public const string NextTimerDueSettings = "SELECT set_config('enable_sort', 'off', true)";

    /// <summary>The due time of the earliest pending timer of a blocking job (after <see cref="NextTimerDueSettings"/>).</summary>
    public const string NextTimerDue = """
        SELECT w.due_at FROM envoy.waits w JOIN envoy.jobs j ON j.id = w.job_id
        WHERE w.status = 0 AND w.due_at IS NOT NULL AND j.status = 2
        ORDER BY w.due_at LIMIT 1
        """;

    /// <summary>
    /// The locked state of a batch of due timers (<c>$1</c> jobs, <c>$2</c> waits, in order): each job's status, its wait's
    /// status, type and due time, and the status of the job's escalation of that id. Sent after the jobs were locked, so it
    /// reads every resolution committed before (a statement that locked them itself would read the waits of its old snapshot).
    /// </summary>
    public const string TimerStates = """
        SELECT t.ord, j.status, w.status, w.type, w.due_at, e.status
        FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(job_id, wait_id, ord)
        LEFT JOIN envoy.jobs j ON j.id = t.job_id
        LEFT JOIN envoy.waits w ON w.job_id = t.job_id AND w.wait_id = t.wait_id
        LEFT JOIN envoy.escalations e ON e.id = t.wait_id AND e.job_id = t.job_id
        """;

    /// <summary>Answers pending escalations, one row per array element (id, status, response, replied by, at).</summary>
    public const string AnswerEscalations = """
        UPDATE envoy.escalations e SET status = r.status, response = r.response::jsonb, replied_by = r.replied_by, answered_at = r.at
        FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::bigint[]) AS r(id, status, response, replied_by, at)
        WHERE e.id = r.id AND e.status = 0
        """;

    /// <summary>Resolves pending waits, one row per array element (job, wait, kind, output, error, at).</summary>
    public const string ResolveWaits = """
        UPDATE envoy.waits w SET status = r.kind, output = r.output::jsonb, error = r.error, resolved_at = r.at
        FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::bigint[]) AS r(job_id, wait_id, kind, output, error, at)
        WHERE w.job_id = r.job_id AND w.wait_id = r.wait_id AND w.status = 0
        """;

    /// <summary>Appends history entries, one per array element, in array order (<see cref="InsertEvent"/>'s columns).</summary>
    public const string InsertEvents = """
        INSERT INTO envoy.job_events (job_id, at, kind, state, step, from_status, to_status, duration_ms, error)
        SELECT job_id, at, kind, state, step, from_status, to_status, duration_ms, error
        FROM unnest($1::text[], $2::bigint[], $3::smallint[], $4::text[], $5::integer[], $6::smallint[], $7::smallint[], $8::double precision[], $9::text[])
            WITH ORDINALITY AS e(job_id, at, kind, state, step, from_status, to_status, duration_ms, error, ord)
        ORDER BY ord
        """;

    /// <summary>
    /// <see cref="Unblock"/> for the blocking jobs in <c>$2</c>: those with no pending wait become pending, due at <c>$1</c>;
    /// returns them with their flow, version and concurrency limit (whether the firing may start them, <c>UnblockedJob</c>).
    /// </summary>
    public const string UnblockMany = """
        UPDATE envoy.jobs j SET status = 0, run_at = $1, updated_at = $1, version = version + 1
        WHERE j.id = ANY($2) AND j.status = 2 AND NOT EXISTS (SELECT 1 FROM envoy.waits w WHERE w.job_id = j.id AND w.status = 0)
        RETURNING j.id, j.flow, j.flow_version, j.concurrency_limit::bigint
        """;

    /// <summary>
    /// Starts the pending jobs of <c>$4</c> (made pending by fired timers in this transaction, which holds their locks) for
    /// <c>$1</c>, leased until <c>$2</c>, at <c>$3</c>, as <see cref="Claim"/> takes a pending job (with its history entry
    /// <c>$5</c>, from <c>$6</c> to <c>$7</c>); returns them with <see cref="Claim"/>'s columns.
    /// </summary>
    public const string StartTimerJobs = """
        WITH started AS (
          UPDATE envoy.jobs j SET status = 1, lease_owner = $1, lease_until = $2, version = j.version + 1, attempts = j.attempts + 1,
            started_at = coalesce(j.started_at, $3), updated_at = $3
          WHERE j.id = ANY($4) AND j.status = 0
          RETURNING j.id, j.flow, j.status, j.context::text AS context, j.priority, j.run_at, j.created_at, j.updated_at, j.started_at,
            j.finished_at, j.error, j.parent_id, j.retries, j.attempts, j.idempotency_key, j.version, j.takeovers, j.flow_version, j.trace_parent,
            j.concurrency_key, j.concurrency_limit),
        history AS (
          INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status)
          SELECT id, $3, $5, $6, $7 FROM started)
        SELECT * FROM started
        """;

    public const string InsertEscalation = """
        INSERT INTO envoy.escalations (id, job_id, wait_id, user_name, message, inputs, created_at)
        VALUES ($1, $2, $1, $3, $4, $5::jsonb, $6)
        """;

    public const string InsertEvent = """
        INSERT INTO envoy.job_events (job_id, at, kind, state, step, from_status, to_status, duration_ms, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """;

    /// <summary>A history entry for a job inserted earlier in the same batch, written only if that insert happened (not a duplicate idempotency key).</summary>
    public const string InsertEventIfJobExists = """
        INSERT INTO envoy.job_events (job_id, at, kind, state, step, from_status, to_status, duration_ms, error)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM envoy.jobs WHERE id = $1)
        """;

    public const string LockJob = "SELECT status, parent_id, parent_wait_id FROM envoy.jobs WHERE id = $1 FOR UPDATE";

    public const string WaitStatus = "SELECT status, type, due_at FROM envoy.waits WHERE job_id = $1 AND wait_id = $2";

    /// <summary>The pending escalations of the jobs in $1 become cancelled: their jobs ended first.</summary>
    public const string CancelEscalations = $"""
        UPDATE envoy.escalations SET status = 3
        WHERE status = 0 AND id IN (SELECT wait_id FROM envoy.waits WHERE job_id = ANY($1) AND status = 0 AND type = '{WaitTypes.Escalation}')
        """;

    /// <summary>The escalations behind the pending waits of a retried job, cancelled or expired, become pending again.</summary>
    public const string ReviveEscalations = $"""
        UPDATE envoy.escalations SET status = 0, response = NULL, replied_by = NULL, answered_at = NULL
        WHERE status IN (3, 4) AND id IN (SELECT wait_id FROM envoy.waits WHERE job_id = $1 AND status = 0 AND type = '{WaitTypes.Escalation}')
        """;

    /// <summary>The children behind the pending spawn waits of a job, with their status, locked.</summary>
    public const string ChildrenOfPendingWaits = $"""
        SELECT j.id, j.status FROM envoy.waits w JOIN envoy.jobs j ON j.parent_id = w.job_id AND j.parent_wait_id = w.wait_id
        WHERE w.job_id = $1 AND w.status = 0 AND w.type = '{WaitTypes.Spawn}'
        ORDER BY j.id COLLATE "C"
        FOR UPDATE OF j
        """;

    public const string HasPendingWait = "SELECT EXISTS (SELECT 1 FROM envoy.waits WHERE job_id = $1 AND status = 0)";

    public const string ResolveWait = """
        UPDATE envoy.waits SET status = $1, output = $2::jsonb, error = $3, resolved_at = $4
        WHERE job_id = $5 AND wait_id = $6 AND status = 0
        """;

    public const string Unblock = """
        UPDATE envoy.jobs SET status = 0, run_at = $1, updated_at = $1, version = version + 1
        WHERE id = $2 AND status = 2 AND NOT EXISTS (SELECT 1 FROM envoy.waits WHERE job_id = $2 AND status = 0)
        """;

    public const string CancelDescendants = """
        WITH RECURSIVE d(id) AS (
          SELECT id FROM envoy.jobs WHERE parent_id = $1
          UNION SELECT j.id FROM envoy.jobs j JOIN d ON j.parent_id = d.id)
        UPDATE envoy.jobs SET status = 5, error = $2, finished_at = $3, updated_at = $3, version = version + 1, lease_owner = NULL, lease_until = NULL
        WHERE id IN (SELECT id FROM d) AND status IN (0, 1, 2)
        RETURNING id, flow
        """;

    public const string FinishJob = """
        UPDATE envoy.jobs SET status = $1, error = $2, finished_at = $3, updated_at = $3, version = version + 1, lease_owner = NULL, lease_until = NULL
        WHERE id = $4
        """;

    public const string RetryJob = """
        UPDATE envoy.jobs SET status = $1, error = NULL, finished_at = NULL, retries = 0, total_retries = total_retries + 1, takeovers = 0, run_at = $2, updated_at = $2, version = version + 1,
          lease_owner = NULL, lease_until = NULL
        WHERE id = $3 AND status IN (4, 5)
        """;

    /// <summary>
    /// Renews the leases of $2 still held by $3. The rows are locked in byte order of their ids first, the order in which a
    /// commit batch updates its jobs (<c>CommitLockOrder</c>): locked in two different orders, a renewal and a commit batch of
    /// the same worker deadlocked (PostgreSQL breaks that after <c>deadlock_timeout</c>, 1 s).
    /// </summary>
    public const string RenewLeases = """
        UPDATE envoy.jobs SET lease_until = $1
        WHERE id IN (SELECT id FROM envoy.jobs WHERE id = ANY($2) AND status = 1 AND lease_owner = $3 ORDER BY id COLLATE "C" FOR UPDATE)
          AND status = 1 AND lease_owner = $3
        RETURNING id
        """;

    public const string GetJob = $"SELECT {JobColumns} FROM envoy.jobs WHERE id = $1";

    public const string GetJobs = $"SELECT {JobColumns} FROM envoy.jobs WHERE id = ANY($1)";

    public const string JobExists = "SELECT 1 FROM envoy.jobs WHERE id = $1";

    public const string History = "SELECT job_id, at, kind, state, step, from_status, to_status, duration_ms, error FROM envoy.job_events WHERE job_id = $1 ORDER BY seq";

    public const string EscalationColumns = "id, job_id, wait_id, user_name, message, inputs::text, status, response::text, replied_by, created_at, answered_at";

    public const string GetEscalation = $"SELECT {EscalationColumns} FROM envoy.escalations WHERE id = $1";

    public const string LockEscalation = $"SELECT {EscalationColumns} FROM envoy.escalations WHERE id = $1 FOR UPDATE";

    public const string ListEscalations = $"""
        SELECT {EscalationColumns} FROM envoy.escalations
        WHERE ($1::smallint IS NULL OR status = $1) AND ($2::text IS NULL OR user_name = $2)
        ORDER BY created_at DESC, seq DESC
        """;

    public const string AnswerEscalation = """
        UPDATE envoy.escalations SET status = $1, response = $2::jsonb, replied_by = $3, answered_at = $4
        WHERE id = $5 AND status = 0
        """;

    /// <summary>
    /// The earliest run-at of a pending job not yet due: an idle dispatcher sleeps until then. Lease expiries are left to the
    /// safety poll: <c>min(lease_until)</c> over the lease index reads every entry of a row version not yet vacuumed (jobs
    /// that finished keep their old entries for a while), which cost 7 ms per idle dispatcher right after a busy period.
    /// </summary>
    public const string NextDue = "SELECT min(run_at) FROM envoy.jobs WHERE status = 0 AND run_at > $1";

    public const string Notify = "SELECT pg_notify('" + NotifyChannel + "', $1)";

    public const long MaintenanceLockKey = 0x656E766F796DL; // "envoym"

    public const string JobStatus = "SELECT status, version FROM envoy.jobs WHERE id = $1";

    public const string CountJobs = "SELECT status, count(*) FROM envoy.jobs GROUP BY status";

    /// <summary>The earliest run-at of a pending job due at $1: the first entry of the due index.</summary>
    public const string OldestDue = "SELECT min(run_at) FROM envoy.jobs WHERE status = 0 AND run_at <= $1";

    /// <summary>
    /// The leader's lease sweep: running jobs whose lease expired before $1 (at most $2, oldest expiry first, skipping rows a
    /// claim holds) go back to pending with a new version and a history entry of kind $3; returns their ids and versions. A
    /// limited job goes back parked: it is its key's oldest, and parked jobs start before the key's jobs in claim order.
    /// </summary>
    public const string ExpireLeases = """
        WITH expired AS (
          SELECT id FROM envoy.jobs
          WHERE status = 1 AND lease_until < $1
          ORDER BY lease_until
          LIMIT $2
          FOR UPDATE SKIP LOCKED),
        released AS (
          UPDATE envoy.jobs j SET status = 0, parked = (j.concurrency_limit IS NOT NULL), lease_owner = NULL, lease_until = NULL, version = j.version + 1,
            takeovers = j.takeovers + 1, updated_at = $1
          WHERE j.id = ANY (ARRAY (SELECT id FROM expired))
          RETURNING j.id, j.version),
        history AS (
          INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status)
          SELECT id, $1, $3, 1, 0 FROM released)
        SELECT id, version FROM released
        """;

    /// <summary>Pending jobs that came due in ($1, $2], counted up to 1,000 (enough to know that workers must wake).</summary>
    public const string PromotedJobs = "SELECT count(*) FROM (SELECT 1 FROM envoy.jobs WHERE status = 0 AND run_at > $1 AND run_at <= $2 LIMIT 1000) due";

    /// <summary>The columns of a recurring schedule, in reading order.</summary>
    public const string RecurringColumns = "id, flow, cron, time_zone, input, priority, enabled, next_run_at, last_run_at, last_job_id, updated_at";

    /// <summary>Inserts a recurring schedule or replaces one, keeping its last run.</summary>
    public const string SaveRecurring = """
        INSERT INTO envoy.recurring (id, flow, cron, time_zone, input, priority, enabled, next_run_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (id) DO UPDATE SET flow = excluded.flow, cron = excluded.cron, time_zone = excluded.time_zone,
            input = excluded.input, priority = excluded.priority, enabled = excluded.enabled, next_run_at = excluded.next_run_at,
            updated_at = excluded.updated_at
        """;

    /// <summary>Registers or renews a worker ($1..$7) and deletes the rows expired at its heartbeat ($5), in one statement.</summary>
    public const string SaveWorker = """
        WITH expired AS (DELETE FROM envoy.workers WHERE until_ms <= $5 AND id <> $1)
        INSERT INTO envoy.workers (id, host, process_id, started_at, last_seen_at, until_ms, flows)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (id) DO UPDATE SET host = excluded.host, process_id = excluded.process_id, started_at = excluded.started_at,
            last_seen_at = excluded.last_seen_at, until_ms = excluded.until_ms, flows = excluded.flows
        """;

    /// <summary>Removes a worker's row.</summary>
    public const string RemoveWorker = "DELETE FROM envoy.workers WHERE id = $1";

    /// <summary>The live workers at $1, by start time, then id.</summary>
    public const string ListWorkers =
        "SELECT id, host, process_id, started_at, last_seen_at, until_ms, flows FROM envoy.workers WHERE until_ms > $1 ORDER BY started_at, id COLLATE \"C\"";

    /// <summary>Deletes a recurring schedule.</summary>
    public const string DeleteRecurring = "DELETE FROM envoy.recurring WHERE id = $1";

    /// <summary>Records a run and moves the next occurrence on, only if it is still the expected one.</summary>
    public const string AdvanceRecurring = """
        UPDATE envoy.recurring SET last_run_at = $2, last_job_id = $3, next_run_at = $5
        WHERE id = $1 AND next_run_at = $4
        """;

    /// <summary>Records a run by hand.</summary>
    public const string RecordRecurringRun = "UPDATE envoy.recurring SET last_run_at = $2, last_job_id = $3 WHERE id = $1";

    /// <summary>One recurring schedule.</summary>
    public const string GetRecurring = $"SELECT {RecurringColumns} FROM envoy.recurring WHERE id = $1";

    /// <summary>Every recurring schedule.</summary>
    public const string ListRecurring = $"SELECT {RecurringColumns} FROM envoy.recurring ORDER BY id COLLATE \"C\"";

    /// <summary>
    /// One retention batch in one statement: at most $5 finished jobs (oldest finish first, through <c>jobs_finished</c>, rows
    /// locked elsewhere skipped) finished before $3 (the latest cutoff: the index range) and before their flow's cutoff (the
    /// flows $1 with their cutoffs $2, else the default $4), that have no child left and whose parent is gone or itself
    /// finished past its retention (a tree goes bottom up, one level a batch); deleted with their history, waits and
    /// escalations. Returns the four counts.
    /// </summary>
    public const string PurgeJobs = """
        WITH cut AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS c(flow, before)),
        victims AS (
          SELECT j.id FROM envoy.jobs j
          WHERE j.status >= 3 AND j.finished_at < $3
            AND j.finished_at < coalesce((SELECT c.before FROM cut c WHERE c.flow = j.flow), $4)
            AND NOT EXISTS (SELECT 1 FROM envoy.jobs k WHERE k.parent_id = j.id)
            AND NOT EXISTS (SELECT 1 FROM envoy.jobs p WHERE p.id = j.parent_id
              AND NOT (p.status >= 3 AND p.finished_at < coalesce((SELECT c.before FROM cut c WHERE c.flow = p.flow), $4)))
          ORDER BY j.finished_at
          LIMIT $5
          FOR UPDATE OF j SKIP LOCKED),
        events AS (DELETE FROM envoy.job_events WHERE job_id = ANY (ARRAY (SELECT id FROM victims)) RETURNING 1),
        waits AS (DELETE FROM envoy.waits WHERE job_id = ANY (ARRAY (SELECT id FROM victims)) RETURNING 1),
        escalations AS (DELETE FROM envoy.escalations WHERE job_id = ANY (ARRAY (SELECT id FROM victims)) RETURNING 1),
        jobs AS (DELETE FROM envoy.jobs WHERE id = ANY (ARRAY (SELECT id FROM victims)) RETURNING 1)
        SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM events), (SELECT count(*) FROM waits), (SELECT count(*) FROM escalations)
        """;

    /// <summary>Unfinished jobs of flow $1 created before $2, oldest first, at most $3 (through <c>jobs_flow_status_created</c>).</summary>
    public const string AgedJobs = """
        SELECT id, created_at FROM envoy.jobs
        WHERE flow = $1 AND status IN (0, 1, 2) AND created_at < $2
        ORDER BY created_at
        LIMIT $3
        """;

    /// <summary>Creates the scope's row if needed and locks it: the acquisitions of one scope queue here, in every process.</summary>
    public const string RateLockScope = """
        INSERT INTO envoy.rate_limit_scopes (scope) VALUES ($1)
        ON CONFLICT (scope) DO UPDATE SET scope = excluded.scope
        """;

    /// <summary>
    /// Run after <see cref="RateLockScope"/> (a new statement: a new snapshot, which sees every usage committed before the lock
    /// was granted): deletes the scope's usage that left its window ($2 now), and reads what is in the window since $3.
    /// </summary>
    public const string RateUsage = """
        WITH expired AS (DELETE FROM envoy.rate_limit_usage WHERE scope = $1 AND until_ms <= $2)
        SELECT at_ms, weight FROM envoy.rate_limit_usage WHERE scope = $1 AND at_ms > $3 ORDER BY at_ms
        """;

    public const string RateRecord = "INSERT INTO envoy.rate_limit_usage (scope, at_ms, until_ms, weight) VALUES ($1, $2, $3, $4)";

    public const string RatePause = """
        INSERT INTO envoy.rate_limit_scopes AS s (scope, paused_until) VALUES ($1, $2)
        ON CONFLICT (scope) DO UPDATE SET paused_until = greatest(s.paused_until, excluded.paused_until)
        RETURNING paused_until
        """;

    public const string RatePausedUntil = "SELECT paused_until FROM envoy.rate_limit_scopes WHERE scope = $1";

    /// <summary>Deletes the usage that left its window and then the idle scopes (no usage, pause over; skipping locked ones).</summary>
    public const string RatePurge = """
        WITH usage AS (DELETE FROM envoy.rate_limit_usage WHERE until_ms <= $1 RETURNING 1),
        idle AS (
          SELECT scope FROM envoy.rate_limit_scopes s
          WHERE coalesce(s.paused_until, 0) <= $1 AND NOT EXISTS (SELECT 1 FROM envoy.rate_limit_usage u WHERE u.scope = s.scope AND u.until_ms > $1)
          FOR UPDATE SKIP LOCKED),
        scopes AS (DELETE FROM envoy.rate_limit_scopes WHERE scope IN (SELECT scope FROM idle) RETURNING 1)
        SELECT (SELECT count(*) FROM usage) + (SELECT count(*) FROM scopes)
        """;
}
