using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>A real store whose rate-limit port counts its calls (or that keeps no rate limits, or fails while told to).</summary>
public class RateLimitCountingStore : DispatchProxy
{
    private object? _target;
    private ConcurrentBag<string>? _calls;
    private bool _keepsRateLimits;
    private Func<Exception?>? _failure;

    /// <summary>Wraps <paramref name="store"/>; while <paramref name="failure"/> returns an error, rate-limit calls throw it.</summary>
    public static IJobStore Wrap(IJobStore store, ConcurrentBag<string> calls, bool keepsRateLimits, Func<Exception?>? failure = null)
    {
        var proxy = Create<IJobStore, RateLimitCountingStore>();
        var self = (RateLimitCountingStore)(object)proxy;
        self._target = store;
        self._calls = calls;
        self._keepsRateLimits = keepsRateLimits;
        self._failure = failure;
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
            self._failure = _failure;
            return limits;
        }

        if (targetMethod.DeclaringType == typeof(IRateLimitStore))
        {
            _calls!.Add(targetMethod.Name);
            if (_failure?.Invoke() is { } failure)
            {
                return Task.FromException<RateLimitAcquisition>(failure);
            }
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
