using Envoy.AspNetCore.Dashboard.Pages;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// <c>{prefix}/recurring</c>: the recurring schedules; <c>POST {prefix}/recurring/{id}/trigger</c> (operator, antiforgery) runs
/// one once now and comes back to the page naming the job (Post-Redirect-Get).
/// </summary>
internal static class RecurringPageEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/recurring", ListAsync);
        pages.MapPost("/recurring/{id}/trigger", TriggerAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
    }

    private static async Task<IResult> ListAsync([FromQuery] string? triggered, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var schedules = await scheduler.ListRecurringAsync(cancellationToken).ConfigureAwait(false);
        return DashboardPage.Render<RecurringPage>(new Dictionary<string, object?>
        {
            [nameof(RecurringPage.Context)] = DashboardContext.Of(http),
            [nameof(RecurringPage.Schedules)] = schedules,
            [nameof(RecurringPage.TriggeredJobId)] = string.IsNullOrEmpty(triggered) ? null : triggered,
        });
    }

    private static async Task<IResult> TriggerAsync(string id, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (RecurringNotFoundException)
        {
            return Message(http, StatusCodes.Status404NotFound, "Recurring schedule not found", $"No recurring schedule has the id '{id}'.");
        }

        if (!http.User.HasEnvoyRole(EnvoyRoles.Operator))
        {
            return Message(http, StatusCodes.Status403Forbidden, "Not allowed", "Triggering a recurring schedule needs the operator role.");
        }

        var jobId = await scheduler.TriggerRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.Redirect(DashboardContext.Of(http).Href("recurring") + "?triggered=" + Uri.EscapeDataString(jobId));
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
