using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary><c>envoy escalations [--status S] [--user U]</c>: the questions to users (<c>GET /api/escalations</c>).</summary>
internal static class EscalationsCommand
{
    private static readonly Option<string?> Status = new("--status", "-s") { Description = "Only escalations in this status", HelpName = "STATUS" };

    private static readonly Option<string?> User = new("--user", "-u") { Description = "Only escalations addressed to this user", HelpName = "USER" };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        Status.AcceptOnlyFromAmong("pending", "approved", "rejected", "cancelled", "expired");
        var command = new Command("escalations", "List escalations (questions to users)") { Status, User };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var query = "escalations";
        var separator = '?';
        foreach (var (name, value) in new[] { ("status", context.Get(Status)), ("user", context.Get(User)) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                query += $"{separator}{name}={Uri.EscapeDataString(value)}";
                separator = '&';
            }
        }

        var response = await context.Output.SpinAsync("Reading escalations", () => context.Client.GetAsync(query, cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var escalations = response.Read(CliJsonContext.Default.ListEscalationView);
        if (escalations.Count == 0)
        {
            context.Output.Line("No escalations.");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("ID", "JOB", "USER", "MESSAGE", "INPUTS", "STATUS", "REPLIED BY", "CREATED");
        foreach (var e in escalations)
        {
            table.AddRow(
                Show.Cell(e.Id),
                Show.Cell(e.JobId),
                Show.Cell(e.User),
                Show.Cell(Show.Shorten(e.Message, 50)),
                Show.Cell(string.Join(", ", (e.Inputs ?? []).Select(i => $"{i.Id} ({i.Kind})"))),
                Show.Status(e.Status),
                Show.Cell(e.RepliedBy),
                Show.Cell(Show.Time(e.CreatedAt)));
        }

        context.Output.Write(table);
        return ExitCodes.Ok;
    }
}
