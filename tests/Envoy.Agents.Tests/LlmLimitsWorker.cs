using System.Globalization;
using Envoy.TestServers;

namespace Envoy.Agents.Tests;

/// <summary>
/// The worker process of the shared LLM limit tests (<see cref="SharedLlmLimitsProcessTests"/>): one scheduler on the test's
/// store (a SQLite file, or a PostgreSQL database) that runs only its own agent flow (<see cref="FlowOf"/> its index, so the test decides which process runs a
/// job), whose system prompt names its process id (so the fake server knows which process sent a request). It works until
/// its standard input closes, so it never outlives the test run.
/// </summary>
internal static class LlmLimitsWorker
{
    public const string Mode = "--llm-limits-worker";

    /// <summary>Starts a store argument that is a PostgreSQL connection string (else it is a SQLite file).</summary>
    public const string PostgresPrefix = "postgres:";

    private const string PromptPrefix = "worker ";

    /// <summary>The flow only worker <paramref name="index"/> runs.</summary>
    public static string FlowOf(int index) => "llm-limits-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The id of the worker process that sent <paramref name="request"/> (its system prompt names it).</summary>
    public static int SenderOf(Testing.FakeLlmRequest request)
    {
        var prompt = request.LastMessageText("system") ?? string.Empty;
        return prompt.StartsWith(PromptPrefix, StringComparison.Ordinal)
            ? int.Parse(prompt.AsSpan(PromptPrefix.Length), CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("The request names no worker: " + request);
    }

    /// <summary>The agent of worker <paramref name="pid"/> (the test's reader scheduler registers the same shape, to schedule).</summary>
    public static ToolAgent Agent(string baseUrl, int pid, int? tokensPerMinute, TimeSpan? tokensWindow) =>
        new(
            new OpenAIProvider(new LlmConfig { BaseUrl = baseUrl, ApiKey = "test-key", Model = "fake-model", MaxRetries = 0 }),
            new AgentOptions
            {
                PlanPrompt = PromptPrefix + pid.ToString(CultureInfo.InvariantCulture),
                TokensPerMinute = tokensPerMinute,
                TokensWindow = tokensWindow ?? LlmCallGate.TokenWindow,
            });

    /// <summary>
    /// The workers' store settings: one job at a time (so a waiting call holds its worker), a lease far longer than any wait of
    /// the tests, and quick polls and retries (the 429's step goes back to pending and waits out the pause in its next run).
    /// </summary>
    public static SchedulerConfig Config(string store) => new()
    {
        Sqlite = store.StartsWith(PostgresPrefix, StringComparison.Ordinal) ? null : new SqliteConfig { Path = store, FullSync = false },
        Postgres = store.StartsWith(PostgresPrefix, StringComparison.Ordinal)
            ? new PostgresConfig { ConnectionString = store[PostgresPrefix.Length..], MaxPoolSize = 10 } // 4 processes: 40 of the server's 100
            : null,
        Concurrency = 1,
        LeaseDuration = TimeSpan.FromMinutes(5),
        PollInterval = TimeSpan.FromMilliseconds(100),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Starts worker <paramref name="index"/> as a child process (<c>dotnet Envoy.Agents.Tests.dll --llm-limits-worker ...</c>).</summary>
    public static DotnetWorkerProcess Start(string store, string baseUrl, int index, int? tokensPerMinute = null, TimeSpan? tokensWindow = null) =>
        DotnetWorkerProcess.Start(
            typeof(Program).Assembly.Location,
            Mode,
            store,
            baseUrl,
            index.ToString(CultureInfo.InvariantCulture),
            (tokensPerMinute ?? 0).ToString(CultureInfo.InvariantCulture),
            ((long)(tokensWindow ?? LlmCallGate.TokenWindow).TotalMilliseconds).ToString(CultureInfo.InvariantCulture));

    /// <summary>The worker process: <c>store baseUrl index tokensPerMinute(0: none) tokensWindowMs</c>; prints <c>READY pid</c> once it works.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var (store, baseUrl) = (args[1], args[2]);
        var index = int.Parse(args[3], CultureInfo.InvariantCulture);
        var tokensPerMinute = int.Parse(args[4], CultureInfo.InvariantCulture);
        var window = TimeSpan.FromMilliseconds(long.Parse(args[5], CultureInfo.InvariantCulture));
        await using var scheduler = await Scheduler.InitAsync(Config(store));
        scheduler.AddFlow(FlowOf(index), Agent(baseUrl, Environment.ProcessId, tokensPerMinute == 0 ? null : tokensPerMinute, window));
        await scheduler.StartAsync();
        Console.WriteLine("READY " + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        while (await Console.In.ReadLineAsync() is not null)
        {
            // Works until the test closes standard input (or kills this process).
        }

        return 0;
    }
}
