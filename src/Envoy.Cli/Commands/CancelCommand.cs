using System.CommandLine;
using Envoy.Cli.Api;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy cancel ID</c>: cancels a job and its descendants (<c>POST /api/jobs/{id}/cancel</c>; 409 when it ended).</summary>
internal static class CancelCommand
{
    private static readonly Argument<string> Id = JobActionCommands.IdArgument();

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("cancel", "Cancel a job (and its children)") { Id };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.PostAsync($"jobs/{EnvoyApiClient.Segment(context.Get(Id))}/cancel", cancellationToken).ConfigureAwait(false);
        return JobActionCommands.Print(context, response, "Cancelled");
    }
}
