using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>
/// <c>POST {prefix}/jobs/bulk</c> (operator; antiforgery): <c>do</c> = <c>retry-selected</c> / <c>cancel-selected</c> (the
/// <c>id</c> fields) or <c>retry-filter</c> / <c>cancel-filter</c> (every failed, or every pending, blocking and running, job
/// matching the <c>status</c>, <c>flow</c> and <c>search</c> fields). Each job goes through the runtime call the API's
/// <c>POST /jobs/{id}/retry</c> and <c>/cancel</c> make, with their rules: a job that cannot be retried or cancelled (or is gone)
/// is skipped and counted. A by-filter action handles at most <see cref="MaxPerRequest"/> jobs, or what it gets through in
/// <see cref="TimeBudget"/>, per request, in pages of <see cref="BatchSize"/>: the notice says when more remain (press again).
/// Answers with a redirect back to the list carrying the counts.
/// </summary>
internal static class JobsBulkAction
{
    /// <summary>The most jobs one by-filter request acts on.</summary>
    public const int MaxPerRequest = 1000;

    /// <summary>The most selected ids one request takes.</summary>
    public const int MaxSelected = 500;

    /// <summary>How many jobs a by-filter action reads at once.</summary>
    public const int BatchSize = 100;

    /// <summary>How long a by-filter request goes on before it stops and says more remain.</summary>
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(10);

    private static readonly JobStatus[] Cancellable = [JobStatus.Pending, JobStatus.Blocking, JobStatus.Running];

    public static async Task<IResult> HandleAsync(HttpContext http, Scheduler scheduler, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!http.User.HasEnvoyRole(EnvoyRoles.Operator))
        {
            return Results.Text("Only an operator or an admin may retry or cancel jobs.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        }

        var form = await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        var filter = JobsFilter.From(form["status"], form["flow"], form["search"]);
        var action = form["do"].ToString();
        var retry = action.StartsWith("retry", StringComparison.Ordinal);
        Outcome outcome;
        switch (action)
        {
            case "retry-selected" or "cancel-selected":
                var ids = form["id"].Where(id => !string.IsNullOrEmpty(id)).Select(id => id!).Distinct(StringComparer.Ordinal).Take(MaxSelected).ToList();
                outcome = new Outcome();
                foreach (var id in ids)
                {
                    outcome.Count(await ActAsync(scheduler, id, retry, cancellationToken).ConfigureAwait(false));
                }

                break;
            case "retry-filter" or "cancel-filter":
                try
                {
                    outcome = await ByFilterAsync(scheduler, time, filter, retry, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidQueryException)
                {
                    outcome = new Outcome();
                }

                break;
            default:
                return Results.Text("Unknown action.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        var pairs = filter.Pairs().Concat(JobsBulkNotice.Pairs(retry ? "retried" : "cancelled", outcome.Done, outcome.Skipped, outcome.More));
        return Results.Redirect(DashboardContext.Of(http).Href("jobs" + QueryString.Create(pairs)));
    }

    /// <summary>
    /// Every job of the filter that the action applies to, within the caps: first the ids (pages of the list, newest first, each
    /// job once: a retried job that fails again at once is not retried twice by one request), then the action on each.
    /// </summary>
    private static async Task<Outcome> ByFilterAsync(Scheduler scheduler, TimeProvider time, JobsFilter filter, bool retry, CancellationToken cancellationToken)
    {
        var outcome = new Outcome();
        var started = time.GetTimestamp();
        var query = filter.ToQuery(limit: BatchSize, offset: null);
        JobStatus[] statuses = retry
            ? (query.Status is null or JobStatus.Failed ? [JobStatus.Failed] : [])
            : (query.Status is { } only ? Cancellable.Where(s => s == only).ToArray() : Cancellable);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        foreach (var status in statuses)
        {
            for (var offset = 0; ids.Count < MaxPerRequest; offset += BatchSize)
            {
                var page = await scheduler.ListJobsAsync(
                    new JobQuery { Status = status, Flow = query.Flow, Search = query.Search, Offset = offset, Limit = BatchSize },
                    cancellationToken).ConfigureAwait(false);
                ids.AddRange(page.Select(j => j.Id).Where(seen.Add).Take(MaxPerRequest - ids.Count));
                if (page.Count < BatchSize)
                {
                    break;
                }

                if (ids.Count >= MaxPerRequest || time.GetElapsedTime(started) >= TimeBudget)
                {
                    outcome.More = true;
                    break;
                }
            }
        }

        foreach (var id in ids)
        {
            if (time.GetElapsedTime(started) >= TimeBudget)
            {
                outcome.More = true;
                break;
            }

            outcome.Count(await ActAsync(scheduler, id, retry, cancellationToken).ConfigureAwait(false));
        }

        return outcome;
    }

    /// <summary>Retries or cancels one job as the API does; false when the rules say no (or the job is gone).</summary>
    private static async Task<bool> ActAsync(Scheduler scheduler, string id, bool retry, CancellationToken cancellationToken)
    {
        try
        {
            if (retry)
            {
                await scheduler.RetryJobAsync(id, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await scheduler.CancelJobAsync(id, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (e is JobNotFoundException or JobNotRetryableException or JobAlreadyTerminalException)
        {
            return false;
        }
    }

    private sealed class Outcome
    {
        public int Done { get; private set; }

        public int Skipped { get; private set; }

        public bool More { get; set; }

        public int Total => Done + Skipped;

        public void Count(bool acted)
        {
            if (acted)
            {
                Done++;
            }
            else
            {
                Skipped++;
            }
        }
    }
}
