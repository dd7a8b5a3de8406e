using System.CommandLine;
using Envoy.Cli.Api;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy retry ID</c>: runs a failed or cancelled job again (<c>POST /api/jobs/{id}/retry</c>; 409 otherwise).</summary>
internal static class RetryCommand
{
    private static readonly Argument<string> Id = JobActionCommands.IdArgument();

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("retry", "Run a failed or cancelled job again") { Id };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.PostAsync($"jobs/{EnvoyApiClient.Segment(context.Get(Id))}/retry", cancellationToken).ConfigureAwait(false);
        return JobActionCommands.Print(context, response, "Retried");
    }
}
