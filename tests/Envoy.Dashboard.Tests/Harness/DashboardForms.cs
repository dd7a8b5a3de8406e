using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.Harness;

/// <summary>Helpers of the inbox and security tests: the API as a client sees it, and posts made outside the page's own forms.</summary>
public static class DashboardForms
{
    /// <summary>The antiforgery field's name (every dashboard form carries it).</summary>
    public const string AntiforgeryField = "__envoy_antiforgery";

    /// <summary>Schedules <paramref name="flow"/> through the HTTP API (as the admin) and returns the job id.</summary>
    public static async Task<string> ScheduleThroughApiAsync(ApiHost host, string flow, JsonNode input)
    {
        using var client = host.Client(ApiKeys.Admin);
        using var response = await client.PostAsJsonAsync("envoy/api/jobs", new JsonObject { ["flow"] = flow, ["input"] = input });
        response.EnsureSuccessStatusCode();
        var job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return job["id"]!.GetValue<string>();
    }

    /// <summary><c>GET</c> of an API route as the admin, parsed.</summary>
    public static async Task<JsonNode> GetJsonAsync(ApiHost host, string path)
    {
        using var client = host.Client(ApiKeys.Admin);
        return JsonNode.Parse(await client.GetStringAsync(path))!;
    }

    /// <summary>The id of the escalation drawn as the card <paramref name="card"/> (its element id is <c>esc-{id}</c>).</summary>
    public static async Task<string> EscalationIdAsync(ILocator card) =>
        (await card.GetAttributeAsync("id"))!["esc-".Length..];

    /// <summary>
    /// Posts a reply to escalation <paramref name="escalationId"/> with the session and a valid antiforgery token of
    /// <paramref name="page"/>'s user, as a hand-made request (not through a form the page drew): the server must still check
    /// the role and the ownership.
    /// </summary>
    public static async Task<IAPIResponse> PostReplyAsync(IPage page, string root, string escalationId, string decision = "approved")
    {
        var token = await page.Locator($"input[name={AntiforgeryField}]").First.GetAttributeAsync("value");
        var form = page.Context.APIRequest.CreateFormData();
        form.Set(AntiforgeryField, token!);
        form.Set("decision", decision);
        return await page.Context.APIRequest.PostAsync(
            root + "escalations/" + Uri.EscapeDataString(escalationId) + "/reply",
            new APIRequestContextOptions { Form = form, MaxRedirects = 0 });
    }
}
