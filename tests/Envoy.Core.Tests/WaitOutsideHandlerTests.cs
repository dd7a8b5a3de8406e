namespace Envoy.Core.Tests;

/// <summary>Waits are registered by handlers only: one made while routing is a clear error naming where, never dropped.</summary>
public class WaitOutsideHandlerTests
{
    public static TheoryData<string, string, string> Places => new()
    {
        { "router", "spawn", "the router of state 'A'" },
        { "router", "escalation", "the router of state 'A'" },
        { "router", "webhook", "the router of state 'A'" },
        { "routeMap", "spawn", "the output map of route 'A' -> 'B'" },
        { "nextMap", "webhook", "the output map of route 'A' -> 'B'" },
        { "plugin", "escalation", "plugin 'audit' OnRoute in state 'A'" },
    };

    private static void Register(StateContext ctx, string kind)
    {
        switch (kind)
        {
            case "spawn":
                ctx.Spawn("child", null);
                break;
            case "escalation":
                ctx.Escalate("ann", "ok?", [EscalationInput.Approve("ok", "OK")]);
                break;
            default:
                ctx.WaitFor(new WaitFor("hook", kind));
                break;
        }
    }

    private static StateFlow FlowWaitingIn(string place, string kind)
    {
        var plugin = new StateFlowPlugin("audit")
        {
            OnRoute = async (ctx, next) =>
            {
                if (place == "plugin")
                {
                    Register(ctx, kind);
                }

                return next;
            },
        };
        Router router = place switch
        {
            "nextMap" => Router.Next("B", (output, ctx) =>
            {
                Register(ctx, kind);
                return output;
            }),
            _ => Router.Routes(
                new Dictionary<string, Route>
                {
                    ["B"] = new()
                    {
                        Map = place == "routeMap"
                            ? (output, ctx) =>
                            {
                                Register(ctx, kind);
                                return output;
                            }
                            : null,
                    },
                },
                async ctx =>
                {
                    if (place == "router")
                    {
                        Register(ctx, kind);
                    }

                    return "B";
                }),
        };
        return new StateFlow(
            [
                new State("A") { OnState = async ctx => ctx.Output(1), Router = router },
                new State("B") { OnState = async ctx => ctx, Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [plugin] });
    }

    [Theory]
    [MemberData(nameof(Places))]
    public async Task Wait_WhileRouting_FailsTheStep_NamingWhere(string place, string kind, string where)
    {
        var flow = FlowWaitingIn(place, kind);
        var before = flow.NewContext();

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(before));

        var inner = Assert.IsType<WaitOutsideHandlerException>(ex.InnerException);
        Assert.Equal(where, inner.Where);
        Assert.Equal("A", inner.State);
        Assert.Equal(kind, inner.WaitType);
        Assert.Contains(where, ex.Message, StringComparison.Ordinal);
        Assert.Equal("A", before.State);
        Assert.Empty(before.Waits);
    }

    [Fact]
    public async Task Wait_WhileRouting_FailsRunAsync()
    {
        var flow = FlowWaitingIn("router", "spawn");

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.RunAsync());

        Assert.IsType<WaitOutsideHandlerException>(ex.InnerException);
        Assert.Contains("the router of state 'A'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_InAHandler_StillWorks_AfterAStepThatRouted()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx, Router = Router.Routes(new Dictionary<string, Route> { ["B"] = new() }, async ctx => "B") },
            new State("B") { OnState = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook")) },
        ]);

        var ctx = await flow.StepAsync(flow.NewContext());
        ctx = await flow.StepAsync(ctx);

        Assert.Equal(["hook"], ctx.WaitingFor);
    }
}
