using System.CommandLine;
using System.Globalization;
using Envoy.Cli.Api;
using Envoy.Cli.Following;
using Envoy.Cli.Input;
using Envoy.Cli.Output;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy schedule FLOW [--input JSON|@file|-] [--delay S] [--idempotency-key K] [--wait]</c>: schedules a job
/// (<c>POST /api/jobs</c>); with <c>--wait</c>, follows it to its end and prints the finished job (exit code 1 unless done).
/// </summary>
internal static class ScheduleCommand
{
    private static readonly Argument<string> Flow = new("FLOW") { Description = "The flow to run" };

    private static readonly Option<string?> InputOption = new("--input", "-i")
    {
        Description = "The job's input: JSON text, @file.json, or - for standard input",
        HelpName = "JSON|@FILE|-",
    };

    private static readonly Option<double?> Delay = new("--delay")
    {
        Description = "Run the job this many seconds from now",
        HelpName = "SECONDS",
    };

    private static readonly Option<string?> IdempotencyKey = new("--idempotency-key")
    {
        Description = "Schedule at most one job with this key (the same key again returns the first job)",
        HelpName = "KEY",
    };

    private static readonly Option<bool> Wait = new("--wait", "-w")
    {
        Description = "Wait for the job to end and print it (exit code 1 if it failed or was cancelled)",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("schedule", "Schedule a job of a flow") { Flow, InputOption, Delay, IdempotencyKey, Wait };
        Delay.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is < 0)
            {
                result.AddError("--delay must be a number of seconds ≥ 0.");
            }
        });
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var input = await JsonInput.ReadAsync(context.Get(InputOption), "--input", context.Stdin, cancellationToken).ConfigureAwait(false);
        var request = new ScheduleRequest(context.Get(Flow), input, context.Get(Delay), context.Get(IdempotencyKey));
        var response = await context.Output.SpinAsync(
            "Scheduling",
            () => context.Client.PostAsync("jobs", request, CliJsonContext.Default.ScheduleRequest, cancellationToken)).ConfigureAwait(false);
        var job = response.Read(CliJsonContext.Default.JobView);
        if (!context.Get(Wait))
        {
            if (context.Output.Json)
            {
                context.Output.WriteJson(response.Body);
            }
            else
            {
                var verb = response.Status == 201 ? "Scheduled" : "Already scheduled (same idempotency key)";
                context.Output.Line($"{verb}: job {job.Id} ({job.Flow}), {job.Status}.");
            }

            return ExitCodes.Ok;
        }

        if (!context.Output.Json)
        {
            context.Output.Note(string.Create(CultureInfo.InvariantCulture, $"Scheduled job {job.Id}; waiting for it to end..."));
        }

        var follower = new JobFollower(context.Client);
        var finished = await context.Output.SpinAsync(
            $"Waiting for job {job.Id}",
            () => follower.FollowAsync(job.Id, onEvent: null, cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(finished.Body);
        }
        else
        {
            var view = finished.Read(CliJsonContext.Default.JobView);
            context.Output.Write(JobRendering.Details(view));
        }

        return ExitCodeMapper.FromJobStatus(finished.Read(CliJsonContext.Default.JobView).Status);
    }
}
