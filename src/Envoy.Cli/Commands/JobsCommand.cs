using System.CommandLine;
using System.Globalization;
using System.Text;
using Envoy.Cli.Api;
using Envoy.Cli.Output;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy jobs [--status S] [--flow F] [--search T] [--parent ID] [--created-after T] [--created-before T] [--limit N] [--offset N]</c>:
/// a page of jobs, newest first (<c>GET /api/jobs</c>); <c>--json</c> prints the API's <c>{ items, total? }</c>.
/// </summary>
internal static class JobsCommand
{
    private static readonly Option<string?> Status = new("--status", "-s")
    {
        Description = "Only jobs in this status",
        HelpName = "STATUS",
    };

    private static readonly Option<string?> Flow = new("--flow", "-f") { Description = "Only jobs of this flow", HelpName = "FLOW" };

    private static readonly Option<string?> Search = new("--search")
    {
        Description = "Only jobs whose id, flow, error, input or output contains this text (case-insensitive)",
        HelpName = "TEXT",
    };

    private static readonly Option<string?> Parent = new("--parent") { Description = "Only the children of this job", HelpName = "ID" };

    private static readonly Option<string?> CreatedAfter = new("--created-after") { Description = "Only jobs created after this ISO 8601 time", HelpName = "TIME" };

    private static readonly Option<string?> CreatedBefore = new("--created-before") { Description = "Only jobs created before this ISO 8601 time", HelpName = "TIME" };

    private static readonly Option<int?> Limit = new("--limit", "-n") { Description = "At most this many jobs (server default 50, at most 500)", HelpName = "N" };

    private static readonly Option<int?> Offset = new("--offset") { Description = "Skip this many jobs (for the next page)", HelpName = "N" };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        Status.AcceptOnlyFromAmong(JobStatuses.Pending, JobStatuses.Running, JobStatuses.Blocking, JobStatuses.Done, JobStatuses.Failed, JobStatuses.Cancelled);
        var command = new Command("jobs", "List jobs, newest first") { Status, Flow, Search, Parent, CreatedAfter, CreatedBefore, Limit, Offset };
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("jobs");
        var separator = '?';
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        Add("status", context.Get(Status));
        Add("flow", context.Get(Flow));
        Add("search", context.Get(Search));
        Add("parentId", context.Get(Parent));
        Add("createdAfter", context.Get(CreatedAfter));
        Add("createdBefore", context.Get(CreatedBefore));
        Add("limit", context.Get(Limit)?.ToString(CultureInfo.InvariantCulture));
        Add("offset", context.Get(Offset)?.ToString(CultureInfo.InvariantCulture));
        var response = await context.Output.SpinAsync("Reading jobs", () => context.Client.GetAsync(query.ToString(), cancellationToken)).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var page = response.Read(CliJsonContext.Default.JobListView);
        if (page.Items.Count == 0)
        {
            context.Output.Line("No jobs.");
            return ExitCodes.Ok;
        }

        context.Output.Write(JobRendering.List(page.Items));
        var offset = context.Get(Offset) ?? 0;
        var total = page.Total is { } t ? string.Create(CultureInfo.InvariantCulture, $" of {t}") : string.Empty;
        context.Output.Line(string.Create(CultureInfo.InvariantCulture, $"{page.Items.Count} job(s){total}, from {offset + 1}."));
        return ExitCodes.Ok;
    }
}
