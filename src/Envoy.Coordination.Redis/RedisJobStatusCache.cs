using System.Globalization;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

/// <summary>
/// Job statuses in Redis, under the coordination's key prefix (the store's namespace): one hash per job (<c>{prefix}:status:{id}</c>, fields <c>s</c> status and <c>v</c> version; job ids are
/// UUIDs) kept for an hour after its last write, and the status counts of the store <c>scope</c> names in <c>{prefix}:counts:{scope}</c>. Writes are fire-and-forget and keep the highest
/// version (a late write of an older state is ignored); reads give up after a short timeout. Nothing here is ever the only
/// copy: a flush only means the next reads go to PostgreSQL.
/// </summary>
internal sealed class RedisJobStatusCache(IConnectionMultiplexer redis, string keyPrefix, string scope) : IJobStatusCache
{
    private readonly string _statusPrefix = keyPrefix + ":status:";
    private static readonly TimeSpan EntryTimeToLive = TimeSpan.FromHours(1);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly RedisValue[] Fields = ["s", "v"];
    private readonly RedisKey _countsKey = keyPrefix + ":counts:" + scope;

    // KEYS: the entries; ARGV: status and version for each key in turn, then the time to live in ms.
    private const string PutScript = """
        local ttl = ARGV[#ARGV]
        for i, key in ipairs(KEYS) do
          local current = redis.call('HGET', key, 'v')
          if not current or tonumber(current) <= tonumber(ARGV[2 * i]) then
            redis.call('HSET', key, 's', ARGV[2 * i - 1], 'v', ARGV[2 * i])
            redis.call('PEXPIRE', key, ttl)
          end
        end
        return 1
        """;

    public void Put(IReadOnlyList<CachedJobStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        if (!redis.IsConnected || statuses.Count == 0)
        {
            return;
        }

        var keys = new RedisKey[statuses.Count];
        var values = new RedisValue[(2 * statuses.Count) + 1];
        for (var i = 0; i < statuses.Count; i++)
        {
            keys[i] = Key(statuses[i].JobId);
            values[2 * i] = (int)statuses[i].Status;
            values[(2 * i) + 1] = statuses[i].Version;
        }

        values[^1] = (long)EntryTimeToLive.TotalMilliseconds;

        // One script for the whole transaction's statuses, fire and forget: queued on the multiplexer's pipe, never awaited by
        // the transaction that produced them.
        redis.GetDatabase().ScriptEvaluate(PutScript, keys, values, CommandFlags.FireAndForget);
    }

    public void Forget(IReadOnlyList<string> jobIds)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (!redis.IsConnected || jobIds.Count == 0)
        {
            return;
        }

        redis.GetDatabase().KeyDelete(jobIds.Select(Key).ToArray(), CommandFlags.FireAndForget);
    }

    public async Task<CachedJobStatus?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var values = await redis.GetDatabase().HashGetAsync(Key(jobId), Fields).WaitAsync(ReadTimeout, cancellationToken).ConfigureAwait(false);
            return !values[0].IsNull && !values[1].IsNull && values[0].TryParse(out int status) && values[1].TryParse(out long version) && Enum.IsDefined((JobStatus)status)
                ? new CachedJobStatus(jobId, (JobStatus)status, version)
                : null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    public void PutCounts(IReadOnlyDictionary<JobStatus, long> counts, TimeSpan timeToLive)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (!redis.IsConnected)
        {
            return;
        }

        var text = string.Join(',', counts.Select(c => ((int)c.Key).ToString(CultureInfo.InvariantCulture) + ":" + c.Value.ToString(CultureInfo.InvariantCulture)));
        redis.GetDatabase().StringSet(_countsKey, text, timeToLive, flags: CommandFlags.FireAndForget);
    }

    public async Task<IReadOnlyDictionary<JobStatus, long>?> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var text = (string?)await redis.GetDatabase().StringGetAsync(_countsKey).WaitAsync(ReadTimeout, cancellationToken).ConfigureAwait(false);
            return text is null ? null : ParseCounts(text);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private static Dictionary<JobStatus, long>? ParseCounts(string text)
    {
        var counts = StoreRows.ZeroCounts();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0
                || !int.TryParse(pair.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status)
                || !long.TryParse(pair.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
                || !Enum.IsDefined((JobStatus)status))
            {
                return null; // not ours: read the store
            }

            counts[(JobStatus)status] = count;
        }

        return counts;
    }

    private RedisKey Key(string jobId) => _statusPrefix + jobId;
}
