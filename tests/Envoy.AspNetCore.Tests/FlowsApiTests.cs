using System.Net;
using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary><c>GET /flows</c> and <c>GET /flows/{name}</c> on every store.</summary>
public abstract class FlowsApiTests(ApiStore store) : ApiTestBase(store)
{
    protected override void ConfigureFlows(EnvoyBuilder envoy) => envoy.AddFlow("routed", new StateFlow(
    [
        new State("Decide")
        {
            OnState = async ctx => ctx,
            Router = Router.Routes(
                new Dictionary<string, Route> { ["Yes"] = new() { Description = "approved" }, ["No"] = new() { Description = "refused", Default = true } },
                async ctx => "Yes"),
        },
        new State("Yes") { OnState = async ctx => ctx, Router = Router.End },
        new State("No") { OnState = async ctx => ctx, Router = Router.End },
    ]));

    [Fact]
    public async Task The_list_has_every_registered_flow_with_its_start_state_state_names_and_mermaid()
    {
        var flows = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/flows"))).AsArray();

        var names = flows.Select(f => f!["name"]!.GetValue<string>()).ToList();
        foreach (var sample in new[] { "hello", "approval", "wait", "fanout", "square", "fail", "slow", "routed" })
        {
            Assert.Contains(sample, names);
        }

        var hello = flows.Single(f => f!["name"]!.GetValue<string>() == "hello")!;
        Assert.Equal("Start", hello["startState"]!.GetValue<string>());
        Assert.Equal(["Start", "Middle", "End"], hello["states"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(Host.Scheduler.Flows["hello"].ToMermaid(), hello["mermaid"]!.GetValue<string>());
        Assert.Equal("graph TD\n    Start --> Middle\n    Middle --> End\n    End\n", hello["mermaid"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_flow_has_its_states_with_their_routes_and_mermaid()
    {
        var hello = await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/flows/hello"));

        Assert.Equal("hello", hello["name"]!.GetValue<string>());
        Assert.Equal("Start", hello["startState"]!.GetValue<string>());
        var states = hello["states"]!.AsArray();
        Assert.Equal(["Start", "Middle", "End"], states.Select(s => s!["name"]!.GetValue<string>()));
        var startRoutes = states[0]!["routes"]!.AsArray();
        Assert.Single(startRoutes);
        Assert.Equal("Middle", startRoutes[0]!["to"]!.GetValue<string>());
        Assert.Null(startRoutes[0]!["description"]);
        Assert.Empty(states[2]!["routes"]!.AsArray());
        Assert.True(states[2]!["final"]!.GetValue<bool>());
        Assert.Equal(Host.Scheduler.Flows["hello"].ToMermaid(), hello["mermaid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Described_routes_carry_their_description()
    {
        var routed = await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/flows/routed"));

        var routes = routed["states"]!.AsArray()[0]!["routes"]!.AsArray();
        Assert.Equal(["Yes", "No"], routes.Select(r => r!["to"]!.GetValue<string>()));
        Assert.Equal(["approved", "refused"], routes.Select(r => r!["description"]!.GetValue<string>()));
        Assert.Equal([false, true], routes.Select(r => r!["default"]!.GetValue<bool>()));
        Assert.Contains("Decide -->|approved| Yes", routed["mermaid"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_flow_is_404_flow_not_found_naming_it()
    {
        var problem = await Problems.AssertProblemAsync(await Viewer.GetAsync("envoy/api/flows/no-such-flow"), HttpStatusCode.NotFound, "flow_not_found");

        Assert.Contains("no-such-flow", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flows_need_a_caller()
    {
        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/flows"), HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/flows/hello"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public void Scheduling_an_unknown_flow_stays_400_flow_not_found()
    {
        var problem = EnvoyProblemMapper.ToProblem(new FlowNotFoundException("nope"));

        Assert.NotNull(problem);
        Assert.Equal(400, problem.Status);
        Assert.Equal(EnvoyProblemCodes.FlowNotFound, problem.Code);
    }
}

public sealed class SqliteFlowsApiTests() : FlowsApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresFlowsApiTests(PostgresFixture postgres) : FlowsApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisFlowsApiTests(PostgresFixture postgres, RedisFixture redis) : FlowsApiTests(ApiStore.PostgresRedis(postgres, redis));
