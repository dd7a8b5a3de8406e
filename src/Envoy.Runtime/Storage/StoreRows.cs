using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.Runtime.Storage;

/// <summary>
/// Reads job, event and escalation rows for any ADO.NET store, in the column order every store selects:
/// jobs <c>id, flow, status, context, priority, run_at, created_at, updated_at, started_at, finished_at, error, parent_id,
/// retries, attempts, idempotency_key, version, takeovers[, input][, total_retries]</c> (a store whose rows end at <c>version</c> reads as
/// no takeovers; after <c>takeovers</c>, a column named <c>input</c> is the scheduled input, one named <c>flow_version</c> the job's flow version and one named <c>total_retries</c> the
/// count of every retry, and rows without them read as none and 0); events <c>job_id, at, kind, state, step, from_status, to_status,
/// duration_ms, error</c>; escalations <c>id, job_id, wait_id, user_name, message, inputs, status, response, replied_by,
/// created_at, answered_at</c>. Times are Unix milliseconds; JSON columns are read as text.
/// </summary>
public static class StoreRows
{
    /// <summary>A count of zero for every status, for stores to fill from their <c>GROUP BY status</c> rows.</summary>
    public static Dictionary<JobStatus, long> ZeroCounts() => Enum.GetValues<JobStatus>().ToDictionary(status => status, _ => 0L);

    /// <summary>
    /// The <c>LIKE</c> pattern of <see cref="JobQuery.Search"/>: the term anywhere, each <c>\</c>, <c>%</c> and <c>_</c> in it escaped
    /// with a backslash so it matches itself (use it with <c>ESCAPE '\'</c>).
    /// </summary>
    public static string ContainsPattern(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var pattern = new System.Text.StringBuilder(term.Length + 8).Append('%');
        foreach (var c in term)
        {
            if (c is '\\' or '%' or '_')
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.Append('%').ToString();
    }

    /// <summary>Reads a job row.</summary>
    public static JobRecord ReadJob(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? input = null;
        var totalRetries = 0;
        var flowVersion = string.Empty;
        string? traceParent = null;
        var concurrencyKey = string.Empty;
        int? concurrencyLimit = null;
        string? waitingReason = null;
        for (var ordinal = 17; ordinal < reader.FieldCount; ordinal++)
        {
            switch (reader.GetName(ordinal))
            {
                case "input":
                    input = NullableString(reader, ordinal);
                    break;
                case "total_retries":
                    totalRetries = reader.GetInt32(ordinal);
                    break;
                case "flow_version":
                    flowVersion = reader.GetString(ordinal);
                    break;
                case "trace_parent":
                    traceParent = NullableString(reader, ordinal);
                    break;
                case "concurrency_key":
                    concurrencyKey = reader.GetString(ordinal);
                    break;
                case "concurrency_limit":
                    concurrencyLimit = reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
                    break;
                case "waiting_reason":
                    waitingReason = NullableString(reader, ordinal);
                    break;
                default:
                    break;
            }
        }

        return new()
        {
            Id = reader.GetString(0),
            Flow = reader.GetString(1),
            Status = (JobStatus)reader.GetInt32(2),
            ContextJson = reader.GetString(3),
            Priority = reader.GetInt32(4),
            RunAtMs = reader.GetInt64(5),
            CreatedAtMs = reader.GetInt64(6),
            UpdatedAtMs = reader.GetInt64(7),
            StartedAtMs = NullableInt64(reader, 8),
            FinishedAtMs = NullableInt64(reader, 9),
            Error = NullableString(reader, 10),
            ParentId = NullableString(reader, 11),
            Retries = reader.GetInt32(12),
            Attempts = reader.GetInt32(13),
            IdempotencyKey = NullableString(reader, 14),
            Version = reader.GetInt64(15),
            Takeovers = reader.FieldCount > 16 ? reader.GetInt32(16) : 0,
            InputJson = input,
            TotalRetries = totalRetries,
            FlowVersion = flowVersion,
            TraceParent = traceParent,
            ConcurrencyKey = concurrencyKey,
            ConcurrencyLimit = concurrencyLimit,
            WaitingReason = waitingReason,
        };
    }

    /// <summary>Reads a history row.</summary>
    public static JobEvent ReadEvent(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new(
            reader.GetString(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            (JobEventKind)reader.GetInt32(2),
            NullableString(reader, 3),
            reader.IsDBNull(4) ? null : reader.GetInt32(4),
            reader.IsDBNull(5) ? null : (JobStatus)reader.GetInt32(5),
            reader.IsDBNull(6) ? null : (JobStatus)reader.GetInt32(6),
            reader.IsDBNull(7) ? null : TimeSpan.FromMilliseconds(reader.GetDouble(7)),
            NullableString(reader, 8));
    }

    /// <summary>Reads an escalation row.</summary>
    public static Escalation ReadEscalation(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4),
            JsonSerializer.Deserialize<List<EscalationInput>>(reader.GetString(5), EnvoyJson.Options) ?? [],
            (EscalationStatus)reader.GetInt32(6),
            reader.IsDBNull(7) ? null : JsonNode.Parse(reader.GetString(7)),
            NullableString(reader, 8),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
            reader.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)));
    }

    /// <summary>A nullable text column.</summary>
    public static string? NullableString(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    /// <summary>A nullable integer column.</summary>
    public static long? NullableInt64(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
    }
}
