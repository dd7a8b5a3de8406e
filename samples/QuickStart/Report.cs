using Envoy;

namespace QuickStart;

/// <summary>Prints each job's result (status and output), its children and its history.</summary>
public static class Report
{
    /// <summary>Prints every job; true when all of them are done.</summary>
    public static async Task<bool> PrintAsync(Scheduler scheduler, IEnumerable<(string Title, string Id)> jobs)
    {
        var allDone = true;
        foreach (var (title, id) in jobs)
        {
            var job = await scheduler.GetJobAsync(id);
            allDone &= job.Status == JobStatus.Done;
            Console.WriteLine();
            Console.WriteLine($"{title} [{job.Flow}#{id[^4..]}]: {Result(job)}");
            foreach (var child in await scheduler.ListJobsAsync(new JobQuery { ParentId = id }))
            {
                allDone &= child.Status == JobStatus.Done;
                Console.WriteLine($"    child {child.Flow}#{child.Id[^4..]}: {Result(child)}");
            }

            foreach (var e in await scheduler.GetJobHistoryAsync(id))
            {
                Console.WriteLine($"    {e.At:HH:mm:ss.fff}  {e.Kind,-18} {Where(e),-18} {Change(e)}{(e.Error is null ? string.Empty : "  " + e.Error)}");
            }
        }

        // Dashboard-style counters (from Redis's status cache when Redis is configured, else from the store).
        var counts = await scheduler.GetJobCountsAsync();
        Console.WriteLine();
        Console.WriteLine("jobs by status: " + string.Join(", ", counts.Where(c => c.Value > 0).Select(c => $"{c.Key.ToString().ToLowerInvariant()} {c.Value}")));
        return allDone;
    }

    private static string Result(Job job) =>
        $"{job.Status.ToString().ToLowerInvariant()}, output {job.Context.Output()?.ToJsonString() ?? "null"}{(job.Error is null ? string.Empty : ", error " + job.Error)}";

    private static string Where(JobEvent e) => e.State is null ? string.Empty : $"{e.State} (step {e.Step})";

    private static string Change(JobEvent e) =>
        e.From is null && e.To is null ? string.Empty : $"{e.From?.ToString().ToLowerInvariant() ?? "-"} -> {e.To?.ToString().ToLowerInvariant() ?? "-"}";
}
