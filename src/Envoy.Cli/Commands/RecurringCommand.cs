using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Input;
using Envoy.Cli.Output;
using Spectre.Console;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy recurring list|set|remove|trigger</c>: recurring jobs (cron) through <c>/api/recurring</c>.
/// <c>set ID --flow F --cron C [--input JSON] [--time-zone Z] [--priority N] [--disabled]</c> creates or updates one.
/// </summary>
internal static class RecurringCommand
{
    private static readonly Argument<string> Id = new("ID") { Description = "The recurring schedule's id" };

    private static readonly Option<string> Flow = new("--flow", "-f") { Description = "The flow each occurrence runs", HelpName = "FLOW", Required = true };

    private static readonly Option<string> Cron = new("--cron", "-c")
    {
        Description = "The cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first",
        HelpName = "CRON",
        Required = true,
    };

    private static readonly Option<string?> InputOption = new("--input", "-i")
    {
        Description = "Each job's input: JSON text, @file.json, or - for standard input",
        HelpName = "JSON|@FILE|-",
    };

    private static readonly Option<string?> TimeZone = new("--time-zone", "-z") { Description = "The time zone of the expression: an IANA id such as Europe/Berlin (default UTC)", HelpName = "ZONE" };

    private static readonly Option<int?> Priority = new("--priority", "-p") { Description = "The priority of its jobs (default 0)", HelpName = "N" };

    private static readonly Option<bool> Disabled = new("--disabled") { Description = "Store it without firing it (trigger still works)" };

    /// <summary>Creates the command and its subcommands.</summary>
    public static Command Create()
    {
        var list = new Command("list", "List recurring schedules with their next and last runs");
        CommandRunner.SetHandler(list, ListAsync);
        var set = new Command("set", "Create or update a recurring schedule") { Id, Flow, Cron, InputOption, TimeZone, Priority, Disabled };
        CommandRunner.SetHandler(set, SetAsync);
        var remove = new Command("remove", "Remove a recurring schedule (its jobs stay)") { Id };
        CommandRunner.SetHandler(remove, RemoveAsync);
        var trigger = new Command("trigger", "Run a recurring schedule once now") { Id };
        CommandRunner.SetHandler(trigger, TriggerAsync);
        return new Command("recurring", "Recurring jobs (cron schedules)") { list, set, remove, trigger };
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Output.SpinAsync("Reading recurring schedules", () => context.Client.GetAsync("recurring", cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var schedules = response.Read(CliJsonContext.Default.ListRecurringView);
        if (schedules.Count == 0)
        {
            context.Output.Line("No recurring schedules.");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("ID", "FLOW", "CRON", "TIME ZONE", "NEXT RUN", "LAST RUN", "LAST JOB", "ENABLED");
        foreach (var s in schedules)
        {
            table.AddRow(
                Show.Cell(s.Id),
                Show.Cell(s.Flow),
                Show.Cell(s.Cron),
                Show.Cell(s.TimeZone),
                Show.Cell(Show.Time(s.NextRunAt)),
                Show.Cell(Show.Time(s.LastRunAt)),
                Show.Cell(s.LastJobId),
                Show.Cell(s.Enabled ? "yes" : "no"));
        }

        context.Output.Write(table);
        return ExitCodes.Ok;
    }

    private static async Task<int> SetAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var input = await JsonInput.ReadAsync(context.Get(InputOption), "--input", context.Stdin, cancellationToken).ConfigureAwait(false);
        var request = new RecurringSetRequest(context.Get(Flow)!, context.Get(Cron)!, input, context.Get(TimeZone), context.Get(Priority), context.Get(Disabled) ? false : null);
        var id = context.Get(Id);
        var response = await context.Client.PutAsync($"recurring/{EnvoyApiClient.Segment(id)}", request, CliJsonContext.Default.RecurringSetRequest, cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var schedule = response.Read(CliJsonContext.Default.RecurringView);
        var verb = response.Status == 201 ? "Created" : "Updated";
        var next = schedule.Enabled ? $"next run {Show.Time(schedule.NextRunAt)}" : "disabled";
        context.Output.Line($"{verb} recurring schedule {schedule.Id} ({schedule.Flow}, '{schedule.Cron}' {schedule.TimeZone}): {next}.");
        return ExitCodes.Ok;
    }

    private static async Task<int> RemoveAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var id = context.Get(Id);
        await context.Client.DeleteAsync($"recurring/{EnvoyApiClient.Segment(id)}", cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson("{}");
        }
        else
        {
            context.Output.Line($"Removed recurring schedule {id}.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> TriggerAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.PostAsync($"recurring/{EnvoyApiClient.Segment(context.Get(Id))}/trigger", cancellationToken).ConfigureAwait(false);
        return JobActionCommands.Print(context, response, "Triggered: scheduled");
    }
}
