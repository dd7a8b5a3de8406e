using Envoy.Cli.Following;

namespace Envoy.Cli.Tests;

/// <summary><c>envoy watch</c> and progress events: a value as JSON, a streamed answer as the text added since the last line.</summary>
public sealed class WatchProgressTests
{
    [Fact]
    public void Watch_PrintsProgressValues_AndAStreamedAnswerAsItIsWritten()
    {
        var view = new WatchView();

        var percent = view.OnEvent(Progress("""{"percent":40}""", step: 1));
        var first = view.OnEvent(Progress("""{"kind":"answer","text":"The answer ","offset":0,"length":11}""", step: 2));
        var second = view.OnEvent(Progress("""{"kind":"answer","text":"The answer is 42.","offset":0,"length":17}""", step: 2));
        var finished = view.OnEvent(new ServerSentEvent(ServerSentEvent.JobFinished, """{"jobId":"j1","status":"done"}""", "9"));

        Assert.Equal("""progress Start (step 1): {"percent":40}""", percent);
        Assert.Equal("answer: The answer ", first);
        Assert.Equal("answer: is 42.", second);
        Assert.Equal("The answer is 42.", view.Progress);
        Assert.Contains("jobFinished done", finished, StringComparison.Ordinal);
    }

    [Fact]
    public void Watch_ALongAnswerReportedByItsLastPart_AddsOnlyTheNewText()
    {
        var view = new WatchView();

        view.OnEvent(Progress("""{"kind":"answer","text":"abcdef","offset":0,"length":6}""", step: 2));
        var tail = view.OnEvent(Progress("""{"kind":"answer","text":"defghi","offset":3,"length":9}""", step: 2));
        var next = view.OnEvent(Progress("""{"kind":"answer","text":"New.","offset":0,"length":4}""", step: 4));

        Assert.Equal("answer: ghi", tail);
        Assert.Equal("answer: New.", next);
        Assert.Equal("New.", view.Progress);
    }

    private static ServerSentEvent Progress(string value, int step) =>
        new(ServerSentEvent.Progress, $$"""{"jobId":"j1","at":"2026-12-06T17:00:00Z","flow":"writer","state":"{{(step == 1 ? "Start" : "Plan")}}","step":{{step}},"sequence":1,"progress":{{value}}}""", "8");
}
