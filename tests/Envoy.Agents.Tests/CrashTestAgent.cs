namespace Envoy.Agents.Tests;

/// <summary>The agent of the scheduled crash test, built the same way in the worker process and in the test.</summary>
internal static class CrashTestAgent
{
    public const string Flow = "counting-agent";

    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    public static ToolAgent Build(string baseUrl, string markerFile)
    {
        // The tool leaves a line in a file per run, so the test can count runs across processes.
        var count = AgentTool.Create("count", "Count this call", () =>
        {
            File.AppendAllText(markerFile, Environment.ProcessId + Environment.NewLine);
            return File.ReadAllLines(markerFile).Length;
        });
        var provider = new OpenAIProvider(new LlmConfig { BaseUrl = baseUrl, ApiKey = "test-key", Model = "fake-model", MaxRetries = 0 });
        return new ToolAgent(provider, new AgentOptions { Tools = [count] });
    }

    public static SchedulerConfig Config(string dbPath) => new()
    {
        Sqlite = new SqliteConfig { Path = dbPath },
        Concurrency = 1,
        LeaseDuration = Lease,
        PollInterval = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>The worker process: schedules one agent job, prints its id, and works until it is killed.</summary>
    public static async Task RunWorkerAsync(string dbPath, string baseUrl, string markerFile)
    {
        await using var scheduler = await Scheduler.InitAsync(Config(dbPath));
        scheduler.AddFlow(Flow, Build(baseUrl, markerFile));
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(Flow, "Count once, then say so.");
        Console.WriteLine("JOB " + id);
        await Task.Delay(Timeout.InfiniteTimeSpan);
    }
}
