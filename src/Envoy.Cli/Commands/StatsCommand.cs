using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy stats</c>: the number of jobs in each status (<c>GET /api/stats</c>).</summary>
internal static class StatsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("stats", "Count the jobs in each status");
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Output.SpinAsync("Counting jobs", () => context.Client.GetAsync("stats", cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var stats = response.Read(CliJsonContext.Default.StatsView);
        var c = stats.Counts;
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("STATUS", "JOBS");
        foreach (var (status, count) in new[]
        {
            (JobStatuses.Pending, c.Pending), (JobStatuses.Running, c.Running), (JobStatuses.Blocking, c.Blocking),
            (JobStatuses.Done, c.Done), (JobStatuses.Failed, c.Failed), (JobStatuses.Cancelled, c.Cancelled),
        })
        {
            table.AddRow(Show.Status(status), Show.Cell(count));
        }

        table.AddRow(Show.Cell("total"), Show.Cell(stats.Total ?? (c.Pending + c.Running + c.Blocking + c.Done + c.Failed + c.Cancelled)));
        context.Output.Write(table);
        if (stats.OldestPendingAt is { } oldest)
        {
            context.Output.Line($"Oldest pending job created {Show.Time(oldest)}.");
        }

        return ExitCodes.Ok;
    }
}
