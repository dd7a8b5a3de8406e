using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Following;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy watch ID</c>: follows a job live (its server-sent events) until it ends: a live view on a terminal, one line per
/// event when the output is redirected, the finished job's JSON with <c>--json</c>. Exit code 0 when it is done, 1 when it
/// failed or was cancelled.
/// </summary>
internal static class WatchCommand
{
    private static readonly Argument<string> Id = JobActionCommands.IdArgument();

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("watch", "Follow a job live until it ends (exit code 1 if it failed or was cancelled)") { Id };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var id = context.Get(Id);
        var follower = new JobFollower(context.Client);
        var view = new WatchView();
        ApiResponse finished;
        if (context.Output.Json)
        {
            finished = await follower.FollowAsync(id, onEvent: null, cancellationToken).ConfigureAwait(false);
            context.Output.WriteJson(finished.Body);
        }
        else if (context.Output.IsInteractive)
        {
            finished = await context.Output.Out.Live(new Text($"Connecting to {context.Client.Settings.BaseUrl.AbsoluteUri}..."))
                .AutoClear(false)
                .StartAsync(async live =>
                {
                    var result = await follower.FollowAsync(
                        id,
                        e =>
                        {
                            view.OnEvent(e);
                            live.UpdateTarget(view.Render());
                        },
                        cancellationToken,
                        job =>
                        {
                            view.OnJob(job);
                            live.UpdateTarget(view.Render());
                        }).ConfigureAwait(false);
                    view.OnJob(result.Read(CliJsonContext.Default.JobView));
                    live.UpdateTarget(view.Render());
                    return result;
                }).ConfigureAwait(false);
        }
        else
        {
            var announced = false;
            finished = await follower.FollowAsync(
                id,
                e => context.Output.Line(view.OnEvent(e)),
                cancellationToken,
                job =>
                {
                    if (!announced)
                    {
                        announced = true;
                        context.Output.Line($"Watching job {job.Id} ({job.Flow}): {job.Status}, state {job.State}, step {job.Step}.");
                    }
                }).ConfigureAwait(false);
        }

        var last = finished.Read(CliJsonContext.Default.JobView);
        if (!context.Output.Json)
        {
            var error = last.Error is { Length: > 0 } e ? $": {e}" : string.Empty;
            context.Output.Line($"Job {last.Id} {last.Status}{error}.");
            if (last.Output is not null && last.Status == JobStatuses.Done)
            {
                context.Output.Line($"Output: {Show.Json(last.Output, 500)}");
            }
        }

        return ExitCodeMapper.FromJobStatus(last.Status);
    }
}
