using System.Collections.Concurrent;
using System.Reflection;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Storage;

#pragma warning disable CA1040 // The two interfaces in one, for a proxy.
/// <summary>A store that reports its written statuses.</summary>
public interface IReportingStore : IJobStore, IJobStatusSource
{
}
#pragma warning restore CA1040

/// <summary>A store where job-1 is pending at version 7, three jobs are pending, and nothing else exists.</summary>
public class FakeStatusStore : DispatchProxy
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public IJobStatusObserver? Observer { get; private set; }

    public int Calls(string name) => _calls.GetValueOrDefault(name);

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        _calls.AddOrUpdate(targetMethod.Name, 1, (_, count) => count + 1);
        return targetMethod.Name switch
        {
            nameof(IJobStatusSource.AttachStatusObserver) => Attach((IJobStatusObserver)args![0]!),
            nameof(IJobStatusSource.ReadJobStatusAsync) => Task.FromResult<CachedJobStatus?>(
                (string)args![0]! == "job-1" ? new CachedJobStatus("job-1", JobStatus.Pending, 7) : null),
            nameof(IJobQueryStore.GetJobStatusAsync) => Task.FromResult<JobStatus?>((string)args![0]! == "job-1" ? JobStatus.Pending : null),
            nameof(IJobQueryStore.CountJobsAsync) => Task.FromResult<IReadOnlyDictionary<JobStatus, long>>(new Dictionary<JobStatus, long> { [JobStatus.Pending] = 3 }),
            nameof(IJobQueryStore.GetJobAsync) => Task.FromResult<JobRecord?>(null),
            nameof(IJobStore.InitializeAsync) => Task.CompletedTask,
            "get_" + nameof(IJobStore.Description) => "fake",
            _ => throw new NotSupportedException(targetMethod.Name),
        };
    }

    private object? Attach(IJobStatusObserver observer)
    {
        Observer = observer;
        return null;
    }
}
