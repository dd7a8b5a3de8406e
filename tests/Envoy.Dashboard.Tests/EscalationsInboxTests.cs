using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>
/// The escalations inbox in a real browser: the sample <c>approval</c> flow answered end to end, who sees and may answer what
/// (the operator it is addressed to, an admin; not another operator, not a viewer), forms drawn from the inputs, the history
/// tab, and answering with the keyboard only.
/// </summary>
public sealed class EscalationsInboxTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    protected override void ConfigureFlows(EnvoyBuilder envoy) => InboxFlows.Register(envoy);

    [Fact]
    public async Task Alice_answers_the_approval_in_her_open_inbox_and_the_job_ends_done_with_her_note()
    {
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "escalations");
        await ExpectLiveAsync(page);
        await Assertions.Expect(page.Locator("#inbox-pending .empty")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 30 });

        // It appears without a reload (the escalationCreated event refreshes the live list).
        var card = page.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The page was reloaded.");
        await Assertions.Expect(card.Locator(".question")).ToHaveTextAsync("Approve 30?");
        await Assertions.Expect(card.GetByRole(AriaRole.Link, new() { Name = jobId })).ToHaveAttributeAsync("href", $"/envoy/jobs/{jobId}");
        await Assertions.Expect(card.Locator(".meta")).ToContainTextAsync("approval");
        await Assertions.Expect(card.Locator(".for")).ToHaveCountAsync(0); // her own inbox: no "for whom"

        await card.GetByLabel("Note").FillAsync("fine by me");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Approved" })).ToBeVisibleAsync();

        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Done, job.Status);
        var apiJob = await DashboardForms.GetJsonAsync(Host, $"envoy/api/jobs/{jobId}");
        Assert.Equal("done", apiJob["status"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["status"] = "approved", ["note"] = "fine by me" }, apiJob["output"]), apiJob["output"]?.ToJsonString());
        var escalations = (await DashboardForms.GetJsonAsync(Host, "envoy/api/escalations?user=alice")).AsArray();
        var answered = Assert.Single(escalations)!;
        Assert.Equal("approved", answered["status"]!.GetValue<string>());
        Assert.Equal("alice", answered["repliedBy"]!.GetValue<string>());

        // The history tab shows who answered, with what.
        await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        var row = page.Locator("#inbox-history tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("approved");
        await Assertions.Expect(row).ToContainTextAsync("alice");
        await Assertions.Expect(row.Locator("pre.values")).ToContainTextAsync("fine by me");
    }

    [Fact]
    public async Task Another_operator_neither_sees_nor_may_answer_alices_escalation_and_the_admin_sees_it_addressed_to_her()
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 30 });
        var admin = await SignInAsync(ApiKeys.Admin);
        await admin.GotoAsync(Root + "escalations");
        var card = admin.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await Assertions.Expect(card.Locator(".for")).ToHaveTextAsync("alice");
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync();
        var escalationId = await DashboardForms.EscalationIdAsync(card);

        var bob = await SignInAsync(ApiKeys.Bob, await NewContextAsync());
        await bob.GotoAsync(Root + "escalations");
        await Assertions.Expect(bob.Locator("#inbox-pending .empty")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Locator("article.escalation")).ToHaveCountAsync(0);

        var forged = await DashboardForms.PostReplyAsync(bob, Root, escalationId);
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        var escalation = await DashboardForms.GetJsonAsync(Host, $"envoy/api/escalations/{escalationId}");
        Assert.Equal("pending", escalation["status"]!.GetValue<string>());
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(jobId)).Status);
    }

    [Fact]
    public async Task A_viewer_sees_every_pending_escalation_read_only_and_a_reply_they_post_is_forbidden()
    {
        await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 30 });
        var viewer = await SignInAsync(ApiKeys.Viewer);
        await viewer.GotoAsync(Root + "escalations");
        var card = viewer.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await Assertions.Expect(card.Locator(".read-only")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.Locator("main form")).ToHaveCountAsync(0);
        await Assertions.Expect(viewer.Locator("main button, main textarea, main select, main input")).ToHaveCountAsync(0);

        var forged = await DashboardForms.PostReplyAsync(viewer, Root, await DashboardForms.EscalationIdAsync(card));
        Assert.Equal((int)HttpStatusCode.Forbidden, forged.Status);
        var escalation = Assert.Single((await DashboardForms.GetJsonAsync(Host, "envoy/api/escalations")).AsArray())!;
        Assert.Equal("pending", escalation["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_form_is_drawn_from_the_inputs_and_can_be_filled_and_sent_with_the_keyboard_only()
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, InboxFlows.Ask, new JsonObject { ["user"] = "alice", ["message"] = "Ship it?" });
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "escalations");
        var card = page.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);

        // select → a radio group with its legend, comment → a labelled text area, approve → the Approve / Reject buttons.
        await Assertions.Expect(card.GetByRole(AriaRole.Group, new() { Name = "Priority" })).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Radio)).ToHaveCountAsync(2);
        await Assertions.Expect(card.GetByRole(AriaRole.Textbox, new() { Name = "Note" })).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByRole(AriaRole.Group, new() { Name = "Go ahead" })).ToBeVisibleAsync();

        // Keyboard only: Tab to the first radio button, arrow to "high", Tab to the note, type, Tab to Approve, Enter.
        await page.Locator("body").FocusAsync();
        await TabUntilAsync(page, "el => el.type === 'radio'");
        await page.Keyboard.PressAsync("ArrowRight");
        await TabUntilAsync(page, "el => el.tagName === 'TEXTAREA'");
        await page.Keyboard.TypeAsync("typed, not clicked");
        await TabUntilAsync(page, "el => el.tagName === 'BUTTON' && el.value === 'approved'");
        await page.Keyboard.PressAsync("Enter");

        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Done, job.Status);
        var output = (await DashboardForms.GetJsonAsync(Host, $"envoy/api/jobs/{jobId}"))["output"];
        Assert.True(
            JsonNode.DeepEquals(new JsonObject { ["status"] = "approved", ["priority"] = "high", ["note"] = "typed, not clicked" }, output),
            output?.ToJsonString());
    }

    [Fact]
    public async Task A_rejection_ends_the_approval_as_rejected_and_a_second_answer_is_refused_with_a_notice()
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "approval", new JsonObject { ["user"] = "alice", ["amount"] = 5 });
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "escalations");
        var card = page.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        var escalationId = await DashboardForms.EscalationIdAsync(card);

        await card.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rejected" })).ToBeVisibleAsync();
        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Equal("rejected", job.Context.Output()?["status"]?.GetValue<string>());

        var again = await DashboardForms.PostReplyAsync(page, Root, escalationId);
        Assert.Equal((int)HttpStatusCode.Redirect, again.Status);
        Assert.EndsWith("escalations?error=escalation_already_answered", again.Headers["location"], StringComparison.Ordinal);
        await page.GotoAsync(again.Headers["location"]);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already answered");
    }

    private static async Task TabUntilAsync(IPage page, string predicate)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>($"() => {{ const el = document.activeElement; return !!el && ({predicate})(el); }}"))
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached an element where {predicate}.");
    }
}
