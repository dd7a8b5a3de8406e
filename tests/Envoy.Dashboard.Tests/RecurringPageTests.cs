using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>The Recurring page: the schedules with their next and last runs, and the Trigger button.</summary>
public sealed class RecurringPageTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    [Fact]
    public async Task The_recurring_page_lists_schedules_and_trigger_runs_one_linking_its_job()
    {
        await Host.Scheduler.AddRecurringAsync("nightly-square", "square", "30 2 * * *", 12, new RecurringOptions { TimeZone = "Europe/Berlin" });
        await Host.Scheduler.AddRecurringAsync("paused-hello", "hello", "*/10 * * * * *", options: new RecurringOptions { Enabled = false });
        var page = await SignInAsync(ApiKeys.Alice);

        await page.GetByRole(AriaRole.Link, new() { Name = "Recurring" }).ClickAsync();
        var row = page.Locator("tr[data-recurring='nightly-square']");
        await Assertions.Expect(row).ToContainTextAsync("30 2 * * *");
        await Assertions.Expect(row).ToContainTextAsync("Europe/Berlin");
        await Assertions.Expect(row.Locator(".recurring-last")).ToContainTextAsync("never");
        await Assertions.Expect(page.Locator("tr[data-recurring='paused-hello'] .recurring-next")).ToHaveTextAsync("—");
        await row.GetByRole(AriaRole.Button, new() { Name = "Trigger" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Triggered");
        var schedule = await Host.Scheduler.GetRecurringAsync("nightly-square");
        Assert.NotNull(schedule.LastJobId);
        await Screenshots.ShootAsync(page, "recurring-light");
        await page.Locator("tr[data-recurring='nightly-square'] .recurring-last a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/envoy/jobs/" + schedule.LastJobId));
        Assert.Empty(ConsoleErrors);
    }
}
