using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>
/// Draws the overview with activity (chart, failing flows) and the jobs list (with an operator's bulk controls) in both themes,
/// and the jobs list at 360 px wide, into the same folder as <see cref="ScreenshotTests"/> (<c>ENVOY_SCREENSHOTS</c>).
/// </summary>
public sealed class JobsScreenshotTests(BrowserFixture browser) : DashboardTestBase(browser)
{

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_overview_and_the_jobs_list_are_drawn_in_both_themes(string theme)
    {
        // Failed jobs before the first look (the failing flows figure), more jobs while the page is open (the chart).
        await RunAsync("hello", "fail", "square", "fail", "hello");
        var context = await NewContextAsync(theme);
        var page = await SignInAsync(ApiKeys.Admin, context);
        await ExpectLiveAsync(page);
        await RunAsync("hello", "square", "fail", "hello");
        await Host.Scheduler.ScheduleAsync("wait", new { note = "waiting for the <b>warehouse</b>" });
        await Host.Scheduler.ScheduleAsync("approval", new { user = "alice", amount = 250 });
        await Assertions.Expect(page.Locator("#throughput-summary")).ToContainTextAsync("3 done, 1 failed");
        await Assertions.Expect(page.Locator("#overview-failing td").First).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"overview-activity-{theme}");

        await page.GotoAsync(Root + "jobs");
        await Assertions.Expect(page.Locator("#jobs-list tbody tr")).ToHaveCountAsync(11);
        await page.GetByText("Every job matching the filter").ClickAsync();
        await Screenshots.ShootAsync(page, $"jobs-{theme}");

        await page.GotoAsync(Root + "jobs?status=failed&notice=retried&n=2&skipped=0");
        await page.SetViewportSizeAsync(360, 800);
        await Screenshots.ShootAsync(page, $"jobs-narrow-{theme}");
        await context.CloseAsync();
    }

    private async Task RunAsync(params string[] flows)
    {
        var last = string.Empty;
        foreach (var flow in flows)
        {
            last = await Host.Scheduler.ScheduleAsync(flow, flow == "square" ? 7 : null);
        }

        await Host.Scheduler.WaitForJobAsync(last, TimeSpan.FromSeconds(60));
    }

}
