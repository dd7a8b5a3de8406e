using System.Globalization;

namespace Envoy.LoadDriver;

/// <summary>The command line of the load driver (see bench/README.md).</summary>
internal sealed class DriverOptions
{
    public const string Usage = """
        usage: Envoy.LoadDriver --workload single|chain|fanout --n N --concurrency C --store sqlite
                                [--sync full|normal] [--db PATH] [--batch B] [--max-backlog M]
                                [--warmup W] [--latency-probe K] [--claim-batch X] [--claim-ahead A] [--commit-batch Y]
                                [--verify-history H] [--timeout SECONDS] [--keep-db] [--quiet] [--eager-start on|off] [--probe-remote] [--store-events-compare] [--telemetry-compare]
               --store postgres|postgres+redis --pg CONNSTRING [--redis HOST:PORT] [--processes P]
                                [--pending-backlog B]   (B pending jobs due in a year inserted before the run)
               [--limit L] [--keys K]   (the top flow with FlowOptions.ConcurrencyLimit L; jobs on K concurrency keys, round robin)
               [--rate-limit P]         (the top flow with FlowOptions.RateLimit: P step starts per second)
               [--fairness-flood F]     (instead of the run: F jobs on one key at --limit, then key B's schedule-to-start latency)
               (--worker: internal, the extra worker processes of --processes P)
        """;

    public string Workload { get; private set; } = "chain";

    public int N { get; private set; } = 20_000;

    public int Concurrency { get; private set; } = 256;

    public string Store { get; private set; } = "sqlite";

    public bool FullSync { get; private set; } = true;

    public string? DbPath { get; private set; }

    public bool KeepDb { get; private set; }

    /// <summary>Jobs scheduled concurrently per batch.</summary>
    public int Batch { get; private set; } = 500;

    /// <summary>At most this many scheduled top-level jobs not yet finished before the next batch is scheduled.</summary>
    public int MaxBacklog { get; private set; } = 2_000;

    /// <summary>Jobs run before the measured phase, so that the JIT has compiled the hot paths (not measured; verified too).</summary>
    public int Warmup { get; private set; } = 2_000;

    /// <summary>Jobs scheduled one at a time with idle workers to measure schedule-to-start latency (0 = skip).</summary>
    public int LatencyProbe { get; private set; } = 200;

    /// <summary>Sets the batching options given on the command line (the others keep their defaults).</summary>
    public void ApplyTo(SchedulerConfig config)
    {
        config.ClaimBatchSize = ClaimBatch ?? config.ClaimBatchSize;
        config.CommitBatchSize = CommitBatch ?? config.CommitBatchSize;
        config.ClaimAhead = ClaimAhead ?? config.ClaimAhead;
    }

    public int? ClaimBatch { get; private set; }

    /// <summary><c>SchedulerConfig.EagerStart</c> of the driver's scheduler (off: every job goes through the queue).</summary>
    public bool EagerStart { get; private set; } = true;

    /// <summary>During the latency probe the driver only schedules (its workers are stopped): every probe job starts in another process.</summary>
    public bool ProbeRemote { get; private set; }

    /// <summary>After the run, alternate phases with and without a store-events listener (see StoreEventsComparison).</summary>
    public bool StoreEventsCompare { get; private set; }

    /// <summary>After the run, phases with Envoy's traces and metrics listened to and without (<see cref="TelemetryComparison"/>).</summary>
    public bool TelemetryCompare { get; private set; }

    public int? CommitBatch { get; private set; }

    /// <summary><c>SchedulerConfig.ClaimAhead</c> (unset: the default).</summary>
    public int? ClaimAhead { get; private set; }

    /// <summary>Jobs whose stored history is read back to check each step committed exactly once.</summary>
    public int VerifyHistory { get; private set; } = 500;

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromMinutes(10);

    public bool Quiet { get; private set; }

    public string? Pg { get; private set; }

    public string? Redis { get; private set; }

    public int Processes { get; private set; } = 1;

    /// <summary>This process is one of the extra workers of a multi-process run (started by the driver).</summary>
    public bool Worker { get; private set; }

    /// <summary>Pending jobs of the measured flow, due in a year, inserted with one SQL statement before the run (PostgreSQL only).</summary>
    public int PendingBacklog { get; private set; }

    /// <summary><c>--limit</c>: the top flow's <see cref="FlowOptions.ConcurrencyLimit"/> (null: none).</summary>
    public int? Limit { get; private set; }

    /// <summary><c>--rate-limit</c>: the top flow's <see cref="FlowOptions.RateLimit"/>, in step starts per second (null: none).</summary>
    public int? RatePerSecond { get; private set; }

    /// <summary><c>--keys</c>: jobs are scheduled on this many concurrency keys, round robin (0: no key).</summary>
    public int Keys { get; private set; }

    /// <summary><c>--fairness-flood</c>: the size of the flood of one key in the fairness scenario (0: no such scenario).</summary>
    public int FairnessFlood { get; private set; }

    /// <summary>The schedule options of the <paramref name="index"/>-th job: its concurrency key with <c>--keys</c>.</summary>
    public ScheduleOptions? ScheduleOptionsOf(int index) =>
        Keys > 0 ? new ScheduleOptions { ConcurrencyKey = "key-" + (index % Keys).ToString(CultureInfo.InvariantCulture) } : null;

    /// <summary>The top flow's options: its concurrency limit with <c>--limit</c>, its rate limit with <c>--rate-limit</c>.</summary>
    public FlowOptions? TopFlowOptions =>
        Limit is null && RatePerSecond is null
            ? null
            : new FlowOptions
            {
                ConcurrencyLimit = Limit,
                RateLimit = RatePerSecond is { } permits ? new RateLimit(permits, TimeSpan.FromSeconds(1)) : null,
            };

    public static DriverOptions Parse(string[] args)
    {
        var o = new DriverOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--workload": o.Workload = Value(); break;
                case "--n": o.N = PositiveInt(name, Value()); break;
                case "--concurrency": o.Concurrency = PositiveInt(name, Value()); break;
                case "--store": o.Store = Value(); break;
                case "--sync":
                    var sync = Value();
                    o.FullSync = sync switch
                    {
                        "full" => true,
                        "normal" => false,
                        _ => throw new ArgumentException($"--sync must be full or normal (was '{sync}')."),
                    };
                    break;
                case "--db": o.DbPath = Value(); break;
                case "--keep-db": o.KeepDb = true; break;
                case "--batch": o.Batch = PositiveInt(name, Value()); break;
                case "--max-backlog": o.MaxBacklog = PositiveInt(name, Value()); break;
                case "--warmup": o.Warmup = NonNegativeInt(name, Value()); break;
                case "--latency-probe": o.LatencyProbe = NonNegativeInt(name, Value()); break;
                case "--claim-batch": o.ClaimBatch = PositiveInt(name, Value()); break;
                case "--commit-batch": o.CommitBatch = PositiveInt(name, Value()); break;
                case "--claim-ahead": o.ClaimAhead = NonNegativeInt(name, Value()); break;
                case "--eager-start":
                    var eager = Value();
                    o.EagerStart = eager switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new ArgumentException($"--eager-start must be on or off (was '{eager}')."),
                    };
                    break;
                case "--probe-remote": o.ProbeRemote = true; break;
                case "--store-events-compare": o.StoreEventsCompare = true; break;
                case "--telemetry-compare": o.TelemetryCompare = true; break;
                case "--verify-history": o.VerifyHistory = NonNegativeInt(name, Value()); break;
                case "--timeout": o.Timeout = TimeSpan.FromSeconds(PositiveInt(name, Value())); break;
                case "--quiet": o.Quiet = true; break;
                case "--pg": o.Pg = Value(); break;
                case "--redis": o.Redis = Value(); break;
                case "--processes": o.Processes = PositiveInt(name, Value()); break;
                case "--worker": o.Worker = true; break;
                case "--pending-backlog": o.PendingBacklog = NonNegativeInt(name, Value()); break;
                case "--limit": o.Limit = PositiveInt(name, Value()); break;
                case "--rate-limit": o.RatePerSecond = PositiveInt(name, Value()); break;
                case "--keys": o.Keys = NonNegativeInt(name, Value()); break;
                case "--fairness-flood": o.FairnessFlood = PositiveInt(name, Value()); break;
                case "--help" or "-h": throw new ArgumentException(string.Empty);
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        o.Validate();
        return o;
    }

    private void Validate()
    {
        if (Workload is not ("single" or "chain" or "fanout" or "agent"))
        {
            throw new ArgumentException($"--workload must be single, chain, fanout or agent (was '{Workload}').");
        }

        if (Store is not ("sqlite" or "postgres" or "postgres+redis"))
        {
            throw new ArgumentException($"--store must be sqlite, postgres or postgres+redis (was '{Store}').");
        }

        if (ProbeRemote && Processes < 2)
        {
            throw new ArgumentException("--probe-remote needs --processes 2 or more (another process must run the probe's jobs).");
        }

        if (Store == "postgres+redis" && Redis is null)
        {
            throw new ArgumentException("--store postgres+redis needs --redis HOST:PORT.");
        }

        if (Store.StartsWith("postgres", StringComparison.Ordinal) && Pg is null)
        {
            throw new ArgumentException($"--store {Store} needs --pg CONNSTRING.");
        }
    }

    /// <summary>What this build cannot run yet (null when it can).</summary>
    public string? Unsupported()
    {
        if (Store == "sqlite" && (Processes != 1 || Pg is not null || Redis is not null || PendingBacklog > 0))
        {
            return "--processes, --pg, --redis and --pending-backlog need --store postgres or postgres+redis (the SQLite store runs in one process).";
        }

        if (Store == "postgres" && Redis is not null)
        {
            return "--redis needs --store postgres+redis.";
        }

        if (Workload == "agent")
        {
            return "--workload agent is not supported yet (it needs the fake model server harness); use single, chain or fanout.";
        }

        return null;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer (was '{value}').");

    private static int NonNegativeInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"{name} must be a non-negative integer (was '{value}').");
}
