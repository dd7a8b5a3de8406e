using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>The runtime's log messages, with stable event ids.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Envoy worker {WorkerId} started on {Store} with concurrency {Concurrency}")]
    public static partial void WorkerStarted(ILogger logger, string workerId, string store, int concurrency);

    [LoggerMessage(1001, LogLevel.Information, "Envoy worker {WorkerId} stopped")]
    public static partial void WorkerStopped(ILogger logger, string workerId);

    [LoggerMessage(1002, LogLevel.Warning, "Job {JobId} ({Flow}) step {Step} at state {State} failed; retry {Retry} of {MaxRetries} in {Delay}")]
    public static partial void StepRetrying(ILogger logger, Exception? exception, string jobId, string flow, int step, string state, int retry, int maxRetries, TimeSpan delay);

    [LoggerMessage(1003, LogLevel.Error, "Job {JobId} ({Flow}) failed at state {State} step {Step}: {Error}")]
    public static partial void JobFailed(ILogger logger, Exception? exception, string jobId, string flow, string state, int step, string error);

    [LoggerMessage(1004, LogLevel.Warning, "Job {JobId}: the commit was refused (lease lost or job changed elsewhere); the step is dropped")]
    public static partial void CommitRefused(ILogger logger, string jobId);

    [LoggerMessage(1005, LogLevel.Error, "Envoy worker loop error; retrying")]
    public static partial void LoopError(ILogger logger, Exception exception);

    [LoggerMessage(1006, LogLevel.Warning, "Job {JobId}: lease lost; its step is cancelled here")]
    public static partial void LeaseLost(ILogger logger, string jobId);

    [LoggerMessage(1007, LogLevel.Error, "Job {JobId}: the commit could not be written; the job will be taken over when its lease expires")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(1008, LogLevel.Information, "Envoy worker {WorkerId} leads maintenance (through the {Lock})")]
    public static partial void MaintenanceLeading(ILogger logger, string workerId, string @lock);

    [LoggerMessage(1009, LogLevel.Information, "Envoy worker {WorkerId} no longer leads maintenance")]
    public static partial void MaintenanceNotLeading(ILogger logger, string workerId);

    [LoggerMessage(1010, LogLevel.Warning, "{Count} jobs whose worker stopped renewing their lease are pending again: {JobIds}")]
    public static partial void LeasesExpired(ILogger logger, int count, string jobIds);

    [LoggerMessage(1011, LogLevel.Error, "Envoy maintenance pass failed; retrying")]
    public static partial void MaintenanceError(ILogger logger, Exception exception);

    [LoggerMessage(1030, LogLevel.Warning, "Lease renewal started {Lag} late (lease {Lease}): this process is starved of CPU or blocked; jobs may be taken over while their steps still run")]
    public static partial void LeaseRenewalLate(ILogger logger, TimeSpan lag, TimeSpan lease);

    [LoggerMessage(1031, LogLevel.Warning, "Stop deadline passed: {Count} steps ignored their cancellation and are abandoned; their jobs are taken over when their leases expire: {JobIds}")]
    public static partial void StepsAbandoned(ILogger logger, int count, string jobIds);

    [LoggerMessage(1012, LogLevel.Error, "Job {JobId}: the store refused the step's commit ({Reason}); the job fails, the commits grouped with it go through")]
    public static partial void CommitRefusedByStore(ILogger logger, string jobId, string reason);
}
