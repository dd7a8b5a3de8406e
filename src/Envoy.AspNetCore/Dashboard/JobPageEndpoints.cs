using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Dashboard.Jobs;
using Envoy.AspNetCore.Dashboard.Pages;
using Envoy.AspNetCore.Endpoints.Jobs;
using Envoy.AspNetCore.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// <c>{prefix}/jobs/{id}</c>: one job (status, context, timeline, waits, graph, agent run), and the forms that act on it (cancel,
/// fail, retry, resolve a wait). A page costs at most 3 + <see cref="JobPageModel.MaxEscalations"/> store calls: the job, its
/// history, its first children, and the escalations of its current state. Actions check the role again and use the same rules
/// as the API (<see cref="JobActions"/>), then redirect back to the page with a notice (Post-Redirect-Get).
/// </summary>
internal static class JobPageEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/jobs/{id}", RenderAsync);
        pages.MapPost("/jobs/{id}/cancel", CancelAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
        pages.MapPost("/jobs/{id}/fail", FailAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
        pages.MapPost("/jobs/{id}/retry", RetryAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
        pages.MapPost("/jobs/{id}/waits/{waitId}/resolve", ResolveAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
    }

    private static async Task<IResult> RenderAsync(string id, [FromQuery] string? notice, HttpContext http, Scheduler scheduler, TimeProvider time, CancellationToken cancellationToken)
    {
        Job job;
        try
        {
            job = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (JobNotFoundException)
        {
            return Message(http, StatusCodes.Status404NotFound, "Job not found", $"No job has the id '{id}'.");
        }

        var history = await scheduler.GetJobHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = id, Limit = JobPageModel.MaxChildren + 1 }, cancellationToken).ConfigureAwait(false);
        var escalations = new List<Escalation>();
        foreach (var wait in job.Context.Waits.Where(w => w.Type == WaitTypes.Escalation).Take(JobPageModel.MaxEscalations))
        {
            try
            {
                escalations.Add(await scheduler.GetEscalationAsync(wait.Id, cancellationToken).ConfigureAwait(false));
            }
            catch (EscalationNotFoundException)
            {
                // Not created yet (the step that asked has not committed its escalation): the wait alone is shown.
            }
        }

        // The graph of the job's own version (a job of an older version keeps its shape in a rolling deploy).
        var flow = scheduler.FindFlow(job.Flow, job.FlowVersion);
        var graph = flow is not null
            ? FlowGraph.Of(flow, job.Context.State, FlowGraph.Visited(history, job.Context.State))
            : null;
        var model = new JobPageModel(
            job,
            history,
            children.Take(JobPageModel.MaxChildren).ToList(),
            children.Count > JobPageModel.MaxChildren,
            escalations,
            graph,
            AgentRun.Read(job.Context),
            job.TotalRetries,
            time.GetUtcNow())
        {
            VersionServed = await IsServedAsync(job, scheduler, cancellationToken).ConfigureAwait(false),
        };
        return DashboardPage.Render<JobPage>(new Dictionary<string, object?>
        {
            [nameof(JobPage.Context)] = DashboardContext.Of(http),
            [nameof(JobPage.Model)] = model,
            [nameof(JobPage.Notice)] = JobPageNotices.Of(notice),
        });
    }

    /// <summary>
    /// Whether a live worker on the store has the flow of an unfinished job at its version (any version for a job from before
    /// versions), the store-wide answer of <see cref="Scheduler.ListUnservedJobsAsync"/>; a finished job needs none.
    /// </summary>
    private static async Task<bool> IsServedAsync(Job job, Scheduler scheduler, CancellationToken cancellationToken)
    {
        if (job.Status is JobStatus.Done or JobStatus.Failed or JobStatus.Cancelled)
        {
            return true;
        }

        if (scheduler.IsRunning && scheduler.FindFlow(job.Flow, job.FlowVersion) is not null)
        {
            return true;
        }

        var workers = await scheduler.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
        return workers.Any(w => w.Flows.Any(f => string.Equals(f.Flow, job.Flow, StringComparison.Ordinal)
            && (string.IsNullOrEmpty(job.FlowVersion) || string.Equals(f.Version, job.FlowVersion, StringComparison.Ordinal))));
    }

    private static Task<IResult> CancelAsync(string id, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken) =>
        ActAsync(http, id, async () =>
        {
            await JobActions.FindAsOperatorAsync(id, http.User, scheduler, cancellationToken).ConfigureAwait(false);
            await scheduler.CancelJobAsync(id, cancellationToken).ConfigureAwait(false);
            return "cancelled";
        });

    private static Task<IResult> RetryAsync(string id, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken) =>
        ActAsync(http, id, async () =>
        {
            await JobActions.FindAsOperatorAsync(id, http.User, scheduler, cancellationToken).ConfigureAwait(false);
            await scheduler.RetryJobAsync(id, cancellationToken).ConfigureAwait(false);
            return "retried";
        });

    private static Task<IResult> FailAsync(string id, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken) =>
        ActAsync(http, id, async () =>
        {
            await JobActions.FindAsOperatorAsync(id, http.User, scheduler, cancellationToken).ConfigureAwait(false);
            var form = await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            var reason = form["reason"].ToString();
            if (string.IsNullOrWhiteSpace(reason))
            {
                return "reason_required";
            }

            await JobActions.FailAsync(id, reason, scheduler, cancellationToken).ConfigureAwait(false);
            return "failed";
        });

    private static Task<IResult> ResolveAsync(string id, string waitId, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken) =>
        ActAsync(http, id, async () =>
        {
            await JobActions.DemandResolverAsync(id, waitId, http.User, scheduler, cancellationToken).ConfigureAwait(false);
            var form = await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            var text = form["value"].ToString();
            JsonNode? value;
            try
            {
                value = string.IsNullOrWhiteSpace(text) ? throw new JsonException("empty") : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return "invalid_json";
            }

            try
            {
                await JobActions.ResolveWaitAsync(id, waitId, true, value, scheduler, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidRequestBodyException or ContextTooLargeException)
            {
                return "value_refused";
            }

            return "resolved";
        });

    /// <summary>Runs an action; the notice code it returns (or the refusal's problem code) goes back to the page in its address.</summary>
    private static async Task<IResult> ActAsync(HttpContext http, string id, Func<Task<string>> action)
    {
        string notice;
        try
        {
            notice = await action().ConfigureAwait(false);
        }
        catch (JobNotFoundException)
        {
            return Message(http, StatusCodes.Status404NotFound, "Job not found", $"No job has the id '{id}'.");
        }
        catch (EnvoyForbiddenException e)
        {
            return Message(http, StatusCodes.Status403Forbidden, "Not allowed", e.Message);
        }
        catch (EnvoyException e) when (EnvoyProblemMapper.ToProblem(e) is { } problem && JobPageNotices.Of(problem.Code) is not null)
        {
            notice = problem.Code;
        }

        return Results.Redirect(DashboardContext.Of(http).Href("jobs/" + Uri.EscapeDataString(id)) + "?notice=" + Uri.EscapeDataString(notice));
    }

    private static RazorComponentResult<JobMessagePage> Message(HttpContext http, int status, string title, string text) =>
        DashboardPage.Render<JobMessagePage>(
            new Dictionary<string, object?>
            {
                [nameof(JobMessagePage.Context)] = DashboardContext.Of(http),
                [nameof(JobMessagePage.Title)] = title,
                [nameof(JobMessagePage.Text)] = text,
            },
            status);
}
