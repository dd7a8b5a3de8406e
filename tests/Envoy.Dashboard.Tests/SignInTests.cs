using System.Net;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>Signing in with an API key, signing out, and what a visitor without a session gets.</summary>
public sealed class SignInTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    [Fact]
    public async Task A_visitor_without_a_session_is_sent_to_the_sign_in_form_and_comes_back_after_signing_in()
    {
        var page = await Context.NewPageAsync();
        await page.GotoAsync(Root);

        Assert.Contains("/envoy/signin?returnUrl=", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("API key").FillAsync(ApiKeys.Alice);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".user")).ToContainTextAsync("alice");
        await Assertions.Expect(page.Locator(".user .role")).ToHaveTextAsync("operator");
        await ExpectLiveAsync(page);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_a_message_and_no_session()
    {
        var page = await Context.NewPageAsync();
        await page.GotoAsync(Root + "signin");
        await page.GetByLabel("API key").FillAsync("not-a-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not one of this server's API keys");
        var cookies = await Context.CookiesAsync();
        Assert.DoesNotContain(cookies, c => c.Name == "envoy.session");
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_and_same_site_strict_and_signing_out_ends_it()
    {
        var page = await SignInAsync(ApiKeys.Admin);

        var session = Assert.Single(await Context.CookiesAsync(), c => c.Name == "envoy.session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await page.GotoAsync(Root);
        Assert.Contains("/envoy/signin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_without_inline_scripts()
    {
        var page = await Context.NewPageAsync();
        var response = await page.GotoAsync(Root + "signin");

        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline';", policy.Split("style-src")[0], StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_post_without_the_antiforgery_token_is_refused()
    {
        using var client = Host.Client();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = ApiKeys.Admin });

        var response = await client.PostAsync("envoy/signin", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("envoy.session", StringComparison.Ordinal)));
    }
}
