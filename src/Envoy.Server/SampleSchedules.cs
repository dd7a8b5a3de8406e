namespace Envoy.Server;

/// <summary>
/// The ready server's sample recurring schedule: <see cref="NightlyId"/> runs the sample flow <c>hello</c> every night at
/// 02:00 UTC. Added at start when the store has no schedule of that id (a changed one is kept as it is); once removed
/// (<c>envoy recurring remove nightly-hello</c>) it comes back at the next start.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1812", Justification = "Created by dependency injection.")]
internal sealed class SampleSchedules(Scheduler scheduler, ILogger<SampleSchedules> logger) : IHostedService
{
    /// <summary>The sample schedule's id.</summary>
    public const string NightlyId = "nightly-hello";

    /// <summary>Its flow.</summary>
    public const string NightlyFlow = "hello";

    /// <summary>Its cron expression: 02:00 every day (UTC).</summary>
    public const string NightlyCron = "0 2 * * *";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if ((await scheduler.ListRecurringAsync(cancellationToken).ConfigureAwait(false)).Any(s => s.Id == NightlyId))
        {
            return;
        }

        await scheduler.AddRecurringAsync(NightlyId, NightlyFlow, NightlyCron, cancellationToken: cancellationToken).ConfigureAwait(false);
        ServerLog.SampleScheduleAdded(logger, NightlyId, NightlyFlow, NightlyCron);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
