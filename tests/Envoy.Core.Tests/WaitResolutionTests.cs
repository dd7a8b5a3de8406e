namespace Envoy.Core.Tests;

public class WaitResolutionTests
{
    [Fact]
    public void Resolve_UnknownId_ThrowsWaitNotFoundAndChangesNothing()
    {
        var ctx = new StateContext("S").WaitFor(new WaitFor("w", "t"));
        var before = ctx.Serialize();

        var ex = Assert.Throws<WaitNotFoundException>(() => ctx.Resolve("nope", 1));

        Assert.Equal("nope", ex.WaitId);
        Assert.Null(ex.JobId);
        Assert.Contains("'nope'", ex.Message);
        Assert.Equal(before, ctx.Serialize());
        Assert.Throws<WaitNotFoundException>(() => ctx.Reject("nope", "x"));
        Assert.Throws<WaitNotFoundException>(() => ctx.Cancel("nope"));
        Assert.Throws<WaitNotFoundException>(() => new StateContext("S").Resolve("any", 1));
    }

    [Fact]
    public void Resolve_UnknownIdOfAJob_NamesTheJob()
    {
        var ctx = new StateContext("S") { JobId = "job-42" };

        var ex = Assert.Throws<WaitNotFoundException>(() => ctx.Resolve("w", 1));

        Assert.Equal("job-42", ex.JobId);
        Assert.Contains("job-42", ex.Message);
    }

    [Fact]
    public void Resolve_Twice_ThrowsWaitAlreadyResolvedAndKeepsTheFirstResult()
    {
        var ctx = new StateContext("S").WaitFor(new WaitFor("w", "t"));
        ctx.Resolve("w", "first");
        var before = ctx.Serialize();

        var ex = Assert.Throws<WaitAlreadyResolvedException>(() => ctx.Resolve("w", "second"));

        Assert.Equal("w", ex.WaitId);
        Assert.Contains("'w'", ex.Message);
        Assert.Equal(before, ctx.Serialize());
        Assert.Equal("first", ctx.GetWait("w")?.Output?.GetValue<string>());
        Assert.Throws<WaitAlreadyResolvedException>(() => ctx.Reject("w", "late"));
        Assert.Throws<WaitAlreadyResolvedException>(() => ctx.Cancel("w"));
        Assert.Equal(before, ctx.Serialize());
    }

    [Fact]
    public void Reject_ThenResolve_ThrowsWaitAlreadyResolved()
    {
        var ctx = new StateContext("S").WaitFor(new WaitFor("w", "t"));
        ctx.Reject("w", "denied");

        Assert.Throws<WaitAlreadyResolvedException>(() => ctx.Resolve("w", 1));
        var wait = ctx.GetWait("w")!;
        Assert.Equal(WaitStatus.Error, wait.Status);
        Assert.Equal("denied", wait.Error);
        Assert.Null(wait.Output);
    }

    [Fact]
    public void WaitFor_DuplicateOrEmptyId_IsRefused()
    {
        var ctx = new StateContext("S").WaitFor(new WaitFor("w", "t"));

        Assert.ThrowsAny<ArgumentException>(() => ctx.WaitFor(new WaitFor("w", "t")));
        Assert.ThrowsAny<ArgumentException>(() => ctx.WaitFor(new WaitFor("", "t")));
        Assert.ThrowsAny<ArgumentException>(() => ctx.WaitFor(new WaitFor("x", " ")));
        Assert.Single(ctx.Waits);
    }
}
