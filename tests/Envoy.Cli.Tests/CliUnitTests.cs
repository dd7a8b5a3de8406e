using System.Net;
using Envoy.Cli.Following;

namespace Envoy.Cli.Tests;

/// <summary>The CLI's pure parts: the exit-code mapping and the server-sent-event parser.</summary>
public sealed class CliUnitTests
{
    [Theory]
    [InlineData(HttpStatusCode.BadRequest, 2)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, 2)]
    [InlineData(HttpStatusCode.Unauthorized, 5)]
    [InlineData(HttpStatusCode.Forbidden, 5)]
    [InlineData(HttpStatusCode.NotFound, 3)]
    [InlineData(HttpStatusCode.Conflict, 4)]
    [InlineData(HttpStatusCode.InternalServerError, 7)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 7)]
    public void ExitCode_ForEachStatus(HttpStatusCode status, int exitCode) => Assert.Equal(exitCode, ExitCodeMapper.FromStatus(status));

    [Theory]
    [InlineData("done", 0)]
    [InlineData("failed", 1)]
    [InlineData("cancelled", 1)]
    public void ExitCode_ForAFinishedJob(string status, int exitCode) => Assert.Equal(exitCode, ExitCodeMapper.FromJobStatus(status));

    [Fact]
    public async Task EventStream_ReadsEventsSkipsCommentsJoinsDataLines()
    {
        const string stream = ": connected\n\nevent: stepStarted\nid: 7\ndata: {\"jobId\":\"a\"}\n\n: keep-alive\n\nevent: progress\ndata: line one\ndata:line two\n\nevent: jobFinished\ndata: {}\n";
        var reader = new EventStreamReader(new StringReader(stream));

        var first = await reader.ReadAsync(CancellationToken.None);
        Assert.Equal(new ServerSentEvent("stepStarted", "{\"jobId\":\"a\"}", "7"), first);

        var second = await reader.ReadAsync(CancellationToken.None);
        Assert.Equal(new ServerSentEvent("progress", "line one\nline two", null), second);

        // The stream ends without the blank line that would dispatch the last event: it is not delivered half-read.
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }
}
