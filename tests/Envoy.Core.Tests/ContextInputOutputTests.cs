using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class ContextInputOutputTests
{
    [Fact]
    public void NewContext_StartsAtStepOneWithInputAsInputAndOutput()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);

        var ctx = flow.NewContext(new Point(1, 2));

        Assert.Equal("A", ctx.State);
        Assert.Equal(1, ctx.Step);
        Assert.Null(ctx.Done);
        Assert.Null(ctx.Error);
        Assert.Null(ctx.JobId);
        Assert.Empty(ctx.Waits);
        Assert.Empty(ctx.WaitingFor);
        Assert.False(ctx.IsWaiting);
        Assert.Equal(new Point(1, 2), ctx.Input<Point>());
        Assert.Equal(new Point(1, 2), ctx.Output<Point>());
        Assert.NotSame(ctx.Input(), ctx.Output());
    }

    [Fact]
    public void NewContext_WithoutInput_HasNullInputAndOutput()
    {
        var ctx = new StateContext("S");

        Assert.Null(ctx.Input());
        Assert.Null(ctx.Output());
        Assert.Null(ctx.Input<string>());
        Assert.Equal(0, ctx.Input<int>());
        Assert.Null(ctx.Output<Point>());
    }

    [Fact]
    public void InputAndOutput_TypedAndAsJsonNode()
    {
        var ctx = new StateContext("S", new { name = "n", count = 2 });

        Assert.Equal("n", ctx.Input()?["name"]?.GetValue<string>());
        Assert.Equal(2, ctx.Input<JsonObject>()?["count"]?.GetValue<int>());
        ctx.Output(12.5);
        Assert.Equal(12.5, ctx.Output<double>());
        Assert.Equal(12.5, ctx.Output()?.GetValue<double>());
        ctx.Output("text");
        Assert.Equal("text", ctx.Output<string>());
        ctx.Output(true);
        Assert.True(ctx.Output<bool>());
        ctx.Output(new[] { 1, 2, 3 });
        Assert.Equal([1, 2, 3], ctx.Output<int[]>()!);
        Assert.IsType<JsonArray>(ctx.Output());
        ctx.Output(null);
        Assert.Null(ctx.Output());
    }

    [Fact]
    public async Task Records_RoundTripFromOutputToNextInput()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(new Point(3, 4)) },
            new State("B") { OnState = async ctx => ctx.Set("point", ctx.Input<Point>()).Set("raw", ctx.Input()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(new Point(3, 4), ctx.Get<Point>("point"));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"x":3,"y":4}"""), ctx.Get<JsonNode>("raw")));
    }

    [Fact]
    public void TypedAccessors_UseCamelCaseAndReadCaseInsensitively()
    {
        var ctx = new StateContext("S");

        ctx.Output(Handlers.Json("""{"X":5,"Y":6}"""));
        ctx.Set("colour", Colour.DarkRed);

        Assert.Equal(new Point(5, 6), ctx.Output<Point>());
        Assert.Equal("darkRed", ctx.Get<string>("colour"));
        Assert.Equal(Colour.DarkRed, ctx.Get<Colour>("colour"));
    }

    [Fact]
    public void InputOutput_WrongType_ThrowsContextValueException()
    {
        var ctx = new StateContext("S", "text").Output(new Point(1, 2));

        var input = Assert.Throws<ContextValueException>(() => ctx.Input<int>());
        var output = Assert.Throws<ContextValueException>(() => ctx.Output<bool>());
        var outputString = Assert.Throws<ContextValueException>(() => ctx.Output<string>());

        Assert.Equal("input", input.Path);
        Assert.Equal("output", output.Path);
        Assert.Equal("output", outputString.Path);
    }

    [Fact]
    public void OutputPath_CreatesObjectsOnTheWay()
    {
        var ctx = new StateContext("S").Output("a.b.c", 1);

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":{"b":{"c":1}}}"""), ctx.Output()));
    }

    [Fact]
    public void OutputPath_KeepsOtherFieldsOfTheOutput()
    {
        var ctx = new StateContext("S", new { x = 1, a = new { keep = true } })
            .Output("a.b.c", "v")
            .Output("y", new Point(1, 2));

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"x":1,"a":{"keep":true,"b":{"c":"v"}},"y":{"x":1,"y":2}}"""), ctx.Output()));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"x":1,"a":{"keep":true}}"""), ctx.Input()));
    }

    [Fact]
    public void OutputPath_OnAScalarOutput_StartsAnObject()
    {
        var ctx = new StateContext("S", "scalar").Output("a", 1);

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1}"""), ctx.Output()));
        Assert.Equal("scalar", ctx.Input<string>());
    }

    [Fact]
    public void OutputOfInput_ThenChangingTheOutput_LeavesTheInputAlone()
    {
        var ctx = new StateContext("S", new { a = 1 });

        ctx.Output(ctx.Input()).Output("b", 2);

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1}"""), ctx.Input()));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1,"b":2}"""), ctx.Output()));
    }

    [Fact]
    public void SetOfOutput_ThenChangingTheOutput_LeavesTheSnapshotAlone()
    {
        var ctx = new StateContext("S").Output("a", 1);

        ctx.Set("snapshot", ctx.Output()).Output("b", 2);

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1}"""), ctx.Get<JsonNode>("snapshot")));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1,"b":2}"""), ctx.Output()));
    }

    [Fact]
    public void Fail_SetsErrorAndDone()
    {
        var ctx = new StateContext("S");

        ctx.Fail("it broke");

        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("it broke", ctx.Error);
        Assert.Throws<ArgumentNullException>(() => ctx.Fail(null!));
    }

    [Fact]
    public void Clone_IsDeepAndIndependent()
    {
        var ctx = new StateContext("S", new { a = 1 }).Set("d.e", 1).WaitFor(new WaitFor("w", "t"));
        ctx.JobId = "job";

        var copy = ctx.Clone();
        copy.Set("d.e", 2).Output("a", 2).Resolve("w", "done");

        Assert.Equal(1, ctx.Get<int>("d.e"));
        Assert.Equal(1, ctx.Output()?["a"]?.GetValue<int>());
        Assert.True(ctx.IsWaiting);
        Assert.Equal("job", copy.JobId);
        Assert.Equal(ctx.State, copy.State);
    }

    [Fact]
    public void Constructor_RejectsEmptyStateName()
    {
        Assert.ThrowsAny<ArgumentException>(() => new StateContext(""));
        Assert.ThrowsAny<ArgumentException>(() => new StateContext(null!));
    }

    [Fact]
    public async Task Handlers_SeeTheRunsCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        var seen = CancellationToken.None;
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx =>
                {
                    seen = ctx.CancellationToken;
                    return ctx;
                },
            },
        ]);

        await flow.RunAsync(cancellationToken: cts.Token);

        Assert.Equal(cts.Token, seen);
    }
}
