using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>The jobs list: live rows, search, filters, paging, bulk retry and cancel, what a viewer gets, encoding.</summary>
public sealed partial class JobsListTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    private ILocator Rows(IPage page) => page.Locator("#jobs-list tbody tr");

    private static ILocator Row(IPage page, string id) => page.Locator($"#jobs-list tr[data-job-id=\"{id}\"]");

    [Fact]
    public async Task A_job_scheduled_through_the_api_appears_in_the_open_list_within_two_seconds_without_reload()
    {
        var page = await SignInAsync(ApiKeys.Admin);
        await page.GotoAsync(Root + "jobs");
        await ExpectLiveAsync(page);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var id = await ScheduleViaApiAsync("slow", "60000");

        await Assertions.Expect(Row(page, id)).ToBeVisibleAsync(new() { Timeout = 2_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The page was reloaded.");
        await Host.Scheduler.CancelJobAsync(id);
    }

    [Fact]
    public async Task Search_finds_a_job_by_a_word_of_its_input()
    {
        var word = "zebra" + Guid.NewGuid().ToString("N")[..8];
        var wanted = await Host.Scheduler.ScheduleAsync("wait", new { note = $"ship the {word} crate" });
        var other = await Host.Scheduler.ScheduleAsync("wait", new { note = "ship the llama crate" });
        var page = await SignInAsync(ApiKeys.Admin);
        await page.GotoAsync(Root + "jobs");
        await Assertions.Expect(Row(page, other)).ToBeVisibleAsync();

        await page.GetByLabel("Search").FillAsync(word);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("search=" + word));
        await Assertions.Expect(Row(page, wanted)).ToBeVisibleAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByLabel("Search")).ToHaveValueAsync(word);
    }

    [Fact]
    public async Task Status_and_flow_filters_narrow_the_list_and_stay_in_the_address()
    {
        var hello = await Host.Scheduler.ScheduleAsync("hello");
        var fail = await Host.Scheduler.ScheduleAsync("fail");
        var wait = await Host.Scheduler.ScheduleAsync("wait");
        await Host.Scheduler.WaitForJobAsync(hello, TimeSpan.FromSeconds(60));
        await Host.Scheduler.WaitForJobAsync(fail, TimeSpan.FromSeconds(60));
        var page = await SignInAsync(ApiKeys.Admin);
        await page.GotoAsync(Root + "jobs");
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(3);

        await page.GetByLabel("Status").SelectOptionAsync("failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=failed"));
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, fail)).ToContainTextAsync("boom");

        await page.GetByLabel("Status").SelectOptionAsync(string.Empty);
        await page.GetByLabel("Flow").SelectOptionAsync("wait");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("flow=wait"));
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, wait)).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Flow")).ToHaveValueAsync("wait");
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_next_page_shows_the_older_jobs_with_no_duplicates()
    {
        var scheduled = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 57; i++)
        {
            scheduled.Add(await Host.Scheduler.ScheduleAsync("square", i));
        }

        var page = await SignInAsync(ApiKeys.Admin);
        await page.GotoAsync(Root + "jobs?flow=square");
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(50);
        var first = await IdsAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "Older" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("offset=50"));
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(7);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Older" })).ToHaveCountAsync(0);
        var second = await IdsAsync(page);

        Assert.Empty(first.Intersect(second));
        Assert.Equal(scheduled.Order(), first.Concat(second).Order());

        await page.GetByRole(AriaRole.Link, new() { Name = "Newer" }).ClickAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(50);
        Assert.Equal(first, await IdsAsync(page));
    }

    [Fact]
    public async Task Retry_selected_retries_the_failed_ones_and_skips_the_others()
    {
        var failed = await FinishedAsync("fail", 3);
        var done = (await FinishedAsync("hello", 1))[0];
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "jobs");
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(4);

        await Row(page, failed[0]).GetByRole(AriaRole.Checkbox).CheckAsync();
        await Row(page, failed[1]).GetByRole(AriaRole.Checkbox).CheckAsync();
        await Row(page, done).GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry selected" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("2 retried, 1 skipped.");
        Assert.Equal(1, await RetriesAsync(failed[0]));
        Assert.Equal(1, await RetriesAsync(failed[1]));
        Assert.Equal(0, await RetriesAsync(failed[2]));
        Assert.Equal(JobStatus.Done, await Host.Scheduler.GetJobStatusAsync(done));
    }

    [Fact]
    public async Task Select_all_then_retry_selected_retries_every_failed_job_on_the_page()
    {
        var failed = await FinishedAsync("fail", 3);
        var page = await SignInAsync(ApiKeys.Admin);
        await page.GotoAsync(Root + "jobs?status=failed");
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(3);

        await page.GetByLabel("Select all jobs on this page").CheckAsync();
        await Assertions.Expect(page.Locator("#jobs-list input[name=id]:checked")).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry selected" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("3 retried, 0 skipped.");
        Assert.Contains("status=failed", page.Url, StringComparison.Ordinal);
        foreach (var id in failed)
        {
            Assert.Equal(1, await RetriesAsync(id));
        }
    }

    [Fact]
    public async Task Retry_by_filter_retries_every_failed_job_matching_it_once()
    {
        var failed = await FinishedAsync("fail", 4);
        var done = (await FinishedAsync("hello", 1))[0];
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "jobs?flow=fail");

        await page.GetByText("Every job matching the filter").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry every failed job matching this filter" }).ClickAsync();

        // The fail flow fails again at once: each job is still retried once only by one press.
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("4 retried, 0 skipped.");
        Assert.Contains("flow=fail", page.Url, StringComparison.Ordinal);
        foreach (var id in failed)
        {
            Assert.Equal(1, await RetriesAsync(id));
        }

        Assert.Equal(0, await RetriesAsync(done));
    }

    [Fact]
    public async Task Cancel_selected_and_cancel_by_filter_cancel_the_live_jobs_and_skip_the_finished()
    {
        var waits = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            waits.Add(await Host.Scheduler.ScheduleAsync("wait"));
        }

        var done = (await FinishedAsync("hello", 1))[0];
        var page = await SignInAsync(ApiKeys.Admin);
        await page.GotoAsync(Root + "jobs");
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(4);

        await Row(page, waits[0]).GetByRole(AriaRole.Checkbox).CheckAsync();
        await Row(page, done).GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel selected" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("1 cancelled, 1 skipped.");
        Assert.Equal(JobStatus.Cancelled, await Host.Scheduler.GetJobStatusAsync(waits[0]));
        Assert.Equal(JobStatus.Done, await Host.Scheduler.GetJobStatusAsync(done));

        await page.GotoAsync(Root + "jobs?flow=wait");
        await page.GetByText("Every job matching the filter").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel every pending, blocking or running job matching this filter" }).ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("2 cancelled, 0 skipped.");
        foreach (var id in waits)
        {
            Assert.Equal(JobStatus.Cancelled, await Host.Scheduler.GetJobStatusAsync(id));
        }

        await Assertions.Expect(page.Locator("#jobs-list .status-cancelled")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_viewer_sees_no_bulk_controls_and_their_forged_post_is_refused()
    {
        var failed = (await FinishedAsync("fail", 1))[0];
        var page = await SignInAsync(ApiKeys.Viewer);
        await page.GotoAsync(Root + "jobs");
        await Assertions.Expect(Row(page, failed)).ToBeVisibleAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry selected" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel selected" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("Every job matching the filter")).ToHaveCountAsync(0);

        // A post built in their own page (with their valid antiforgery token from the sign-out form) is refused by role.
        var token = await page.Locator("form input[type=hidden][name=__envoy_antiforgery]").First.InputValueAsync();
        var forged = await page.Context.APIRequest.PostAsync(Root + "jobs/bulk", new()
        {
            Form = FormOf(("__envoy_antiforgery", token), ("do", "retry-selected"), ("id", failed)),
            MaxRedirects = 0,
        });
        var status = forged.Status;

        Assert.Equal(403, status);
        Assert.Equal(0, await RetriesAsync(failed));

        // The API key of a viewer cannot do it either.
        using var client = Host.Client(ApiKeys.Viewer);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["do"] = "retry-filter" });
        var response = await client.PostAsync("envoy/jobs/bulk", form);
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"Got {response.StatusCode}.");
        Assert.Equal(0, await RetriesAsync(failed));
    }

    [Fact]
    public async Task A_script_in_an_input_is_shown_as_text_and_never_run()
    {
        const string Payload = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        var id = await ScheduleViaApiAsync("wait", new JsonObject { ["note"] = Payload }.ToJsonString());
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

        await page.GotoAsync(Root + "jobs?search=" + Uri.EscapeDataString("onerror"));

        await Assertions.Expect(Row(page, id)).ToContainTextAsync("<img src=x onerror=alert(1)>");
        await Assertions.Expect(Row(page, id)).ToContainTextAsync("<script>alert(2)</script>");
        await Assertions.Expect(page.Locator("#jobs-list img")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#jobs-list script")).ToHaveCountAsync(0);
        await ExpectLiveAsync(page);
        lock (dialogs)
        {
            Assert.Empty(dialogs);
        }
    }

    private IFormData FormOf(params (string Name, string Value)[] fields)
    {
        var form = Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Append(name, value);
        }

        return form;
    }

    private async Task<string> ScheduleViaApiAsync(string flow, string inputJson)
    {
        using var client = Host.Client(ApiKeys.Admin);
        using var body = new StringContent($$"""{ "flow": "{{flow}}", "input": {{inputJson}} }""", Encoding.UTF8, "application/json");
        var response = await client.PostAsync("envoy/api/jobs", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return job["id"]!.GetValue<string>();
    }

    /// <summary><paramref name="count"/> jobs of <paramref name="flow"/>, each finished.</summary>
    private async Task<List<string>> FinishedAsync(string flow, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await Host.Scheduler.ScheduleAsync(flow));
        }

        foreach (var id in ids)
        {
            await Host.Scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(60));
        }

        return ids;
    }

    private async Task<int> RetriesAsync(string id) =>
        (await Host.Scheduler.GetJobHistoryAsync(id)).Count(e => e.Kind == JobEventKind.Retried);

    private static async Task<List<string>> IdsAsync(IPage page) =>
        [.. await page.Locator("#jobs-list tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.jobId)")];
}
