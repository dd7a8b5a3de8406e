namespace Envoy.Core.Tests;

public class SmokeTests
{
    [Fact]
    public async Task FirstFlow_PrintsHelloMiddleEnd()
    {
        var flow = new StateFlow(
        [
            new State("Start") { OnState = async ctx => ctx.Output("Hello!"), Router = Router.Next("Middle") },
            new State("Middle") { OnState = async ctx => ctx.Output(ctx.Output<string>() + " Middle!"), Router = Router.Next("End") },
            new State("End") { OnState = async ctx => ctx.Output(ctx.Output<string>() + " End!"), Router = Router.End },
        ]);
        var ctx = await flow.RunAsync();
        Assert.Equal("Hello! Middle! End!", ctx.Output<string>());
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Equal(3, ctx.Step);
        var json = ctx.Serialize();
        Assert.Equal(json, StateContext.Deserialize(json).Serialize());
    }
}
