using Envoy.AspNetCore.Json;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>
/// Jobs as the jobs routes answer them. Their <c>retries</c> counts every retry the job had, automatic and by hand (server.md:
/// a retry by hand grows it by one), read from its history: <see cref="Job.Retries"/> is the budget of automatic retries, which
/// a retry by hand starts afresh (scheduler.md), so it alone would go back to 0.
/// </summary>
internal static class JobAnswers
{
    /// <summary>The job with this id, as stored now.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public static async Task<JobJson> ReadAsync(JobScheduler scheduler, string id, CancellationToken cancellationToken)
    {
        var job = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        return await OfAsync(scheduler, job, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The API form of <paramref name="job"/>.</summary>
    public static async Task<JobJson> OfAsync(JobScheduler scheduler, Job job, CancellationToken cancellationToken)
    {
        var history = await scheduler.GetJobHistoryAsync(job.Id, cancellationToken).ConfigureAwait(false);
        return JobJson.From(job) with { Retries = Math.Max(job.Retries, RetriesIn(history)) };
    }

    /// <summary>The API forms of <paramref name="jobs"/>, in their order.</summary>
    public static async Task<List<JobJson>> OfAsync(JobScheduler scheduler, IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        var answers = new List<JobJson>(jobs.Count);
        foreach (var job in jobs)
        {
            answers.Add(await OfAsync(scheduler, job, cancellationToken).ConfigureAwait(false));
        }

        return answers;
    }

    /// <summary>Every retry in a history: a failed step that went back to pending (automatic), and a retry by hand.</summary>
    public static int RetriesIn(IReadOnlyList<JobEvent> history) =>
        history.Count(e => e.Kind == JobEventKind.Retried || (e.Kind == JobEventKind.StepFailed && e.To == JobStatus.Pending));
}
