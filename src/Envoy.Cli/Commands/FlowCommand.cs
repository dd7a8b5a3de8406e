using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy flow NAME</c>: one flow's states and routes, and its Mermaid graph (<c>GET /api/flows/{name}</c>).</summary>
internal static class FlowCommand
{
    private static readonly Argument<string> Name = new("NAME") { Description = "The flow's name" };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("flow", "Show a flow: its states, routes and Mermaid graph") { Name };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var name = context.Get(Name);
        var response = await context.Client.GetAsync($"flows/{EnvoyApiClient.Segment(name)}", cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var flow = response.Read(CliJsonContext.Default.FlowView);
        context.Output.Markup($"[bold]{Markup.Escape(flow.Name)}[/] (starts at {Markup.Escape(flow.StartState ?? "?")})");
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("STATE", "ROUTES TO", "FINAL", "DESCRIPTION");
        foreach (var state in flow.States ?? [])
        {
            var routes = string.Join(", ", (state.Routes ?? []).Select(r => r.Description is { Length: > 0 } d ? $"{r.To} ({d})" : r.To));
            table.AddRow(Show.Cell(state.Name), Show.Cell(routes), Show.Cell(state.Final ? "yes" : string.Empty), Show.Cell(state.Description));
        }

        context.Output.Write(table);
        if (flow.Mermaid is { Length: > 0 } mermaid)
        {
            context.Output.Line();
            context.Output.Line("Mermaid graph:");
            foreach (var line in mermaid.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
            {
                context.Output.Line(line);
            }
        }

        return ExitCodes.Ok;
    }
}
