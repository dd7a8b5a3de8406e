using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>
/// Draws every page in the light and the dark theme (and the overview at 360 px wide) into <c>ENVOY_SCREENSHOTS</c> (default:
/// <c>screenshots/</c> beside the test assembly): the pictures of docs/dashboard.md come from here. Each picture must not be
/// empty, and no page may write a console error.
/// </summary>
public sealed class ScreenshotTests(BrowserFixture browser) : DashboardTestBase(browser)
{

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Every_page_is_drawn_in_both_themes(string theme)
    {
        await Host.Scheduler.WaitForJobAsync(await Host.Scheduler.ScheduleAsync("hello"), TimeSpan.FromSeconds(60));
        await Host.Scheduler.ScheduleAsync("approval", new { user = "root", amount = 30 });
        var context = await NewContextAsync(theme);
        var signIn = await context.NewPageAsync();
        await signIn.GotoAsync(Root + "signin");
        await Screenshots.ShootAsync(signIn, $"signin-{theme}");

        var page = await SignInAsync(ApiKeys.Admin, context);
        await ExpectLiveAsync(page);
        await Screenshots.ShootAsync(page, $"overview-{theme}");

        await page.SetViewportSizeAsync(360, 800);
        await Screenshots.ShootAsync(page, $"overview-narrow-{theme}");
        await context.CloseAsync();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_escalations_inbox_is_drawn_in_both_themes(string theme)
    {
        await Host.Scheduler.ScheduleAsync("approval", new { user = "alice", amount = 30 });
        await Host.Scheduler.ScheduleAsync("approval", new { user = "root", amount = 1250 });
        var context = await NewContextAsync(theme);
        var page = await SignInAsync(ApiKeys.Admin, context);
        await page.GotoAsync(Root + "escalations");
        await Assertions.Expect(page.Locator("article.escalation")).ToHaveCountAsync(2);
        await ExpectLiveAsync(page);
        await Screenshots.ShootAsync(page, $"escalations-{theme}");
        await context.CloseAsync();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_workers_page_is_drawn_in_both_themes(string theme)
    {
        var context = await NewContextAsync(theme);
        var page = await SignInAsync(ApiKeys.Admin, context);
        await page.GotoAsync(Root + "workers");
        await Assertions.Expect(page.Locator($"tr[data-worker='{Host.Scheduler.WorkerId}']")).ToBeVisibleAsync();
        await ExpectLiveAsync(page);
        await Screenshots.ShootAsync(page, $"workers-{theme}");
        await context.CloseAsync();
    }

}
