using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>
/// The dashboard's security in a real browser, on every page in <see cref="Pages"/> (add a page there and it is covered):
/// forged cross-site and cross-origin form posts change nothing, markup from a job or an escalation is shown as text and never
/// runs, every page's Content-Security-Policy runs no inline or eval'd script, a viewer gets no action buttons and their posts
/// are refused.
/// </summary>
public sealed class DashboardSecurityTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    /// <summary>The payloads a job input and an escalation carry; none may run, none may become an element.</summary>
    public const string ScriptPayload = "<script>window.__pwned=1</script>";

    /// <summary>See <see cref="ScriptPayload"/>.</summary>
    public const string ImagePayload = "<img src=x onerror=alert(1)>";

    /// <summary>
    /// The signed-in pages, relative to the dashboard root; <c>{job}</c> stands for the id of a job whose input and escalation
    /// carry the payloads.
    /// </summary>
    public static readonly TheoryData<string> Pages = new() { "", "jobs", "jobs/{job}", "flows", "flows/approval", "escalations", "escalations?tab=history" };

    /// <summary><see cref="Pages"/> and the sign-in page.</summary>
    public static readonly TheoryData<string> AllPages = new() { "", "jobs", "jobs/{job}", "flows", "flows/approval", "escalations", "escalations?tab=history", "signin" };

    /// <summary>The pages where an operator acts (their buttons must not be there for a viewer).</summary>
    public static readonly TheoryData<string> ActionPages = new() { "", "jobs", "jobs/{job}", "escalations" };

    protected override void ConfigureFlows(EnvoyBuilder envoy) => InboxFlows.Register(envoy);

    [Theory]
    [MemberData(nameof(AllPages))]
    public async Task Every_page_has_a_content_security_policy_that_runs_no_inline_or_evaluated_script(string path)
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "hello", new JsonObject());
        var page = path == "signin" ? await Context.NewPageAsync() : await SignInAsync(ApiKeys.Admin);
        var response = await page.GotoAsync(Root + path.Replace("{job}", jobId, StringComparison.Ordinal));

        Assert.Equal(200, response!.Status);
        var policy = await response.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var scripts = Assert.Single(directives, d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Equal("script-src 'self'", scripts);
        Assert.Contains("default-src 'self'", directives);
        Assert.Contains("object-src 'none'", directives);
        Assert.Contains("frame-ancestors 'none'", directives);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", await response.HeaderValueAsync("x-content-type-options"));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Markup_in_a_job_input_and_an_escalation_is_shown_as_text_and_never_runs(string path)
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, InboxFlows.Ask, new JsonObject
        {
            ["user"] = "root",
            ["message"] = ScriptPayload + ImagePayload,
            ["label"] = ImagePayload,
            ["text"] = ScriptPayload + ImagePayload,
        });
        var page = await SignInAsync(ApiKeys.Admin);
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add(dialog.Message);
            }

            _ = dialog.DismissAsync();
        };

        // The escalation exists once the inbox shows it (then every page has something to draw from it).
        await page.GotoAsync(Root + "escalations");
        var card = page.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        if (path.StartsWith("escalations?tab=history", StringComparison.Ordinal))
        {
            var form = card.Locator("form");
            await form.GetByLabel("Note").FillAsync(ScriptPayload + ImagePayload);
            await form.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Approved" })).ToBeVisibleAsync();
            await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));
        }

        await page.GotoAsync(Root + path.Replace("{job}", jobId, StringComparison.Ordinal));
        await ExpectLiveAsync(page); // the page's scripts ran (and a refresh may have swapped the live parts)

        if (path.StartsWith("escalations", StringComparison.Ordinal))
        {
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync(ScriptPayload + ImagePayload);
        }

        Assert.Equal(0, await page.Locator("main script, main img[src='x'], img[onerror]").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.__pwned === 'undefined'"), "An injected script ran.");
        lock (dialogs)
        {
            Assert.Empty(dialogs);
        }
    }

    [Fact]
    public async Task A_form_posted_from_a_page_of_another_site_gets_no_session_and_changes_nothing()
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 30 });
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "escalations");
        var escalationId = await DashboardForms.EscalationIdAsync(page.Locator("article.escalation"));

        // An attacker's page on http://localhost:PORT (another site than 127.0.0.1) in alice's signed-in browser posts a reply
        // and a sign-out. The SameSite=Strict session cookie is not sent with it: the server sees nobody and sends the post to
        // the sign-in page.
        await using var evil = await EvilSite.StartAsync(Root, escalationId);
        var attacker = await AttackerPageAsync();
        foreach (var button in new[] { "Approve for me", "Sign me out" })
        {
            await attacker.GotoAsync($"http://localhost:{evil.Address.Port}/");
            var response = await attacker.RunAndWaitForResponseAsync(
                () => attacker.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync(),
                r => r.Request.Method == "POST");
            Assert.Equal((int)HttpStatusCode.Redirect, response.Status);
            Assert.Contains("/envoy/signin", await response.HeaderValueAsync("location") ?? string.Empty, StringComparison.Ordinal);
        }

        await AssertUntouchedAsync(page, escalationId, jobId);
    }

    [Fact]
    public async Task A_form_posted_from_another_origin_of_the_same_site_carries_the_cookie_but_no_token_and_is_refused()
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 30 });
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "escalations");
        var escalationId = await DashboardForms.EscalationIdAsync(page.Locator("article.escalation"));

        // Another app on another port of 127.0.0.1: another origin but, for the browser, not another
        // site, so it does send the session cookie; what refuses the post is the missing antiforgery token (400), before any
        // handler runs.
        await using var evil = await EvilSite.StartAsync(Root, escalationId);
        var attacker = await AttackerPageAsync();
        foreach (var button in new[] { "Approve for me", "Sign me out" })
        {
            await attacker.GotoAsync(evil.Address.ToString());
            var response = await attacker.RunAndWaitForResponseAsync(
                () => attacker.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync(),
                r => r.Request.Method == "POST");
            Assert.Equal((int)HttpStatusCode.BadRequest, response.Status);
            Assert.Contains("refused", await response.TextAsync(), StringComparison.Ordinal);

            // The same forms on about:blank (page.SetContentAsync): whether Chromium sends the cookie from there depends on how
            // the blank page was opened, so either refusal is accepted: no session (sent to sign in) or no token (400).
            await attacker.GotoAsync("about:blank");
            await attacker.SetContentAsync(evil.Html);
            var blank = await attacker.RunAndWaitForResponseAsync(
                () => attacker.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync(),
                r => r.Request.Method == "POST");
            Assert.True(
                blank.Status == (int)HttpStatusCode.BadRequest
                || (blank.Status == (int)HttpStatusCode.Redirect && (await blank.HeaderValueAsync("location") ?? string.Empty).Contains("/envoy/signin", StringComparison.Ordinal)),
                $"A post from about:blank got {blank.Status}.");
        }

        await AssertUntouchedAsync(page, escalationId, jobId);
    }

    [Theory]
    [MemberData(nameof(ActionPages))]
    public async Task A_viewer_sees_no_action_buttons(string path)
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 30 });
        var viewer = await SignInAsync(ApiKeys.Viewer);
        await viewer.GotoAsync(Root + path.Replace("{job}", jobId, StringComparison.Ordinal));
        await ExpectLiveAsync(viewer);
        if (path == "escalations")
        {
            await Assertions.Expect(viewer.Locator("article.escalation")).ToHaveCountAsync(1);
        }

        // Only the sign-out form of the top bar posts; nothing in the page changes a job (a GET filter form may be there).
        await Assertions.Expect(viewer.Locator("main form[method=post]")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.Locator("main input[type=checkbox]")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.Locator("main button").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("Approve|Reject|Cancel|Retry|Fail|Resolve") })).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.Locator("form[method=post]")).ToHaveCountAsync(1);
        await Assertions.Expect(viewer.Locator("form[method=post]")).ToHaveAttributeAsync("action", "/envoy/signout");
    }

    /// <summary>
    /// The test host has no forwarded headers and no certificate, so the <c>Secure</c> flag is checked on the cookie options
    /// the app registered, built for an HTTPS and for a plain request (what a request through a proxy forwarding
    /// <c>X-Forwarded-Proto: https</c> becomes after <c>UseForwardedHeaders</c>).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_session_and_antiforgery_cookies_are_http_only_same_site_strict_and_secure_exactly_over_https(bool https)
    {
        var http = new DefaultHttpContext { RequestServices = Host.Services };
        http.Request.Scheme = https ? "https" : "http";
        http.Request.IsHttps = https;

        var session = Host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get("EnvoyCookie");
        var antiforgery = Host.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value;
        Assert.Equal("envoy.session", session.Cookie.Name);
        foreach (var cookie in new[] { session.Cookie.Build(http), antiforgery.Cookie.Build(http) })
        {
            Assert.True(cookie.HttpOnly);
            Assert.Equal(SameSiteMode.Strict, cookie.SameSite);
            Assert.Equal(https, cookie.Secure);
        }
    }

    /// <summary>
    /// A page in a second context holding the signed-in user's cookies (the same browser profile, for the server): its refused
    /// posts log console errors, which are expected there, so the context is not one the test base watches.
    /// </summary>
    private async Task<IPage> AttackerPageAsync()
    {
        var context = await Context.Browser!.NewContextAsync(new BrowserNewContextOptions { StorageState = await Context.StorageStateAsync() });
        context.SetDefaultTimeout(Timeout);
        return await context.NewPageAsync();
    }

    private async Task AssertUntouchedAsync(IPage page, string escalationId, string jobId)
    {
        var escalation = await DashboardForms.GetJsonAsync(Host, $"envoy/api/escalations/{escalationId}");
        Assert.Equal("pending", escalation["status"]!.GetValue<string>());
        Assert.Null(escalation["repliedBy"]);
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(jobId)).Status);

        // Still signed in: the forged sign-out did nothing either.
        await page.GotoAsync(Root);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".user")).ToContainTextAsync("alice");
    }

    /// <summary>A tiny web app on another loopback port serving an attacker's page with forms that post to the dashboard.</summary>
    private sealed class EvilSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private EvilSite(WebApplication app, Uri address, string html)
        {
            _app = app;
            Address = address;
            Html = html;
        }

        public Uri Address { get; }

        public string Html { get; }

        public static async Task<EvilSite> StartAsync(string dashboardRoot, string escalationId)
        {
            var builder = WebApplication.CreateBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var html =
                "<!DOCTYPE html><title>Prizes</title><link rel=icon href='data:,'>" +
                $"<form method=post action='{dashboardRoot}escalations/{escalationId}/reply'><input type=hidden name=decision value=approved><button>Approve for me</button></form>" +
                $"<form method=post action='{dashboardRoot}signout'><button>Sign me out</button></form>";
            app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new EvilSite(app, new Uri(address), html);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
