using System.Reflection;
using System.Runtime.ExceptionServices;
using Envoy.Runtime;
using Envoy.Runtime.Coordination;

namespace Envoy.Tests.Scheduling;

/// <summary>A real store whose maintenance leader lock is replaced by the test's (every other call goes to the store).</summary>
public class LeaderLockOverride : DispatchProxy
{
    private IJobStore? _store;
    private ILeaderLock? _leaderLock;

    /// <summary>Wraps <paramref name="store"/> so that <see cref="IJobStore.CreateLeaderLock"/> returns <paramref name="leaderLock"/>.</summary>
    public static IJobStore Wrap(IJobStore store, ILeaderLock leaderLock)
    {
        var proxy = Create<IJobStore, LeaderLockOverride>();
        var self = (LeaderLockOverride)(object)proxy;
        self._store = store;
        self._leaderLock = leaderLock;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IJobStore.CreateLeaderLock))
        {
            return _leaderLock;
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
