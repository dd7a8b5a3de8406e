using System.CommandLine;
using System.Text.Json.Nodes;
using Envoy.Cli.Api;
using Envoy.Cli.Output;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy job ID</c>: one job with its waits and history (<c>GET /api/jobs/{id}</c> and <c>/history</c>); <c>--json</c> prints
/// the job's JSON with a <c>history</c> array added.
/// </summary>
internal static class JobCommand
{
    private static readonly Argument<string> Id = new("ID") { Description = "The job's id" };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("job", "Show a job, its waits and its history") { Id };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var path = $"jobs/{EnvoyApiClient.Segment(context.Get(Id))}";
        var (job, history) = await context.Output.SpinAsync(
            "Reading the job",
            async () =>
            {
                var job = await context.Client.GetAsync(path, cancellationToken).ConfigureAwait(false);
                var history = await context.Client.GetAsync(path + "/history", cancellationToken).ConfigureAwait(false);
                return (job, history);
            }).ConfigureAwait(false);
        if (context.Output.Json)
        {
            var node = job.Read(CliJsonContext.Default.JsonNode) as JsonObject
                ?? throw new CliException(ExitCodes.ServerError, "The server's answer for the job is not a JSON object.");
            node["history"] = history.Read(CliJsonContext.Default.JsonNode);
            context.Output.WriteJson(node.ToJsonString(CliJsonContext.Default.Options));
            return ExitCodes.Ok;
        }

        var view = job.Read(CliJsonContext.Default.JobView);
        context.Output.Write(JobRendering.Details(view));
        if (JobRendering.Waits(view) is { } waits)
        {
            context.Output.Write(waits);
        }

        context.Output.Write(JobRendering.History(history.Read(CliJsonContext.Default.ListHistoryEntryView)));
        return ExitCodes.Ok;
    }
}
