using System.Text.RegularExpressions;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>The overview: counts, the live throughput chart (redrawn in the theme's colours), the flows failing most.</summary>
public sealed partial class OverviewTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    [Fact]
    public async Task The_overview_shows_the_counts_the_throughput_chart_and_the_flows_failing_most()
    {
        await Host.Scheduler.WaitForJobAsync(await Host.Scheduler.ScheduleAsync("fail"), TimeSpan.FromSeconds(60));
        await Host.Scheduler.WaitForJobAsync(await Host.Scheduler.ScheduleAsync("hello"), TimeSpan.FromSeconds(60));

        var page = await SignInAsync(ApiKeys.Admin);
        await ExpectLiveAsync(page);

        await Assertions.Expect(page.Locator(".count[data-status=failed]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator(".count[data-status=done]")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#throughput-chart canvas")).ToBeVisibleAsync();
        var failing = page.Locator("#overview-failing");
        await Assertions.Expect(failing.GetByRole(AriaRole.Link, new() { Name = "fail" })).ToHaveAttributeAsync("href", new Regex("jobs\\?status=failed&flow=fail$"));
        await Assertions.Expect(failing.Locator("td.num").First).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task The_chart_counts_jobs_finishing_while_the_page_is_open()
    {
        var page = await SignInAsync(ApiKeys.Admin);
        await ExpectLiveAsync(page);
        await Assertions.Expect(page.Locator("#throughput-summary")).ToContainTextAsync("0 done, 0 failed");

        await Host.Scheduler.WaitForJobAsync(await Host.Scheduler.ScheduleAsync("hello"), TimeSpan.FromSeconds(60));
        await Host.Scheduler.WaitForJobAsync(await Host.Scheduler.ScheduleAsync("hello"), TimeSpan.FromSeconds(60));
        await Host.Scheduler.WaitForJobAsync(await Host.Scheduler.ScheduleAsync("fail"), TimeSpan.FromSeconds(60));

        // No reload: the chart reads its data again after the page's live update (or on its own 10 s tick).
        await Assertions.Expect(page.Locator("#throughput-summary")).ToContainTextAsync("2 done, 1 failed");
        await Assertions.Expect(page.Locator("#throughput-chart canvas")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_chart_is_drawn_again_in_the_other_theme_s_colours()
    {
        var page = await SignInAsync(ApiKeys.Admin);
        await Assertions.Expect(page.Locator("#throughput-chart canvas")).ToBeVisibleAsync();
        var marker = page.Locator("#throughput-chart .u-legend .u-series").Nth(1).Locator(".u-marker");
        var before = await marker.EvaluateAsync<string>("m => getComputedStyle(m).borderColor");

        await page.Locator("#theme-toggle").ClickAsync();

        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Assertions.Expect(marker).Not.ToHaveCSSAsync("border-color", before);
        await Assertions.Expect(page.Locator("#throughput-chart canvas")).ToHaveCountAsync(1);
    }
}
