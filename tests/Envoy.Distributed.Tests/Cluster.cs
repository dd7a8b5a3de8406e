using Envoy.TestServers;
using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Envoy.Distributed.Tests;

/// <summary>
/// One test's PostgreSQL database (and optional Redis endpoint), the worker processes started on it (each killed and disposed
/// by this, never any other process) and a <see cref="Ledger"/> to read it. Writes a timeline to the test output.
/// </summary>
internal sealed class Cluster(string connectionString, string? redis, ITestOutputHelper output) : IAsyncDisposable
{
    public const int SigKillExitCode = 128 + 9;
    private readonly List<DotnetWorkerProcess> _workers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public string ConnectionString { get; } = connectionString;

    public Ledger Ledger { get; } = new(connectionString);

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts a worker on this database (and Redis) with these extra arguments; waits for "STARTED" unless --no-run.</summary>
    public async Task<DotnetWorkerProcess> StartWorkerAsync(CancellationToken ct, params string[] args)
    {
        string[] common = ["--postgres", ConnectionString];
        if (redis is not null)
        {
            common = [.. common, "--redis", redis];
        }

        var worker = PgWorker.Start([.. common, .. args]);
        _workers.Add(worker);
        if (args.Contains("--no-run"))
        {
            await worker.WaitForLineAsync("SCHEDULED", ct);
        }
        else
        {
            await worker.WaitForLineAsync("STARTED", ct);
        }

        return worker;
    }

    public async Task KillAsync(DotnetWorkerProcess worker, CancellationToken ct)
    {
        await worker.KillAsync(ct);
        Assert.Equal(SigKillExitCode, worker.ExitCode);
    }

    public void Log(string message) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.00} s  {message}");

    public static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            if (!worker.HasExited)
            {
                output.WriteLine($"worker {worker.Id} output (tail):\n{Tail(worker.Output)}");
            }

            worker.Dispose();
        }

        await Ledger.DisposeAsync();
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
