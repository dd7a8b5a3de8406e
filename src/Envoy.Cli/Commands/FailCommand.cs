using System.CommandLine;
using Envoy.Cli.Api;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy fail ID --reason R</c>: fails a job by hand (<c>POST /api/jobs/{id}/fail</c>; 409 when it ended).</summary>
internal static class FailCommand
{
    private static readonly Argument<string> Id = JobActionCommands.IdArgument();

    private static readonly Option<string> Reason = new("--reason", "-r")
    {
        Description = "Why the job is failed (its error)",
        Required = true,
        HelpName = "TEXT",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("fail", "Fail a job by hand, with a reason") { Id, Reason };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.PostAsync(
            $"jobs/{EnvoyApiClient.Segment(context.Get(Id))}/fail",
            new FailRequest(context.Get(Reason)!),
            CliJsonContext.Default.FailRequest,
            cancellationToken).ConfigureAwait(false);
        return JobActionCommands.Print(context, response, "Failed");
    }
}
