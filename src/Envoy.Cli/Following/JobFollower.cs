using Envoy.Cli.Api;

namespace Envoy.Cli.Following;

/// <summary>
/// Follows one job to its end: subscribes to the server-sent events of the job (<c>GET /api/events?jobId=</c>), then reads the
/// job (so an end before the subscription is seen too), and reads it again on <c>jobFinished</c>. The job is also read every
/// <see cref="RecheckInterval"/> while the stream is quiet, so that an event the server could not deliver delays the end by
/// at most that long; a stream that ends is opened again.
/// </summary>
internal sealed class JobFollower
{
    /// <summary>How often the job is read while no event arrives.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    private readonly EnvoyApiClient _client;
    private readonly TimeProvider _time;

    /// <summary>Creates a follower that talks to <paramref name="client"/>.</summary>
    public JobFollower(EnvoyApiClient client, TimeProvider? time = null)
    {
        _client = client;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Follows job <paramref name="jobId"/> until it has ended and returns its last answer (<c>GET /api/jobs/{id}</c>).
    /// <paramref name="onJob"/> sees each read of the job, <paramref name="onEvent"/> each event of the stream.
    /// </summary>
    /// <exception cref="CliException">Unknown job (exit code 3), server unreachable (6), refused (5).</exception>
    public async Task<ApiResponse> FollowAsync(string jobId, Action<ServerSentEvent>? onEvent, CancellationToken cancellationToken, Action<JobView>? onJob = null)
    {
        var jobPath = $"jobs/{EnvoyApiClient.Segment(jobId)}";
        while (true)
        {
            using var response = await _client.OpenStreamAsync($"events?jobId={Uri.EscapeDataString(jobId)}", cancellationToken).ConfigureAwait(false);
            var current = await ReadJobAsync(jobPath, onJob, cancellationToken).ConfigureAwait(false);
            if (current.Ended)
            {
                return current.Response;
            }

            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var text = new StreamReader(body);
            var events = new EventStreamReader(text);
            var pending = events.ReadAsync(reading.Token);
            try
            {
                while (true)
                {
                    if (!await ArrivesWithinAsync(pending, RecheckInterval, cancellationToken).ConfigureAwait(false))
                    {
                        current = await ReadJobAsync(jobPath, onJob, cancellationToken).ConfigureAwait(false);
                        if (current.Ended)
                        {
                            return current.Response;
                        }

                        continue;
                    }

                    ServerSentEvent? next;
                    try
                    {
                        next = await pending.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (EnvoyApiClient.IsUnreachable(ex, cancellationToken))
                    {
                        next = null; // The stream broke: open it again (which says so if the server is gone).
                    }

                    if (next is null)
                    {
                        break;
                    }

                    onEvent?.Invoke(next);
                    if (next.Event == ServerSentEvent.JobFinished)
                    {
                        current = await ReadJobAsync(jobPath, onJob, cancellationToken).ConfigureAwait(false);
                        if (current.Ended)
                        {
                            return current.Response;
                        }
                    }

                    pending = events.ReadAsync(reading.Token);
                }
            }
            finally
            {
                await reading.CancelAsync().ConfigureAwait(false);
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Whether <paramref name="pending"/> completes within <paramref name="interval"/>.</summary>
    private async Task<bool> ArrivesWithinAsync(Task pending, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tick = Task.Delay(interval, _time, quiet.Token);
        var first = await Task.WhenAny(pending, tick).ConfigureAwait(false);
        await quiet.CancelAsync().ConfigureAwait(false);
        await tick.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        return first == pending;
    }

    private async Task<(ApiResponse Response, bool Ended)> ReadJobAsync(string path, Action<JobView>? onJob, CancellationToken cancellationToken)
    {
        var response = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        var job = response.Read(CliJsonContext.Default.JobView);
        onJob?.Invoke(job);
        return (response, JobStatuses.IsTerminal(job.Status));
    }
}
