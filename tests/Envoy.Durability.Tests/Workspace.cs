using Envoy.TestServers;
using Microsoft.Data.Sqlite;

namespace Envoy.Durability.Tests;

/// <summary>
/// A temporary folder with the job database and the run log of one test, the workers started on them (each killed and
/// disposed by this, never any other process), and a scheduler opened on the same file to read jobs (never started).
/// </summary>
internal sealed class Workspace : IAsyncDisposable
{
    private readonly List<DotnetWorkerProcess> _workers = [];
    private Scheduler? _reader;

    public Workspace()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("envoy-durability-").FullName;
        Db = Path.Combine(Directory, "jobs.db");
        Runs = Path.Combine(Directory, "runs.db");
    }

    public string Directory { get; }

    public string Db { get; }

    public string Runs { get; }

    /// <summary>Starts a worker on this workspace's files with a 1 s lease, so that a killed worker's jobs are taken over quickly.</summary>
    public DotnetWorkerProcess StartWorker(params string[] args)
    {
        var worker = FaultWorker.Start(["--db", Db, "--runs", Runs, "--lease-ms", "1000", "--concurrency", "4", "--work-ms", "30", .. args]);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>A scheduler on the job database, for reading jobs and history (it runs nothing).</summary>
    public async Task<Scheduler> ReaderAsync() =>
        _reader ??= await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = Db }, PollInterval = TimeSpan.FromMilliseconds(100) });

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean the temp folder.
        }
    }
}
