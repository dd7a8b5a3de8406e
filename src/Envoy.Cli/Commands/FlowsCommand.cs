using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy flows</c>: the registered flows (<c>GET /api/flows</c>).</summary>
internal static class FlowsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("flows", "List the flows the server runs");
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Output.SpinAsync("Reading flows", () => context.Client.GetAsync("flows", cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var flows = response.Read(CliJsonContext.Default.ListFlowSummaryView);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("FLOW", "START", "STATES");
        foreach (var flow in flows)
        {
            table.AddRow(Show.Cell(flow.Name), Show.Cell(flow.StartState), Show.Cell(string.Join(", ", flow.States ?? [])));
        }

        context.Output.Write(table);
        return ExitCodes.Ok;
    }
}
