using System.Globalization;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.JobPage;

/// <summary>The job page: what it shows, its actions (operators only, checked on the server), encoding, the 404 page.</summary>
public sealed class JobPageTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected override void ConfigureFlows(EnvoyBuilder envoy) => envoy.AddFlow("adder", ScriptedLlm.AdderAgent(approval: false));

    public override Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(Timeout); // Mermaid (3 MB) takes longer than Playwright's 5 s default on a loaded machine
        return base.InitializeAsync();
    }

    [Fact]
    public async Task The_page_of_a_done_job_shows_its_fields_context_graph_timeline_and_no_console_error()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", new { who = "world" });
        await Host.Scheduler.WaitForJobAsync(id, Patience);
        var page = await SignInAsync(ApiKeys.Admin);

        await page.GotoAsync(Root + "jobs/" + id);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Job " + id })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("done");
        await Assertions.Expect(page.Locator("#job-summary")).ToContainTextAsync("End");
        await Assertions.Expect(page.Locator("#job-summary a[href$='/flows/hello']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".json-grid")).ToContainTextAsync("\"world\"");
        await Assertions.Expect(page.Locator(".json-grid")).ToContainTextAsync("\"Hello! Middle! End!\"");
        await Assertions.Expect(page.Locator(".timeline .event[data-kind='scheduled']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".timeline .event[data-kind='stepCompleted']")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator(".timeline")).ToContainTextAsync("after the previous");
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#job-graph .graph-states li[data-state='End']")).ToHaveClassAsync("is-current");
        await Assertions.Expect(page.Locator("#job-waits")).ToContainTextAsync("waits for nothing");
        await Assertions.Expect(page.Locator("#job-children")).ToContainTextAsync("No child jobs");
        await ExpectLiveAsync(page);
    }

    [Fact]
    public async Task An_operator_cancels_a_waiting_job_from_its_page()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Alice, id);

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("The job was cancelled.");
        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("cancelled");
        Assert.Equal(JobStatus.Cancelled, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task An_operator_retries_a_failed_job_and_it_runs_again()
    {
        var id = await Host.Scheduler.ScheduleAsync("fail");
        Assert.Equal(JobStatus.Failed, (await Host.Scheduler.WaitForJobAsync(id, Patience)).Status);
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "jobs/" + id);
        await Assertions.Expect(page.Locator(".timeline .event[data-kind='claimed']")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Retry job" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("The job will run again.");
        await Assertions.Expect(page.Locator(".timeline .event[data-kind='retried']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".timeline .event[data-kind='claimed']")).ToHaveCountAsync(2); // it ran again (live)
        var history = await Host.Scheduler.GetJobHistoryAsync(id);
        Assert.Equal(2, history.Count(e => e.Kind == JobEventKind.Claimed));
    }

    [Fact]
    public async Task An_operator_fails_a_job_with_a_reason()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Alice, id);

        await page.GetByLabel("Reason to fail it").FillAsync("No longer needed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fail job" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("The job was failed.");
        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("failed");
        await Assertions.Expect(page.Locator("#job-summary .job-error")).ToContainTextAsync("No longer needed");
        var job = await Host.Scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("No longer needed", job.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_resolves_the_signal_wait_with_a_json_value_and_the_job_ends_with_it()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Alice, id);
        await Assertions.Expect(page.Locator("#job-waits .wait[data-wait='signal']")).ToContainTextAsync("signal");

        await page.GetByLabel("Value to resolve signal with (JSON)").FillAsync("""{"ok":true}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve wait" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice")).ToHaveTextAsync("The wait was resolved.");
        var job = await Host.Scheduler.WaitForJobAsync(id, Patience);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"ok":true}"""), job.Context.Output()));
        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("done");
    }

    [Fact]
    public async Task Invalid_json_in_the_resolve_box_shows_a_message_and_posts_nothing()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Alice, id);
        var posts = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "POST")
            {
                lock (posts)
                {
                    posts.Add(request.Url);
                }
            }
        };

        await page.GetByLabel("Value to resolve signal with (JSON)").FillAsync("{ok: true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve wait" }).ClickAsync();

        await Assertions.Expect(page.Locator(".json-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".json-error")).ToContainTextAsync("not valid JSON");
        await Assertions.Expect(page.GetByLabel("Value to resolve signal with (JSON)")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(posts);
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Invalid_json_posted_anyway_is_refused_by_the_server_with_a_notice()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Alice, id);
        var token = await page.Locator("form.resolve-form input[type=hidden]").GetAttributeAsync("value");
        var field = await page.Locator("form.resolve-form input[type=hidden]").GetAttributeAsync("name");

        var response = await page.APIRequest.PostAsync(Root + "jobs/" + id + "/waits/signal/resolve", new()
        {
            Form = page.APIRequest.CreateFormData().Set(field!, token!).Set("value", "{ok: true"),
            MaxRedirects = 0,
        });

        Assert.Equal(302, response.Status);
        Assert.EndsWith("?notice=invalid_json", response.Headers["location"], StringComparison.Ordinal);
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task A_viewer_sees_no_action_and_a_post_of_theirs_is_refused()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Viewer, id);

        await Assertions.Expect(page.Locator("#job-waits .wait[data-wait='signal']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main button")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("main textarea, main form")).ToHaveCountAsync(0);
        var token = await page.Locator("header form input[type=hidden]").GetAttributeAsync("value");
        var field = await page.Locator("header form input[type=hidden]").GetAttributeAsync("name");

        foreach (var action in new[] { "cancel", "retry", "fail", "waits/signal/resolve" })
        {
            var response = await page.APIRequest.PostAsync(Root + "jobs/" + id + "/" + action, new()
            {
                Form = page.APIRequest.CreateFormData().Set(field!, token!).Set("reason", "forged").Set("value", "1"),
                MaxRedirects = 0,
            });
            Assert.Equal(403, response.Status);
        }

        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        var id = await Host.Scheduler.ScheduleAsync("wait");
        var page = await OpenBlockingAsync(ApiKeys.Alice, id);

        var response = await page.APIRequest.PostAsync(Root + "jobs/" + id + "/cancel", new() { Form = page.APIRequest.CreateFormData().Set("x", "1"), MaxRedirects = 0 });

        Assert.Equal(400, response.Status);
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Markup_in_the_input_is_shown_as_text_and_never_run()
    {
        const string Script = "<script>alert(1)</script>";
        const string Image = "<img src=x onerror=alert(1)>";
        var note = new string('x', 1000) + Image;
        var id = await Host.Scheduler.ScheduleAsync("wait", new { name = Script, picture = Image, note });
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

        await page.GotoAsync(Root + "jobs/" + id);

        await Assertions.Expect(page.Locator(".json-grid").First).ToContainTextAsync(Script);
        await Assertions.Expect(page.Locator(".json-grid").First).ToContainTextAsync(Image);
        await page.GetByText(string.Create(CultureInfo.InvariantCulture, $"show all ({note.Length:N0} characters)")).First.ClickAsync();
        await Assertions.Expect(page.Locator(".json-full").First).ToContainTextAsync(Image);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        await ExpectLiveAsync(page);
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task An_unknown_job_id_is_a_404_page()
    {
        var page = await SignInAsync(ApiKeys.Viewer);

        // Read without navigating: the browser logs every 404 document as a console error, which the base class counts.
        var response = await page.APIRequest.GetAsync(Root + "jobs/no-such-job");

        Assert.Equal(404, response.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);
        await page.SetContentAsync(await response.TextAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Job not found" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("no-such-job");
    }

    [Fact]
    public async Task The_graph_of_a_blocking_approval_job_highlights_its_state_and_a_done_job_marks_its_path()
    {
        var approval = await Host.Scheduler.ScheduleAsync("approval", new { user = "root", amount = 30 });
        var hello = await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.WaitForJobAsync(hello, Patience);
        var page = await OpenBlockingAsync(ApiKeys.Admin, approval);

        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#job-graph-canvas g.node.current")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#job-graph-canvas g.node.current")).ToContainTextAsync("Ask");
        await Assertions.Expect(page.Locator("#job-graph .graph-states li[data-state='Ask']")).ToContainTextAsync("current");
        await Assertions.Expect(page.Locator("#job-waits")).ToContainTextAsync("Approve 30?");

        await page.GotoAsync(Root + "jobs/" + hello);
        await Assertions.Expect(page.Locator("#job-graph-canvas g.node.current")).ToContainTextAsync("End");
        await Assertions.Expect(page.Locator("#job-graph-canvas g.node.visited")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#job-graph .graph-states li.is-visited")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task The_flows_page_lists_the_flows_and_a_flow_page_draws_its_graph_again_in_the_dark_theme()
    {
        var page = await SignInAsync(ApiKeys.Viewer);

        await page.GetByRole(AriaRole.Link, new() { Name = "Flows", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Flows" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr[data-flow='hello'] .flow-states")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("tr[data-flow='adder'] .flow-states")).ToHaveTextAsync("4");
        await page.GetByRole(AriaRole.Link, new() { Name = "adder", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#flow-graph-canvas svg")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#flow-graph-canvas g.node")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#flow-graph-canvas")).ToContainTextAsync("tool calls");
        var first = await page.Locator("#flow-graph-canvas svg").GetAttributeAsync("id");

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch between the light and dark theme" }).ClickAsync();

        await Assertions.Expect(page.Locator("#flow-graph-canvas svg")).Not.ToHaveAttributeAsync("id", first!);
        await Assertions.Expect(page.Locator("#flow-graph-canvas g.node")).ToHaveCountAsync(4);
        var missing = await page.APIRequest.GetAsync(Root + "flows/nope");
        Assert.Equal(404, missing.Status);
        Assert.Contains("No flow is registered as", await missing.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agent_viewer_shows_the_messages_tool_calls_model_and_tokens_of_a_run()
    {
        var id = await Host.Scheduler.ScheduleAsync("adder", "What is 2 + 3?");
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(id, Patience)).Status);
        var page = await SignInAsync(ApiKeys.Viewer);

        await page.GotoAsync(Root + "jobs/" + id);

        var agent = page.Locator("#agent-run");
        await Assertions.Expect(agent.GetByRole(AriaRole.Heading, new() { Name = "Agent run" })).ToBeVisibleAsync();
        await Assertions.Expect(agent.Locator(".agent-model")).ToHaveTextAsync("scripted-model-1");
        await Assertions.Expect(agent.Locator(".agent-total")).ToContainTextAsync("42");
        await Assertions.Expect(agent.Locator(".agent-steps tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(agent.Locator(".agent-steps tbody tr").First).ToContainTextAsync("15");
        await Assertions.Expect(agent.Locator(".role-user").First).ToContainTextAsync("What is 2 + 3?");
        var call = agent.Locator(".tool-call[data-tool='add']");
        await Assertions.Expect(call.Locator(".tool-args")).ToContainTextAsync("a: 2");
        await Assertions.Expect(call.Locator(".tool-args")).ToContainTextAsync("b: 3");
        await Assertions.Expect(call.Locator(".tool-result")).ToContainTextAsync("5");
        await Assertions.Expect(agent.Locator(".role-assistant").Last).ToContainTextAsync("The sum is 5.");
    }

    private async Task<IPage> OpenBlockingAsync(string key, string id)
    {
        var page = await SignInAsync(key);
        await page.GotoAsync(Root + "jobs/" + id);
        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("blocking"); // live: swapped in when it blocks
        return page;
    }
}
