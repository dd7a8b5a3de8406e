using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Input;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy resolve ID WAIT --value JSON</c>: resolves a job's external wait with a value
/// (<c>POST /api/jobs/{id}/waits/{waitId}/resolve</c>).
/// </summary>
internal static class ResolveCommand
{
    private static readonly Argument<string> Id = JobActionCommands.IdArgument();

    private static readonly Argument<string> Wait = new("WAIT") { Description = "The wait's id" };

    private static readonly Option<string> Value = new("--value", "-v")
    {
        Description = "The value to resolve the wait with: JSON text, @file.json, or - for standard input",
        Required = true,
        HelpName = "JSON|@FILE|-",
    };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("resolve", "Resolve a job's external wait with a value") { Id, Wait, Value };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var value = await JsonInput.ReadAsync(context.Get(Value), "--value", context.Stdin, cancellationToken).ConfigureAwait(false);
        var id = context.Get(Id);
        var wait = context.Get(Wait);
        var response = await context.Client.PostAsync(
            $"jobs/{EnvoyApiClient.Segment(id)}/waits/{EnvoyApiClient.Segment(wait)}/resolve",
            new ResolveRequest(value),
            CliJsonContext.Default.ResolveRequest,
            cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
        }
        else
        {
            context.Output.Line($"Resolved wait {wait} of job {id}.");
        }

        return ExitCodes.Ok;
    }
}
