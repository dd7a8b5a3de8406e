using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Storage;

/// <summary>The queued-operation state machine both stores' write queues use: queued, then started or cancelled, never both.</summary>
public sealed class QueuedOperationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cancel_WhileQueued_CancelsTheCaller_AndNoWriterTakesIt()
    {
        var operation = new QueuedOperation<string>();
        using var cancellation = new CancellationTokenSource();

        Assert.True(operation.TryCancel(cancellation.Token));

        Assert.False(operation.TryStart());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => operation.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Cancel_AfterAWriterTookIt_DoesNothing_AndTheOutcomeComesThrough()
    {
        var operation = new QueuedOperation<string>();
        using var cancellation = new CancellationTokenSource();
        using var registration = operation.CancelWhen(cancellation.Token);

        Assert.True(operation.TryStart());
        await cancellation.CancelAsync();
        Assert.False(operation.TryCancel(cancellation.Token));
        operation.Succeed("job-1");

        Assert.Equal("job-1", await operation.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task CancelWhen_TheTokenFiresWhileQueued_CancelsIt()
    {
        var operation = new QueuedOperation<int>();
        using var cancellation = new CancellationTokenSource();
        using var registration = operation.CancelWhen(cancellation.Token);

        await cancellation.CancelAsync();

        Assert.False(operation.TryStart());
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => operation.Task.WaitAsync(Wait));
        Assert.Equal(cancellation.Token, error.CancellationToken);
    }

    [Fact]
    public async Task Fail_GivesTheCallerTheError()
    {
        var operation = new QueuedOperation<int>();
        Assert.True(operation.TryStart());
        Assert.False(operation.TryStart());

        operation.Fail(new InvalidOperationException("boom"));

        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => operation.Task.WaitAsync(Wait))).Message);
    }

    [Fact]
    public async Task Continuations_DoNotRunInsideTheWritersCompletion()
    {
        var operation = new QueuedOperation<int>();
        Assert.True(operation.TryStart());
        var continuation = operation.Task.ContinueWith(_ => _completing, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        _completing = true;
        try
        {
            operation.Succeed(1);
        }
        finally
        {
            _completing = false;
        }

        Assert.False(await continuation.WaitAsync(Wait));
    }

    /// <summary>True on the thread that is inside <see cref="QueuedOperation{T}.Succeed"/> in the test above.</summary>
    [ThreadStatic]
    private static bool _completing;
}
