namespace Envoy.Storage.Sqlite;

/// <summary>
/// Every SQL statement of the SQLite store, parameterised. Statuses: 0 pending, 1 running, 2 blocking, 3 done, 4 failed, 5 cancelled.
/// The claim and due-time queries name their partial index (<c>INDEXED BY</c>): without statistics the planner prefers
/// <c>jobs_status_created</c> for <c>status = ?</c> and then sorts every pending (or running) job, so a claim would cost
/// O(backlog) instead of O(claimed).
/// </summary>
internal static class SqliteSql
{
    public const string Migration1 = """
        CREATE TABLE jobs (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          flow TEXT NOT NULL,
          status INTEGER NOT NULL,
          context TEXT NOT NULL,
          priority INTEGER NOT NULL DEFAULT 0,
          run_at INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          started_at INTEGER,
          finished_at INTEGER,
          error TEXT,
          parent_id TEXT,
          parent_wait_id TEXT,
          retries INTEGER NOT NULL DEFAULT 0,
          attempts INTEGER NOT NULL DEFAULT 0,
          idempotency_key TEXT UNIQUE,
          lease_owner TEXT,
          lease_until INTEGER,
          version INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX jobs_ready ON jobs (priority DESC, run_at, seq) WHERE status = 0;
        CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 0;
        CREATE INDEX jobs_leases ON jobs (lease_until) WHERE status = 1;
        CREATE INDEX jobs_parent ON jobs (parent_id) WHERE parent_id IS NOT NULL;
        CREATE INDEX jobs_created ON jobs (created_at);
        CREATE INDEX jobs_status_created ON jobs (status, created_at);
        CREATE TABLE waits (
          job_id TEXT NOT NULL,
          wait_id TEXT NOT NULL,
          type TEXT NOT NULL,
          status INTEGER NOT NULL DEFAULT 0,
          output TEXT,
          error TEXT,
          consumed INTEGER NOT NULL DEFAULT 0,
          resolved_at INTEGER,
          PRIMARY KEY (job_id, wait_id)) WITHOUT ROWID;
        CREATE TABLE escalations (
          id TEXT PRIMARY KEY,
          job_id TEXT NOT NULL,
          wait_id TEXT NOT NULL,
          user_name TEXT NOT NULL,
          message TEXT NOT NULL,
          inputs TEXT NOT NULL,
          status INTEGER NOT NULL DEFAULT 0,
          response TEXT,
          replied_by TEXT,
          created_at INTEGER NOT NULL,
          answered_at INTEGER);
        CREATE INDEX escalations_status ON escalations (status, user_name);
        CREATE TABLE job_events (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id TEXT NOT NULL,
          at INTEGER NOT NULL,
          kind INTEGER NOT NULL,
          state TEXT,
          step INTEGER,
          from_status INTEGER,
          to_status INTEGER,
          duration_ms REAL,
          error TEXT);
        CREATE INDEX job_events_job ON job_events (job_id, seq);
        """;

    /// <summary>Takeovers since the job's last commit (lease expiries while it ran): see <c>SchedulerConfig.MaxAttempts</c>.</summary>
    public const string Migration2 = "ALTER TABLE jobs ADD COLUMN takeovers INTEGER NOT NULL DEFAULT 0";

    /// <summary>
    /// The job list's queries: <c>input</c>, the input a job was scheduled with, written once by its insert and never by a
    /// commit (jobs created before this migration have none); <c>jobs_flow_created</c>, the newest jobs of one flow.
    /// </summary>
    public const string Migration3 = """
        ALTER TABLE jobs ADD COLUMN input TEXT;
        CREATE INDEX IF NOT EXISTS jobs_flow_created ON jobs (flow, created_at);
        """;

    /// <summary>
    /// <c>total_retries</c>: every retry a job had, automatic and by hand, never reset (<c>Job.TotalRetries</c>). Existing jobs
    /// are counted from their history (each <c>Retried</c> entry, kind 8, and each failed step that went back to pending, kind 3
    /// to status 0), at least their stored <c>retries</c>.
    /// </summary>
    public const string Migration4 = """
        ALTER TABLE jobs ADD COLUMN total_retries INTEGER NOT NULL DEFAULT 0;
        UPDATE jobs SET total_retries = max(retries, h.n)
        FROM (SELECT job_id, count(*) AS n FROM job_events WHERE kind = 8 OR (kind = 3 AND to_status = 0) GROUP BY job_id) h
        WHERE jobs.id = h.job_id;
        UPDATE jobs SET total_retries = retries WHERE retries > total_retries;
        """;

    /// <summary>
    /// Recurring jobs (cron, issue 17): one row per schedule; <c>next_run_at</c> is the next occurrence to fire (Unix ms, UTC),
    /// moved on by a compare-and-set when it fires.
    /// </summary>
    public const string Migration5 = """
        CREATE TABLE IF NOT EXISTS recurring (
            id TEXT PRIMARY KEY,
            flow TEXT NOT NULL,
            cron TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            input TEXT,
            priority INTEGER NOT NULL DEFAULT 0,
            enabled INTEGER NOT NULL DEFAULT 1,
            next_run_at INTEGER,
            last_run_at INTEGER,
            last_job_id TEXT,
            updated_at INTEGER NOT NULL
        );
        """;

    /// <summary>The columns of a recurring schedule, in <c>StoreRows</c>' reading order.</summary>
    public const string RecurringColumns = "id, flow, cron, time_zone, input, priority, enabled, next_run_at, last_run_at, last_job_id, updated_at";

    /// <summary>Inserts a recurring schedule or replaces one, keeping its last run.</summary>
    public const string SaveRecurring = """
        INSERT INTO recurring (id, flow, cron, time_zone, input, priority, enabled, next_run_at, updated_at)
        VALUES (@id, @flow, @cron, @time_zone, @input, @priority, @enabled, @next_run_at, @updated_at)
        ON CONFLICT (id) DO UPDATE SET flow = excluded.flow, cron = excluded.cron, time_zone = excluded.time_zone,
            input = excluded.input, priority = excluded.priority, enabled = excluded.enabled, next_run_at = excluded.next_run_at,
            updated_at = excluded.updated_at
        """;

    /// <summary>Deletes a recurring schedule.</summary>
    public const string DeleteRecurring = "DELETE FROM recurring WHERE id = @id";

    /// <summary>Records a run and moves the next occurrence on, only if it is still the expected one.</summary>
    public const string AdvanceRecurring = """
        UPDATE recurring SET next_run_at = @next_run_at, last_run_at = @last_run_at, last_job_id = @last_job_id
        WHERE id = @id AND next_run_at = @expected
        """;

    /// <summary>Records a run by hand.</summary>
    public const string RecordRecurringRun = "UPDATE recurring SET last_run_at = @last_run_at, last_job_id = @last_job_id WHERE id = @id";

    /// <summary>One recurring schedule.</summary>
    public const string GetRecurring = $"SELECT {RecurringColumns} FROM recurring WHERE id = @id";

    /// <summary>Every recurring schedule.</summary>
    public const string ListRecurring = $"SELECT {RecurringColumns} FROM recurring ORDER BY id";

    /// <summary>
    /// Issue 17, flow versions: <c>flow_version</c>, the version of its flow a job started with (<c>Job.FlowVersion</c>); claims
    /// take a job only for a worker that has its (flow, version) pair. Existing jobs get <c>''</c> (none recorded), which any
    /// worker that has the flow runs on its newest version.
    /// </summary>
    public const string MigrationFlowVersions = "ALTER TABLE jobs ADD COLUMN flow_version TEXT NOT NULL DEFAULT ''";

    /// <summary>
    /// Telemetry (issue 18): <c>trace_parent</c>, the W3C trace context of the span that scheduled the job (or of its parent's
    /// step), written once by its insert; null when nobody traced. Step spans link to it in whichever process runs the step.
    /// </summary>
    public const string MigrationTraceParent = "ALTER TABLE jobs ADD COLUMN trace_parent TEXT";

    /// <summary>
    /// Durable timers (issue 17, timers): <c>waits.due_at</c>, when a wait with a timer (a sleep, a wait or escalation timeout)
    /// fires, and <c>waits_timers</c>, the pending ones by due time (the next due timer, the due ones in order).
    /// </summary>
    public const string MigrationTimers = """
        ALTER TABLE waits ADD COLUMN due_at INTEGER;
        CREATE INDEX IF NOT EXISTS waits_timers ON waits (due_at) WHERE status = 0 AND due_at IS NOT NULL;
        """;

    /// <summary>
    /// Retention (issue 17): <c>jobs_finished</c>, the finished jobs by finish time (a purge batch reads the oldest at once,
    /// never the table); <c>jobs_unfinished_created</c>, the unfinished jobs of a flow by age (those past its <c>MaxJobAge</c>);
    /// <c>escalations_job</c>, a deleted job's escalations.
    /// </summary>
    public const string MigrationRetention = """
        CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE status >= 3;
        CREATE INDEX IF NOT EXISTS jobs_unfinished_created ON jobs (flow, created_at) WHERE status < 3;
        CREATE INDEX IF NOT EXISTS escalations_job ON escalations (job_id);
        """;

    /// <summary>
    /// The finished jobs one retention batch deletes: at most @limit, oldest finish first (through <c>jobs_finished</c>),
    /// finished before @latest (the latest cutoff: the index range) and before their flow's cutoff (the JSON object
    /// @cutoffs of flows with their own, else @default), that have no child left and whose parent is gone or itself finished
    /// past its retention (a tree goes bottom up, one level a batch).
    /// </summary>
    public const string PurgeCandidates = """
        SELECT id FROM jobs INDEXED BY jobs_finished
        WHERE status >= 3 AND finished_at < @latest
          AND finished_at < coalesce((SELECT value FROM json_each(@cutoffs) WHERE key = jobs.flow), @default)
          AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.parent_id = jobs.id)
          AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.id = jobs.parent_id
            AND NOT (p.status >= 3 AND p.finished_at < coalesce((SELECT value FROM json_each(@cutoffs) WHERE key = p.flow), @default)))
        ORDER BY finished_at
        LIMIT @limit
        """;

    public const string PurgeEvents = "DELETE FROM job_events WHERE job_id IN (SELECT value FROM json_each(@ids))";

    public const string PurgeWaits = "DELETE FROM waits WHERE job_id IN (SELECT value FROM json_each(@ids))";

    public const string PurgeEscalations = "DELETE FROM escalations WHERE job_id IN (SELECT value FROM json_each(@ids))";

    public const string PurgeJobs = "DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))";

    /// <summary>Unfinished jobs of @flow created before @before, oldest first, at most @limit.</summary>
    public const string AgedJobs = """
        SELECT id, created_at FROM jobs INDEXED BY jobs_unfinished_created
        WHERE flow = @flow AND status < 3 AND created_at < @before
        ORDER BY created_at
        LIMIT @limit
        """;

    /// <summary>
    /// Issue 17, live workers (helper "workers"): the store's registry of live workers, one row per started scheduler, renewed
    /// by its heartbeat until <c>until_ms</c>; <c>flows</c> is the JSON array of the (flow, version) pairs it serves
    /// (<c>WorkerFlowsJson</c>).
    /// </summary>
    public const string MigrationWorkers = """
        CREATE TABLE IF NOT EXISTS workers (
            id TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            process_id INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL,
            until_ms INTEGER NOT NULL,
            flows TEXT NOT NULL
        );
        """;

    /// <summary>
    /// Concurrency limits (issue 18, <c>FlowOptions.ConcurrencyLimit</c>): <c>concurrency_key</c> (<c>''</c>: none, the flow's
    /// key-less slot set) and <c>concurrency_limit</c> (null: unlimited), written once by the insert. Limited pending jobs
    /// leave <c>jobs_ready</c> (rebuilt with <c>concurrency_limit IS NULL</c>) for <c>jobs_limited_ready</c>, walked per
    /// (flow, key); <c>jobs_limited_running</c> counts a key's running jobs.
    /// </summary>
    public const string MigrationConcurrency = """
        ALTER TABLE jobs ADD COLUMN concurrency_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE jobs ADD COLUMN concurrency_limit INTEGER;
        DROP INDEX IF EXISTS jobs_ready;
        CREATE INDEX jobs_ready ON jobs (priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NULL;
        CREATE INDEX IF NOT EXISTS jobs_limited_ready ON jobs (flow, concurrency_key, priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NOT NULL;
        CREATE INDEX IF NOT EXISTS jobs_limited_running ON jobs (flow, concurrency_key) WHERE status = 1 AND concurrency_limit IS NOT NULL;
        """;

    /// <summary>
    /// Rate limits (issue 18, ratelimit): <c>rate_limit_scopes</c>, one row per scope (its pause), and <c>rate_limit_usage</c>,
    /// the sliding-window log (each grant or recorded usage: when, its weight, and when it leaves its window); and
    /// <c>jobs.waiting_reason</c>, why a pending job waits (a rate limit), written by the commit that released it.
    /// </summary>
    public const string MigrationRateLimits = """
        CREATE TABLE IF NOT EXISTS rate_limit_scopes (scope TEXT PRIMARY KEY, paused_until INTEGER);
        CREATE TABLE IF NOT EXISTS rate_limit_usage (scope TEXT NOT NULL, at_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL, weight INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS rate_limit_usage_scope ON rate_limit_usage (scope, at_ms);
        CREATE INDEX IF NOT EXISTS rate_limit_usage_until ON rate_limit_usage (until_ms);
        ALTER TABLE jobs ADD COLUMN waiting_reason TEXT;
        """;

    public const string RateExpire = "DELETE FROM rate_limit_usage WHERE scope = @scope AND until_ms <= @now";

    public const string RateUsage = "SELECT at_ms, weight FROM rate_limit_usage WHERE scope = @scope AND at_ms > @since ORDER BY at_ms";

    public const string RateRecord = "INSERT INTO rate_limit_usage (scope, at_ms, until_ms, weight) VALUES (@scope, @now, @until, @weight)";

    public const string RatePause = """
        INSERT INTO rate_limit_scopes (scope, paused_until) VALUES (@scope, @until)
        ON CONFLICT (scope) DO UPDATE SET paused_until = max(coalesce(paused_until, excluded.paused_until), excluded.paused_until)
        RETURNING paused_until
        """;

    public const string RatePausedUntil = "SELECT paused_until FROM rate_limit_scopes WHERE scope = @scope";

    public const string RatePurgeUsage = "DELETE FROM rate_limit_usage WHERE until_ms <= @now";

    public const string RatePurgeScopes = """
        DELETE FROM rate_limit_scopes
        WHERE coalesce(paused_until, 0) <= @now AND NOT EXISTS (SELECT 1 FROM rate_limit_usage u WHERE u.scope = rate_limit_scopes.scope)
        """;

    /// <summary>
    /// Limited jobs in claim order (issue 18, limits that do not bind cost little): limited pending jobs are kept in
    /// <c>jobs_limited_ready</c>, rebuilt in plain claim order (priority, run-at, age) like <c>jobs_ready</c>, so that inserting
    /// and claiming them touches the index's ends, not one page per key; a job found with its key full is <em>parked</em>
    /// (<c>jobs.parked</c>) into <c>jobs_limited_parked</c>, per (flow, key), where claims serve it as slots free.
    /// </summary>
    public const string MigrationLimitedOrder = """
        ALTER TABLE jobs ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
        DROP INDEX IF EXISTS jobs_limited_ready;
        CREATE INDEX jobs_limited_ready ON jobs (priority DESC, run_at, seq) WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked = 0;
        CREATE INDEX jobs_limited_parked ON jobs (flow, concurrency_key, priority DESC, run_at, seq) WHERE status = 0 AND parked = 1;
        """;

    /// <summary>Every migration in order: the one at index <c>i</c> brings the file to schema version <c>i + 1</c>.</summary>
    public static readonly string[] Migrations =
        [Migration1, Migration2, Migration3, Migration4, Migration5, MigrationFlowVersions, MigrationTraceParent, MigrationTimers, MigrationRetention, MigrationWorkers, MigrationConcurrency, MigrationRateLimits, MigrationLimitedOrder];

    /// <summary>Registers or renews a worker and deletes the rows expired at its heartbeat (@last_seen_at).</summary>
    public const string SaveWorker = """
        DELETE FROM workers WHERE until_ms <= @last_seen_at AND id <> @id;
        INSERT INTO workers (id, host, process_id, started_at, last_seen_at, until_ms, flows)
        VALUES (@id, @host, @process_id, @started_at, @last_seen_at, @until_ms, @flows)
        ON CONFLICT (id) DO UPDATE SET host = excluded.host, process_id = excluded.process_id, started_at = excluded.started_at,
            last_seen_at = excluded.last_seen_at, until_ms = excluded.until_ms, flows = excluded.flows;
        """;

    /// <summary>Removes a worker's row.</summary>
    public const string RemoveWorker = "DELETE FROM workers WHERE id = @id";

    /// <summary>The live workers at @now, by start time, then id.</summary>
    public const string ListWorkers =
        "SELECT id, host, process_id, started_at, last_seen_at, until_ms, flows FROM workers WHERE until_ms > @now ORDER BY started_at, id";

    /// <summary>The columns of a claimed job (the worker runs from the context: no scheduled input; the trace context for the step spans).</summary>
    public const string JobColumns =
        "id, flow, status, context, priority, run_at, created_at, updated_at, started_at, finished_at, error, parent_id, retries, attempts, idempotency_key, version, takeovers, flow_version, trace_parent, concurrency_key, concurrency_limit";

    /// <summary>The columns of a job read for a caller: <see cref="JobColumns"/>, the scheduled input and the count of every retry.</summary>
    public const string JobReadColumns = JobColumns + ", input, total_retries, waiting_reason";

    /// <summary>
    /// The text <c>JobQuery.Search</c> matches in a job: its id, flow, error, scheduled input and current output (the
    /// context's <c>output</c>: the value itself for a string, its JSON text otherwise), each on its own. <c>LIKE</c> folds
    /// ASCII letters only.
    /// </summary>
    public const string SearchCondition = """
        (id LIKE @search ESCAPE '\' OR flow LIKE @search ESCAPE '\' OR error LIKE @search ESCAPE '\' OR input LIKE @search ESCAPE '\'
          OR json_extract(context, '$.output') LIKE @search ESCAPE '\')
        """;

    public const string InsertJob = """
        INSERT INTO jobs (id, flow, status, context, priority, run_at, created_at, updated_at, parent_id, parent_wait_id, idempotency_key,
          lease_owner, lease_until, version, attempts, started_at, input, flow_version, trace_parent, concurrency_key, concurrency_limit, parked)
        VALUES (@id, @flow, @status, @context, @priority, @run_at, @now, @now, @parent_id, @parent_wait_id, @key,
          @lease_owner, @lease_until, @version, @version, CASE WHEN @version = 1 THEN @now END, @input, @flow_version, @trace_parent, @concurrency_key, @concurrency_limit, @parked)
        ON CONFLICT (idempotency_key) DO NOTHING
        """;

    public const string JobIdByKey = "SELECT id FROM jobs WHERE idempotency_key = @key";

    /// <summary>
    /// Claims due pending jobs of one priority level. The claim walks the levels from the highest (<see cref="NextPriorityLevel"/>):
    /// within a level the ready index is in run-at order, so the scan stops at the first job not yet due. One scan ordered by
    /// (priority, run-at) would read past every job scheduled for later whenever fewer jobs are due than asked for. Flow
    /// versions: a job with a recorded version is taken only when its (flow, version) key (<c>FlowVersionKey</c>) is in
    /// @flow_versions (null: every version); a job with none recorded (<c>''</c>) only needs its flow in @flows.
    /// </summary>
    public const string ClaimPending = $"""
        UPDATE jobs SET status = 1, lease_owner = @owner, lease_until = @until, version = version + 1, attempts = attempts + 1,
          started_at = coalesce(started_at, @now), updated_at = @now
        WHERE seq IN (SELECT seq FROM jobs INDEXED BY jobs_ready
                      WHERE status = 0 AND concurrency_limit IS NULL AND priority = @priority AND run_at <= @now AND flow IN (SELECT value FROM json_each(@flows))
                        AND (@flow_versions IS NULL OR flow_version = '' OR flow || char(31) || flow_version IN (SELECT value FROM json_each(@flow_versions)))
                      ORDER BY run_at, seq LIMIT @max)
        RETURNING {JobColumns}
        """;

    /// <summary>The highest priority of a pending job below @below (NULL when none): one probe of the ready index.</summary>
    public const string NextPriorityLevel = "SELECT max(priority) FROM jobs INDEXED BY jobs_ready WHERE status = 0 AND concurrency_limit IS NULL AND priority < @below";

    /// <summary>
    /// The heads of the scopes with parked jobs (jobs met with their key full: <c>jobs.parked</c>), in one statement: the
    /// (flow, key) scopes of <c>jobs_limited_parked</c> (a loose scan: one probe per scope, however many jobs it holds; the
    /// recursion carries the rowid of each scope's first row, which is its first job in order), of flows @flows, each with its
    /// next due job in order (priority, run-at, age) of a version in @flow_versions: that first row itself when it is due and
    /// of such a version (no other probe), else found by a probe of the scope. Returns flow, key, the head's limit; best head
    /// first. No count here: the caller counts a scope's running jobs only when it comes to serve it. No parked job (limits
    /// that do not bind): one probe, no row.
    /// </summary>
    public const string ParkedScopeHeads = """
        WITH RECURSIVE scopes(seq) AS (
          SELECT (SELECT seq FROM jobs INDEXED BY jobs_limited_parked WHERE status = 0 AND parked = 1
                  ORDER BY flow, concurrency_key LIMIT 1)
          UNION ALL
          SELECT coalesce(
              (SELECT n.seq FROM jobs AS n INDEXED BY jobs_limited_parked
               WHERE n.status = 0 AND n.parked = 1 AND n.flow = s.flow AND n.concurrency_key > s.concurrency_key
               ORDER BY n.concurrency_key LIMIT 1),
              (SELECT n.seq FROM jobs AS n INDEXED BY jobs_limited_parked
               WHERE n.status = 0 AND n.parked = 1 AND n.flow > s.flow
               ORDER BY n.flow, n.concurrency_key LIMIT 1))
          FROM scopes CROSS JOIN jobs AS s ON s.seq = scopes.seq),
        heads AS (
          SELECT s.flow, s.concurrency_key AS k,
            CASE WHEN s.run_at <= @now
                   AND (@flow_versions IS NULL OR s.flow_version = '' OR s.flow || char(31) || s.flow_version IN (SELECT value FROM json_each(@flow_versions)))
                 THEN s.seq
                 ELSE (SELECT h.seq FROM jobs AS h INDEXED BY jobs_limited_parked
                       WHERE h.status = 0 AND h.parked = 1 AND h.flow = s.flow AND h.concurrency_key = s.concurrency_key AND h.run_at <= @now
                         AND (@flow_versions IS NULL OR h.flow_version = '' OR h.flow || char(31) || h.flow_version IN (SELECT value FROM json_each(@flow_versions)))
                       ORDER BY h.priority DESC, h.run_at, h.seq LIMIT 1) END AS head
          FROM scopes CROSS JOIN jobs AS s ON s.seq = scopes.seq
          WHERE s.flow IN (SELECT value FROM json_each(@flows)))
        SELECT heads.flow, heads.k, h.concurrency_limit
        FROM heads CROSS JOIN jobs AS h ON h.seq = heads.head
        ORDER BY h.priority DESC, h.run_at, h.seq
        """;

    /// <summary>The running jobs of a limited scope (the slots in use), through <c>jobs_limited_running</c>.</summary>
    public const string CountRunningLimited = """
        SELECT count(*) FROM jobs INDEXED BY jobs_limited_running
        WHERE status = 1 AND concurrency_limit IS NOT NULL AND flow = @flow AND concurrency_key = @key
        """;

    /// <summary>
    /// Claims the next @max due parked jobs of a limited scope, in order (unparked: a job that is pending again later, after a
    /// retry or a lease expiry, is back in claim order); the caller counted its free slots in the same write transaction.
    /// </summary>
    public const string ClaimParked = $"""
        UPDATE jobs SET status = 1, parked = 0, lease_owner = @owner, lease_until = @until, version = version + 1, attempts = attempts + 1,
          started_at = coalesce(started_at, @now), updated_at = @now
        WHERE seq IN (SELECT seq FROM jobs INDEXED BY jobs_limited_parked
                      WHERE status = 0 AND parked = 1 AND flow = @flow AND concurrency_key = @key AND run_at <= @now
                        AND (@flow_versions IS NULL OR flow_version = '' OR flow || char(31) || flow_version IN (SELECT value FROM json_each(@flow_versions)))
                      ORDER BY priority DESC, run_at, seq LIMIT @max)
        RETURNING {JobColumns}
        """;

    /// <summary>The highest priority of a limited job in claim order (not parked) below @below (NULL when none): one probe.</summary>
    public const string NextLimitedPriorityLevel =
        "SELECT max(priority) FROM jobs INDEXED BY jobs_limited_ready WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked = 0 AND priority < @below";

    /// <summary>
    /// The due limited jobs of one priority level in claim order (run-at, age) through <c>jobs_limited_ready</c>, of flows
    /// @flows and versions @flow_versions (as <see cref="ClaimPending"/>): seq, flow, key, limit. The caller reads only as
    /// many rows as it needs.
    /// </summary>
    public const string LimitedInOrder = """
        SELECT seq, flow, concurrency_key, concurrency_limit FROM jobs INDEXED BY jobs_limited_ready
        WHERE status = 0 AND concurrency_limit IS NOT NULL AND parked = 0 AND priority = @priority AND run_at <= @now AND flow IN (SELECT value FROM json_each(@flows))
          AND (@flow_versions IS NULL OR flow_version = '' OR flow || char(31) || flow_version IN (SELECT value FROM json_each(@flow_versions)))
        ORDER BY run_at, seq
        """;

    /// <summary>Claims the pending jobs @seqs (a JSON array of rowids) that the caller chose in the same write transaction.</summary>
    public const string ClaimChosen = $"""
        UPDATE jobs SET status = 1, lease_owner = @owner, lease_until = @until, version = version + 1, attempts = attempts + 1,
          started_at = coalesce(started_at, @now), updated_at = @now
        WHERE seq IN (SELECT value FROM json_each(@seqs)) AND status = 0
        RETURNING {JobColumns}
        """;

    /// <summary>Parks the pending jobs @seqs (a JSON array of rowids): met by a claim with their key full.</summary>
    public const string ParkChosen = "UPDATE jobs SET parked = 1 WHERE seq IN (SELECT value FROM json_each(@seqs)) AND status = 0";

    public const string ClaimExpired = $"""
        UPDATE jobs SET lease_owner = @owner, lease_until = @until, version = version + 1, attempts = attempts + 1, takeovers = takeovers + 1, updated_at = @now
        WHERE seq IN (SELECT seq FROM jobs INDEXED BY jobs_leases WHERE status = 1 AND lease_until < @now AND flow IN (SELECT value FROM json_each(@flows))
                        AND (@flow_versions IS NULL OR flow_version = '' OR flow || char(31) || flow_version IN (SELECT value FROM json_each(@flow_versions)))
                      ORDER BY lease_until LIMIT @max)
        RETURNING {JobColumns}
        """;

    public const string ResolutionsFor = """
        SELECT job_id, wait_id, status, output, error FROM waits
        WHERE job_id IN (SELECT value FROM json_each(@ids)) AND status <> 0 AND consumed = 0
        """;

    public const string CommitJob = """
        UPDATE jobs SET status = @status, context = @context, error = @error, retries = @retries, total_retries = total_retries + max(@retries - retries, 0), run_at = coalesce(@run_at, run_at),
          updated_at = @now, finished_at = @finished_at, lease_owner = @lease_owner, lease_until = @lease_until, version = version + 1, takeovers = 0, waiting_reason = @waiting_reason
        WHERE id = @id AND version = @version AND lease_owner = @owner
        RETURNING parent_id, parent_wait_id
        """;

    /// <summary>
    /// <see cref="CommitJob"/> for a job that stays running (the middle steps of a flow): the same row afterwards, but without
    /// assigning status, run_at or lease_owner (unchanged here: status 1 is required and the lease owner is checked), so SQLite
    /// leaves the indexes on them alone; only the lease index moves.
    /// </summary>
    public const string CommitStillRunning = """
        UPDATE jobs SET context = @context, error = NULL, retries = @retries, total_retries = total_retries + max(@retries - retries, 0), updated_at = @now, finished_at = NULL, lease_until = @lease_until,
          version = version + 1, takeovers = 0, waiting_reason = NULL
        WHERE id = @id AND version = @version AND lease_owner = @owner AND status = 1
        """;

    public const string ConsumeWaits = "UPDATE waits SET consumed = 1 WHERE job_id = @id AND status <> 0 AND consumed = 0";

    // A state that runs again (a loop, a retry) may register a wait id it used before; that earlier wait was resolved and
    // consumed by a committed step, so the row starts over as a new pending wait.
    public const string InsertWait = """
        INSERT INTO waits (job_id, wait_id, type) VALUES (@job_id, @wait_id, @type)
        ON CONFLICT (job_id, wait_id) DO UPDATE SET type = excluded.type, status = 0, output = NULL, error = NULL, consumed = 0, resolved_at = NULL, due_at = NULL
        """;

    /// <summary><see cref="InsertWait"/> for a wait with a timer (due at <c>@due_at</c>).</summary>
    public const string InsertTimedWait = """
        INSERT INTO waits (job_id, wait_id, type, due_at) VALUES (@job_id, @wait_id, @type, @due_at)
        ON CONFLICT (job_id, wait_id) DO UPDATE SET type = excluded.type, status = 0, output = NULL, error = NULL, consumed = 0, resolved_at = NULL, due_at = excluded.due_at
        """;

    /// <summary>The pending timers of blocking jobs due at <c>@now</c>, earliest first.</summary>
    public const string DueTimers = """
        SELECT w.job_id, w.wait_id, w.type FROM waits w INDEXED BY waits_timers JOIN jobs j ON j.id = w.job_id
        WHERE w.status = 0 AND w.due_at IS NOT NULL AND w.due_at <= @now AND j.status = 2
        ORDER BY w.due_at LIMIT @limit
        """;

    /// <summary>The due time of the earliest pending timer of a blocking job.</summary>
    public const string NextTimerDue = """
        SELECT w.due_at FROM waits w INDEXED BY waits_timers JOIN jobs j ON j.id = w.job_id
        WHERE w.status = 0 AND w.due_at IS NOT NULL AND j.status = 2
        ORDER BY w.due_at LIMIT 1
        """;

    public const string InsertEscalation = """
        INSERT INTO escalations (id, job_id, wait_id, user_name, message, inputs, created_at)
        VALUES (@id, @job_id, @id, @user, @message, @inputs, @now)
        """;

    public const string InsertEvent = """
        INSERT INTO job_events (job_id, at, kind, state, step, from_status, to_status, duration_ms, error)
        VALUES (@job_id, @at, @kind, @state, @step, @from, @to, @duration, @error)
        """;

    public const string ResolveWait = """
        UPDATE waits SET status = @status, output = @output, error = @error, resolved_at = @now
        WHERE job_id = @job_id AND wait_id = @wait_id AND status = 0
        """;

    public const string Unblock = """
        UPDATE jobs SET status = 0, run_at = @now, updated_at = @now, version = version + 1
        WHERE id = @id AND status = 2 AND NOT EXISTS (SELECT 1 FROM waits WHERE job_id = @id AND status = 0)
        """;

    /// <summary>What decides whether a job made pending by a fired timer starts at once: its flow, version and concurrency limit.</summary>
    public const string UnblockedJob = "SELECT flow, flow_version, concurrency_limit FROM jobs WHERE id = @id";

    /// <summary>Starts a pending job made pending by a fired timer in this write, as <see cref="ClaimPending"/> takes one.</summary>
    public const string StartTimerJob = $"""
        UPDATE jobs SET status = 1, lease_owner = @owner, lease_until = @until, version = version + 1, attempts = attempts + 1,
          started_at = coalesce(started_at, @now), updated_at = @now
        WHERE id = @id AND status = 0
        RETURNING {JobColumns}
        """;

    public const string CancelDescendants = """
        WITH RECURSIVE d(id) AS (
          SELECT id FROM jobs WHERE parent_id = @root
          UNION SELECT j.id FROM jobs j JOIN d ON j.parent_id = d.id)
        UPDATE jobs SET status = 5, error = @error, finished_at = @now, updated_at = @now, version = version + 1, lease_owner = NULL, lease_until = NULL
        WHERE id IN (SELECT id FROM d) AND status IN (0, 1, 2)
        RETURNING id, flow
        """;

    public const string JobStatusAndParent = "SELECT status, parent_id, parent_wait_id FROM jobs WHERE id = @id";

    /// <summary>A job's status and one of its waits (status, type and timer due time, null when it has no such wait); no row when there is no such job.</summary>
    public const string JobAndWaitStatus = """
        SELECT j.status, w.status, w.type, w.due_at FROM jobs j LEFT JOIN waits w ON w.job_id = j.id AND w.wait_id = @wait_id
        WHERE j.id = @job_id
        """;

    /// <summary>The pending escalations of the jobs in @ids (a JSON array) become cancelled: their jobs ended first.</summary>
    public const string CancelEscalations = $"""
        UPDATE escalations SET status = 3
        WHERE status = 0 AND id IN (SELECT wait_id FROM waits
                                    WHERE job_id IN (SELECT value FROM json_each(@ids)) AND status = 0 AND type = '{WaitTypes.Escalation}')
        """;

    /// <summary>The escalations behind the pending waits of a retried job, cancelled or expired, become pending again.</summary>
    public const string ReviveEscalations = $"""
        UPDATE escalations SET status = 0, response = NULL, replied_by = NULL, answered_at = NULL
        WHERE status IN (3, 4) AND id IN (SELECT wait_id FROM waits WHERE job_id = @id AND status = 0 AND type = '{WaitTypes.Escalation}')
        """;

    /// <summary>The children behind the pending spawn waits of a job, with their status.</summary>
    public const string ChildrenOfPendingWaits = $"""
        SELECT j.id, j.status FROM waits w JOIN jobs j ON j.parent_id = w.job_id AND j.parent_wait_id = w.wait_id
        WHERE w.job_id = @id AND w.status = 0 AND w.type = '{WaitTypes.Spawn}'
        """;

    public const string HasPendingWait = "SELECT EXISTS (SELECT 1 FROM waits WHERE job_id = @id AND status = 0)";

    public const string FinishJob = """
        UPDATE jobs SET status = @status, error = @error, finished_at = @now, updated_at = @now, version = version + 1, lease_owner = NULL, lease_until = NULL
        WHERE id = @id
        """;

    public const string RetryJob = """
        UPDATE jobs SET status = @status, error = NULL, finished_at = NULL, retries = 0, total_retries = total_retries + 1, takeovers = 0, run_at = @now, updated_at = @now, version = version + 1,
          lease_owner = NULL, lease_until = NULL
        WHERE id = @id AND status IN (4, 5)
        """;

    public const string RenewLease = "UPDATE jobs SET lease_until = @until WHERE id = @id AND status = 1 AND lease_owner = @owner";

    public const string GetJob = $"SELECT {JobReadColumns} FROM jobs WHERE id = @id";

    public const string GetJobs = $"SELECT {JobReadColumns} FROM jobs WHERE id IN (SELECT value FROM json_each(@ids))";

    public const string History = "SELECT job_id, at, kind, state, step, from_status, to_status, duration_ms, error FROM job_events WHERE job_id = @id ORDER BY seq";

    public const string EscalationColumns = "id, job_id, wait_id, user_name, message, inputs, status, response, replied_by, created_at, answered_at";

    public const string GetEscalation = $"SELECT {EscalationColumns} FROM escalations WHERE id = @id";

    public const string AnswerEscalation = """
        UPDATE escalations SET status = @status, response = @response, replied_by = @replied_by, answered_at = @now
        WHERE id = @id AND status = 0
        """;

    /// <summary>The earliest run-at of a pending job not yet due (lease expiries are left to the safety poll).</summary>
    public const string NextDue = "SELECT min(run_at) FROM jobs INDEXED BY jobs_due WHERE status = 0 AND run_at > @now";

    public const string JobStatus = "SELECT status FROM jobs WHERE id = @id";

    public const string CountJobs = "SELECT status, count(*) FROM jobs GROUP BY status";

    /// <summary>The earliest run-at of a pending job due at @now: the first entry of the due index.</summary>
    public const string OldestDue = "SELECT min(run_at) FROM jobs INDEXED BY jobs_due WHERE status = 0 AND run_at <= @now";

    public const string ExpiredLeases = "SELECT id FROM jobs INDEXED BY jobs_leases WHERE status = 1 AND lease_until < @now ORDER BY lease_until LIMIT @limit";

    public const string ReleaseExpiredLease = """
        UPDATE jobs SET status = 0, parked = (concurrency_limit IS NOT NULL), lease_owner = NULL, lease_until = NULL, version = version + 1, takeovers = takeovers + 1, updated_at = @now
        WHERE id = @id AND status = 1 AND lease_until < @now
        """;

    /// <summary>Pending jobs that came due in (since, now], counted up to 1,000 (enough to know that workers must wake).</summary>
    public const string PromotedJobs = "SELECT count(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_due WHERE status = 0 AND run_at > @since AND run_at <= @now LIMIT 1000)";
}
