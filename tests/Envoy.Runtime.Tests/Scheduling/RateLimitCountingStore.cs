using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>A real store whose rate-limit port counts its calls (or that keeps no rate limits).</summary>
public class RateLimitCountingStore : DispatchProxy
{
    private object? _target;
    private ConcurrentBag<string>? _calls;
    private bool _keepsRateLimits;

    public static IJobStore Wrap(IJobStore store, ConcurrentBag<string> calls, bool keepsRateLimits)
    {
        var proxy = Create<IJobStore, RateLimitCountingStore>();
        var self = (RateLimitCountingStore)(object)proxy;
        self._target = store;
        self._calls = calls;
        self._keepsRateLimits = keepsRateLimits;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == "get_" + nameof(IJobCoordinationStore.RateLimits))
        {
            if (!_keepsRateLimits)
            {
                return null;
            }

            var limits = Create<IRateLimitStore, RateLimitCountingStore>();
            var self = (RateLimitCountingStore)(object)limits;
            self._target = ((IJobStore)_target!).RateLimits;
            self._calls = _calls;
            return limits;
        }

        if (targetMethod.DeclaringType == typeof(IRateLimitStore))
        {
            _calls!.Add(targetMethod.Name);
        }

        try
        {
            return targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }
}
