using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>Turns stored rows into <see cref="Job"/>s and contexts.</summary>
internal static class JobMapper
{
    public static Job ToJob(JobRecord record)
    {
        var context = ContextOf(record);
        if (context.Done is null && record.Status == JobStatus.Cancelled)
        {
            context.MarkCancelled(record.Error);
        }
        else if (context.Done is null && record.Status == JobStatus.Failed)
        {
            context.Fail(record.Error ?? "failed");
        }

        return new Job
        {
            Id = record.Id,
            Flow = record.Flow,
            FlowVersion = record.FlowVersion.Length == 0 ? null : record.FlowVersion,
            Status = record.Status,
            Context = context,
            Input = record.InputJson is null ? null : JsonNode.Parse(record.InputJson),
            CreatedAt = FromMs(record.CreatedAtMs),
            UpdatedAt = FromMs(record.UpdatedAtMs),
            StartedAt = record.StartedAtMs is { } started ? FromMs(started) : null,
            FinishedAt = record.FinishedAtMs is { } finished ? FromMs(finished) : null,
            Error = record.Error,
            ParentId = record.ParentId,
            Retries = record.Retries,
            TotalRetries = record.TotalRetries,
            Priority = record.Priority,
            RunAt = FromMs(record.RunAtMs),
            Attempts = record.Attempts,
            IdempotencyKey = record.IdempotencyKey,
            Version = record.Version,
            ConcurrencyKey = record.ConcurrencyKey.Length == 0 ? null : record.ConcurrencyKey,
            // Written by the commit that released the job for a limit; any later commit clears it.
            WaitingReason = record.Status == JobStatus.Pending ? record.WaitingReason : null,
        };
    }

    /// <summary>The committed context with the job id set and the stored wait resolutions applied.</summary>
    public static StateContext ContextOf(JobRecord record)
    {
        var context = StateContext.Deserialize(record.ContextJson);
        context.JobId = record.Id;
        foreach (var row in record.Resolutions)
        {
            if (context.GetWait(row.WaitId) is not { IsPending: true })
            {
                continue;
            }

            var output = row.OutputJson is null ? null : JsonNode.Parse(row.OutputJson);
            switch (row.Kind)
            {
                case WaitResolutionKind.Success:
                    context.Resolve(row.WaitId, output);
                    break;
                case WaitResolutionKind.Cancelled:
                    context.Cancel(row.WaitId);
                    break;
                case WaitResolutionKind.Error:
                    context.Reject(row.WaitId, row.Error ?? "failed", output);
                    break;
                default:
                    break;
            }
        }

        return context;
    }

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
