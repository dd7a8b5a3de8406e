using Envoy.AspNetCore.Dashboard.Pages;
using Envoy.AspNetCore.Endpoints;
using Envoy.AspNetCore.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// <c>{prefix}/escalations</c>: the inbox (the signed-in user's pending escalations; everyone's for an admin, and read-only for
/// a viewer), its history tab (<c>?tab=history</c>: answered, cancelled and expired ones), and the reply form's post
/// (<c>{prefix}/escalations/{id}/reply</c>), answered by the same code and rules as the API's reply route.
/// </summary>
internal static class EscalationsInboxEndpoints
{
    /// <summary>How many answered escalations the history tab shows (newest first).</summary>
    internal const int HistoryLimit = 100;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/escalations", RenderAsync);
        pages.MapPost("/escalations/{id}/reply", ReplyAsync).AddEndpointFilter<DashboardAntiforgeryFilter>();
    }

    private static async Task<IResult> RenderAsync(HttpContext http, Scheduler scheduler, string? tab, string? notice, string? error, CancellationToken cancellationToken)
    {
        var context = DashboardContext.Of(http);
        var history = string.Equals(tab, "history", StringComparison.Ordinal);

        // An operator sees what is addressed to them; an admin (who answers any) and a viewer (who reads everything) see all.
        var user = context.CanOperate && !context.IsAdmin ? context.User : null;
        var escalations = history
            ? (await scheduler.ListEscalationsAsync(null, user, cancellationToken).ConfigureAwait(false))
                .Where(e => e.Status != EscalationStatus.Pending).Take(HistoryLimit).ToList()
            : await scheduler.ListEscalationsAsync(EscalationStatus.Pending, user, cancellationToken).ConfigureAwait(false);

        var jobs = new Dictionary<string, Job?>(StringComparer.Ordinal);
        var items = new List<InboxItem>(escalations.Count);
        foreach (var escalation in escalations)
        {
            if (!jobs.TryGetValue(escalation.JobId, out var job))
            {
                job = await FindJobAsync(scheduler, escalation.JobId, cancellationToken).ConfigureAwait(false);
                jobs[escalation.JobId] = job;
            }

            items.Add(new InboxItem(
                escalation,
                job?.Flow,
                !history && EscalationsEndpoints.MayAnswer(http.User, escalation),
                job is null || history ? null : ToolCallApproval.Find(job, escalation)));
        }

        return DashboardPage.Render<EscalationsPage>(new Dictionary<string, object?>
        {
            [nameof(EscalationsPage.Context)] = context,
            [nameof(EscalationsPage.History)] = history,
            [nameof(EscalationsPage.Items)] = items,
            [nameof(EscalationsPage.SeesEveryone)] = user is null,
            [nameof(EscalationsPage.Notice)] = NoticeText(notice),
            [nameof(EscalationsPage.Error)] = ErrorText(error),
        });
    }

    /// <summary>
    /// The same checks, in the same order, as the API's reply route: unknown id (404), not its user nor an admin (403), a
    /// decision that is neither approve nor reject (400), no longer pending (409). Refusals other than 403/404 come back to
    /// the inbox with a notice.
    /// </summary>
    private static async Task<IResult> ReplyAsync(string id, HttpContext http, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var context = DashboardContext.Of(http);
        try
        {
            var escalation = await scheduler.GetEscalationAsync(id, cancellationToken).ConfigureAwait(false);
            EscalationsEndpoints.DemandMayAnswer(http.User, escalation);
            var form = await http.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            var decision = EscalationsEndpoints.Decision(form["decision"].ToString() is { Length: > 0 } d ? d : null);
            var values = ValuesOf(escalation, decision, form);
            await EscalationsEndpoints.AnswerAsync(scheduler, http.User, escalation, decision, values, cancellationToken).ConfigureAwait(false);
            return Results.Redirect(context.Href("escalations?notice=" + (decision == EscalationDecision.Approved ? "approved" : "rejected")));
        }
        catch (Exception e) when (EnvoyProblemMapper.ToProblem(e) is { } problem)
        {
            return problem.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound
                ? Results.Text(problem.Detail, "text/plain; charset=utf-8", statusCode: problem.Status)
                : Results.Redirect(context.Href("escalations?error=" + Uri.EscapeDataString(problem.Code)));
        }
    }

    /// <summary>
    /// The reply's values from the form: each approve input is the decision itself, a comment its text, a choice its option;
    /// an empty field is left out (no answer). Fields that name no input are ignored.
    /// </summary>
    internal static Dictionary<string, object?> ValuesOf(Escalation escalation, EscalationDecision decision, IFormCollection form)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var input in escalation.Inputs)
        {
            if (input.Kind == EscalationInputKind.Approve)
            {
                values[input.Id] = decision == EscalationDecision.Approved;
            }
            else if (form[FieldName(input)].ToString() is { Length: > 0 } text)
            {
                values[input.Id] = text;
            }
        }

        return values;
    }

    /// <summary>The form field of an input's value.</summary>
    internal static string FieldName(EscalationInput input) => "v." + input.Id;

    private static async Task<Job?> FindJobAsync(Scheduler scheduler, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (JobNotFoundException)
        {
            return null; // deleted by retention: the escalation still shows
        }
    }

    private static string? NoticeText(string? notice) => notice switch
    {
        "approved" => "Approved: the job goes on.",
        "rejected" => "Rejected: the job goes on with the rejection.",
        _ => null,
    };

    private static string? ErrorText(string? error) => error switch
    {
        null or "" => null,
        EnvoyProblemCodes.EscalationAlreadyAnswered => "That escalation was already answered (or closed) by the time your answer arrived.",
        EnvoyProblemCodes.JobTerminal => "That escalation's job has ended: it takes no answer.",
        EnvoyProblemCodes.InvalidBody => "That answer does not fit the escalation's form (a choice that is not one of its options, or no decision).",
        _ => "That answer was refused.",
    };

}
