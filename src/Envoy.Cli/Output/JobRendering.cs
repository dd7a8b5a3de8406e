using System.Globalization;
using Envoy.Cli.Api;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Envoy.Cli.Output;

/// <summary>Jobs as tables: a list, one job's fields, its waits and its history.</summary>
internal static class JobRendering
{
    /// <summary>A table with one row per job.</summary>
    public static Table List(IEnumerable<JobView> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("ID", "FLOW", "STATUS", "STATE", "STEP", "RETRIES", "CREATED", "ERROR");
        foreach (var job in jobs)
        {
            table.AddRow(
                Show.Cell(job.Id),
                Show.Cell(job.Flow),
                Show.Status(job.Status),
                Show.Cell(job.State),
                Show.Cell(job.Step),
                Show.Cell(job.Retries),
                Show.Cell(Show.Time(job.CreatedAt)),
                Show.Cell(Show.Shorten(job.Error, 50)));
        }

        return table;
    }

    /// <summary>One job's fields, one per row (empty ones left out).</summary>
    public static Grid Details(JobView job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, IRenderable value) => grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), value);
        void Field(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                Row(name, Show.Cell(value));
            }
        }

        Field("id", job.Id);
        Field("flow", job.Flow);
        Row("status", Show.Status(job.Status));
        Field("state", job.State);
        Field("step", job.Step.ToString(CultureInfo.InvariantCulture));
        Field("input", Show.Json(job.Input, 200));
        Field("output", Show.Json(job.Output, 200));
        Field("error", job.Error);
        Field("parent", job.ParentId);
        Field("priority", job.Priority.ToString(CultureInfo.InvariantCulture));
        Field("retries", job.Retries.ToString(CultureInfo.InvariantCulture));
        Field("attempts", job.Attempts.ToString(CultureInfo.InvariantCulture));
        Field("idempotency key", job.IdempotencyKey);
        Field("run at", Show.Time(job.RunAt));
        Field("created", Show.Time(job.CreatedAt));
        Field("started", Show.Time(job.StartedAt));
        Field("finished", Show.Time(job.FinishedAt));
        return grid;
    }

    /// <summary>The job's waits, or null when it has none.</summary>
    public static Table? Waits(JobView job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Waits is not { Count: > 0 } waits)
        {
            return null;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("waits");
        table.AddColumns("WAIT", "TYPE", "STATUS", "OUTPUT", "ERROR");
        foreach (var wait in waits)
        {
            table.AddRow(Show.Cell(wait.Id), Show.Cell(wait.Type), Show.Status(wait.Status), Show.Cell(Show.Json(wait.Output)), Show.Cell(wait.Error));
        }

        return table;
    }

    /// <summary>The job's history, oldest first.</summary>
    public static Table History(IEnumerable<HistoryEntryView> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var table = new Table().Border(TableBorder.Rounded).Title("history");
        table.AddColumns("AT", "EVENT", "STATE", "STEP", "STATUS", "MS", "ERROR");
        foreach (var entry in history)
        {
            var status = entry.FromStatus is null && entry.ToStatus is null ? string.Empty : $"{entry.FromStatus} → {entry.ToStatus}";
            table.AddRow(
                Show.Cell(Show.Time(entry.At)),
                Show.Cell(entry.Kind),
                Show.Cell(entry.State),
                Show.Cell(entry.Step?.ToString(CultureInfo.InvariantCulture)),
                Show.Cell(status),
                Show.Cell(entry.DurationMs?.ToString("0.#", CultureInfo.InvariantCulture)),
                Show.Cell(Show.Shorten(entry.Error, 60)));
        }

        return table;
    }
}
