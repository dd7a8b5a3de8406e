using System.Globalization;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Takes a permit of the flow's <see cref="FlowOptions.RateLimit"/> before a step starts, from the permits this process took
/// in blocks (<see cref="RateLimitPermits"/>: one store call per block; none for flows without a limit). Refused, the step
/// does not run: the <see cref="StepPlanner"/> gives the job back as pending until the permit frees, with the reason.
/// </summary>
internal sealed class RateLimitGate(RuntimeServices services, StepPlanner planner)
{
    private readonly RateLimitPermits? _permits = services.Store.RateLimits is { } store ? new RateLimitPermits(store, services.Time, services.Logger) : null;

    /// <summary>How long a job waits when the store could not be asked (a store error): it is asked again after that.</summary>
    internal static readonly TimeSpan UnavailableDelay = TimeSpan.FromSeconds(1);

    /// <summary>Null when the step may start (no limit, or a permit taken); else the commit that releases the job.</summary>
    public async ValueTask<PlannedCommit?> TakeAsync(RunningJob job, RateLimit? limit, StateContext before)
    {
        if (limit is null || _permits is null)
        {
            return null;
        }

        RateLimitAcquisition decision;
        try
        {
            decision = await _permits.TakeAsync(RateLimitScope.Of(job.Flow, job.ConcurrencyKey.Length == 0 ? null : job.ConcurrencyKey), limit).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A store error must not lose the job: it goes back to pending and asks again.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            RuntimeLog.RateLimitUnavailable(services.Logger, ex, job.Flow, job.Id, UnavailableDelay);
            var at = services.NowMs + (long)UnavailableDelay.TotalMilliseconds;
            return planner.ReleasedForLimit(job, before, at, $"rate limit: {limit.Permits} per {limit.Window} could not be checked ({ex.Message}); next try at {Format(at)}");
        }

        if (decision.Granted)
        {
            return null;
        }

        var retryAt = decision.RetryAtMs!.Value;
        RuntimeLog.RateLimited(services.Logger, job.Id, job.Flow, limit, JobMapper.FromMs(retryAt));
        return planner.ReleasedForLimit(job, before, retryAt, Reason(limit, retryAt));
    }

    /// <summary>The waiting reason of a job refused a permit: <c>rate limit: N per window; next start at …</c>.</summary>
    internal static string Reason(RateLimit limit, long retryAtMs) =>
        string.Create(CultureInfo.InvariantCulture, $"rate limit: {limit.Permits} per {limit.Window}; next start at {Format(retryAtMs)}");

    private static string Format(long ms) => JobMapper.FromMs(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
