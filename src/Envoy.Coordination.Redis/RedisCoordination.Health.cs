using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

public sealed partial class RedisCoordination : ICoordinationProbe
{
    /// <inheritdoc />
    public string Kind => "redis";

    /// <inheritdoc />
    /// <remarks>
    /// A disconnected multiplexer is unhealthy at once (a ping would wait in its backlog); a connected one must answer
    /// <c>PING</c>.
    /// </remarks>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        if (!_redis.IsConnected)
        {
            throw new InvalidOperationException("Redis is not connected (the multiplexer keeps trying in the background).");
        }

        await _redis.GetDatabase().PingAsync(CommandFlags.NoRedirect).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
