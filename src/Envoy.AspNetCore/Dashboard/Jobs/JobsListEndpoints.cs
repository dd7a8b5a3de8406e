using System.Globalization;
using Envoy.AspNetCore.Dashboard.Pages;
using Envoy.AspNetCore.Endpoints.Jobs;
using Envoy.AspNetCore.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>
/// <c>GET {prefix}/jobs</c>: the jobs list (status and flow filters, search, paging), read with the same query as the API's
/// <c>GET /jobs</c> (<see cref="JobListQuery"/>, newest first, one page plus one job to know whether there is a next page: no
/// count). <c>POST {prefix}/jobs/bulk</c>: retry or cancel the selected jobs, or the jobs matching the filter
/// (<see cref="JobsBulkAction"/>).
/// </summary>
internal static class JobsListEndpoints
{
    /// <summary>Jobs per page.</summary>
    public const int PageSize = 50;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/jobs", RenderAsync);
        pages.MapPost("/jobs/bulk", JobsBulkAction.HandleAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
    }

    private static async Task<IResult> RenderAsync(HttpContext http, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var q = http.Request.Query;
        var filter = JobsFilter.From(q["status"], q["flow"], q["search"]);
        IReadOnlyList<Job> jobs = [];
        string? error = null;
        var offset = 0;
        try
        {
            var query = filter.ToQuery(limit: PageSize + 1, offset: q["offset"]);
            offset = query.Offset;
            jobs = await scheduler.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidQueryException e)
        {
            error = e.Message;
        }

        return DashboardPage.Render<JobsListPage>(
            new Dictionary<string, object?>
            {
                [nameof(JobsListPage.Context)] = DashboardContext.Of(http),
                [nameof(JobsListPage.Filter)] = filter,
                [nameof(JobsListPage.Flows)] = scheduler.Flows.Keys.Order(StringComparer.Ordinal).ToList(),
                [nameof(JobsListPage.Jobs)] = jobs.Take(PageSize).ToList(),
                [nameof(JobsListPage.Offset)] = offset,
                [nameof(JobsListPage.PageSize)] = PageSize,
                [nameof(JobsListPage.HasNext)] = jobs.Count > PageSize,
                [nameof(JobsListPage.Notice)] = error is null ? JobsBulkNotice.Of(q) : null,
                [nameof(JobsListPage.Error)] = error,
            },
            error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }
}

/// <summary>The jobs list's filter as the page's form and address carry it (each value as given, or null).</summary>
/// <param name="Status">A status name (<c>failed</c>...), or null for any.</param>
/// <param name="Flow">A flow name, or null for any.</param>
/// <param name="Search">A search term (<see cref="JobQuery.Search"/>), or null.</param>
public sealed record JobsFilter(string? Status, string? Flow, string? Search)
{
    /// <summary>Whether no filter is set.</summary>
    public bool IsEmpty => Status is null && Flow is null && Search is null;

    /// <summary>The filter from the query string or form values (empty values count as not given).</summary>
    internal static JobsFilter From(string? status, string? flow, string? search) =>
        new(Blank(status), Blank(flow), Blank(search?.Trim()));

    /// <summary>The store query of this filter, exactly as the API's <c>GET /jobs</c> reads it.</summary>
    /// <exception cref="InvalidQueryException">A value is malformed.</exception>
    internal JobQuery ToQuery(int limit, string? offset) =>
        JobListQuery.Parse(Status, Flow, null, Search, null, null, limit.ToString(CultureInfo.InvariantCulture), offset);

    /// <summary>The filter's query-string pairs (only those set).</summary>
    internal IEnumerable<KeyValuePair<string, string?>> Pairs()
    {
        if (Status is not null)
        {
            yield return new("status", Status);
        }

        if (Flow is not null)
        {
            yield return new("flow", Flow);
        }

        if (Search is not null)
        {
            yield return new("search", Search);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
