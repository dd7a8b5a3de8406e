using Envoy.AspNetCore.Json;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>
/// Jobs as the jobs routes answer them. Their <c>retries</c> counts every retry the job had, automatic and by hand (server.md:
/// a retry by hand grows it by one): the stored <see cref="Job.TotalRetries"/>, so no answer reads a job's history.
/// </summary>
internal static class JobAnswers
{
    /// <summary>The job with this id, as stored now.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    public static async Task<JobJson> ReadAsync(Scheduler scheduler, string id, CancellationToken cancellationToken)
    {
        var job = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        return JobJson.From(job);
    }

    /// <summary>The API forms of <paramref name="jobs"/>, in their order.</summary>
    public static List<JobJson> Of(IReadOnlyList<Job> jobs)
    {
        var answers = new List<JobJson>(jobs.Count);
        foreach (var job in jobs)
        {
            answers.Add(JobJson.From(job));
        }

        return answers;
    }
}
