using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy workers</c>: the live workers on the store and the flow versions each serves (<c>GET /api/workers</c>).</summary>
internal static class WorkersCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("workers", "List the live workers and the flow versions each serves");
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Output.SpinAsync("Reading workers", () => context.Client.GetAsync("workers", cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var workers = response.Read(CliJsonContext.Default.ListWorkerView);
        if (workers.Count == 0)
        {
            context.Output.Line("No live workers: no started scheduler on this store, so no job runs.");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("ID", "HOST", "PID", "STARTED", "LAST SEEN", "FLOWS");
        foreach (var w in workers)
        {
            table.AddRow(
                Show.Cell(w.Id),
                Show.Cell(w.Host),
                Show.Cell(w.ProcessId),
                Show.Cell(Show.Time(w.StartedAt)),
                Show.Cell(Show.Time(w.LastSeenAt)),
                Show.Cell(w.Flows.Count == 0 ? "-" : string.Join(Environment.NewLine, w.Flows.Select(f => $"{f.Name} {f.Version}"))));
        }

        context.Output.Write(table);
        return ExitCodes.Ok;
    }
}
