using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// The store conformance suite: every operation of <see cref="IJobStore"/>, every status transition and every guarantee of
/// storage.md, the same tests for every store. A store's test project derives from this class and implements
/// <see cref="CreateStoreAsync"/>; xunit then runs every test below against that store.
/// </summary>
/// <remarks>
/// Store operations take their time as a parameter, so the tests drive time explicitly from <see cref="T0"/> and never sleep.
/// Each test uses its own flow names and users, so the tests also hold on a store shared with other data; only
/// <see cref="NextDueAt_EmptyStore_IsNull"/> needs the store to start empty.
/// </remarks>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    /// <summary>The time every store test starts from (Unix milliseconds).</summary>
    protected const long T0 = 1_750_000_000_000;

    /// <summary>The lease length the store tests claim with.</summary>
    protected const long Lease = 30_000;

    /// <summary>The default worker id of the store tests.</summary>
    protected const string Owner = "worker-1";

    private readonly List<IAsyncDisposable> _disposables = [];
    private IJobStore? _store;

    /// <summary>The store under test: created and initialized before each test, disposed after it.</summary>
    protected IJobStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    /// <summary>Creates a new, initialized, empty store for one test.</summary>
    protected abstract Task<IJobStore> CreateStoreAsync();

    /// <summary>
    /// Opens a second, initialized store instance on the same data as <see cref="Store"/> (as another process would), or
    /// returns null when the store cannot be shared (an in-memory database); tests then use <see cref="Store"/> twice.
    /// </summary>
    protected virtual Task<IJobStore?> OpenSecondInstanceAsync() => Task.FromResult<IJobStore?>(null);

    /// <summary>Removes what <see cref="CreateStoreAsync"/> left behind (files, databases), after the store is disposed.</summary>
    protected virtual Task CleanupAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await CleanupAsync();
    }

    /// <summary>Disposes <paramref name="disposable"/> after the test, before the store (latest first).</summary>
    protected T DisposeAfterTest<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>A second instance on the same data when the store supports one, else <see cref="Store"/>.</summary>
    protected async Task<IJobStore> SecondInstanceOrStoreAsync()
    {
        var second = await OpenSecondInstanceAsync();
        return second is null ? Store : DisposeAfterTest(second);
    }
}
