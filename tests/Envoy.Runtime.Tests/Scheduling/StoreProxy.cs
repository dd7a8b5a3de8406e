using System.Reflection;
using System.Runtime.ExceptionServices;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// A real store seen through a proxy that can replace its maintenance leader lock and watch its claims; every call goes to
/// the store.
/// </summary>
public class StoreProxy : DispatchProxy
{
    private IJobStore? _store;
    private ILeaderLock? _leaderLock;
    private Action<ClaimRequest>? _onClaim;

    /// <summary>
    /// Wraps <paramref name="store"/>: <see cref="IJobCoordinationStore.CreateLeaderLock"/> returns <paramref name="leaderLock"/> when given,
    /// and <paramref name="onClaim"/> sees every <see cref="IJobCoordinationStore.ClaimAsync"/> request before the store does.
    /// </summary>
    public static IJobStore Wrap(IJobStore store, ILeaderLock? leaderLock = null, Action<ClaimRequest>? onClaim = null)
    {
        var proxy = Create<IJobStore, StoreProxy>();
        var self = (StoreProxy)(object)proxy;
        self._store = store;
        self._leaderLock = leaderLock;
        self._onClaim = onClaim;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IJobCoordinationStore.CreateLeaderLock) && _leaderLock is not null)
        {
            return _leaderLock;
        }

        if (targetMethod.Name == nameof(IJobCoordinationStore.ClaimAsync) && args is [ClaimRequest request, ..])
        {
            _onClaim?.Invoke(request);
        }

        try
        {
            return targetMethod.Invoke(_store, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }
}
