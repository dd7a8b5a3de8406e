using Envoy;
using QuickStart;

// The embedded store: one SQLite file. A fresh one on every run, so that reruns start clean.
var path = Path.Combine(Path.GetTempPath(), "envoy-quickstart", "quickstart.db");
Directory.CreateDirectory(Path.GetDirectoryName(path)!);
foreach (var file in new[] { path, path + "-wal", path + "-shm" })
{
    File.Delete(file);
}

Console.WriteLine($"Envoy quick start: jobs are stored in {path}");
await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig
{
    Sqlite = new SqliteConfig { Path = path },
    Concurrency = 4, // jobs running at once in this process
    MaxRetries = 2,  // per job, after a failed step
});
Flows.Register(scheduler);

using var finished = new CancellationTokenSource();
var watcher = Watcher.RunAsync(scheduler, finished.Token);
await scheduler.StartAsync();

// A recurring job (cron): "hello" every night at 02:00 Berlin time, stored with the jobs (every process on the store sees it,
// one job per occurrence); triggered once by hand here to see it run.
await scheduler.AddRecurringAsync("nightly-hello", "hello", "0 2 * * *", options: new RecurringOptions { TimeZone = "Europe/Berlin" });

(string Title, string Id)[] jobs =
[
    ("Routing, the seed's first example", await scheduler.ScheduleAsync("hello")),
    ("Conditional branch with 42", await scheduler.ScheduleAsync("check", 42)),
    ("Conditional branch with 7", await scheduler.ScheduleAsync("check", 7)),
    ("Fan-out to 4 children", await scheduler.ScheduleAsync("sum-of-squares", new[] { 1, 2, 3, 4 })),
    ("External wait (a payment webhook)", await scheduler.ScheduleAsync("payment", 1042)),
    ("Escalation to alice, approved", await scheduler.ScheduleAsync("refund", 30)),
    ("Escalation to alice, rejected", await scheduler.ScheduleAsync("refund", 900)),
    ("Recurring nightly-hello, triggered by hand", await scheduler.TriggerRecurringAsync("nightly-hello")),
];
Console.WriteLine($"Scheduled {jobs.Length} jobs; progress:");

foreach (var (_, id) in jobs)
{
    await scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(30));
}

await finished.CancelAsync();
await watcher;

var allDone = await Report.PrintAsync(scheduler, jobs);
Console.WriteLine();
Console.WriteLine(allDone ? "All jobs are done." : "Some jobs did not finish as expected.");
return allDone ? 0 : 1;
