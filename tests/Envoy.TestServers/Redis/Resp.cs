using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Envoy.TestServers;

/// <summary>
/// Just enough of the Redis protocol (RESP) to probe and administer a test server over one short TCP connection,
/// so that this library needs no Redis client and its probes leave no multiplexer behind.
/// </summary>
internal static class Resp
{
    /// <summary>Sends one command and returns the first line of the reply ("+PONG", "+OK", "-ERR ...").</summary>
    /// <exception cref="SocketException">Nothing listens, or the connection broke.</exception>
    /// <exception cref="IOException">The connection closed before a reply.</exception>
    public static async Task<string> SendAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken, params string[] command)
    {
        using var deadline = new CancellationTokenSource(timeout, TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync(Encode(command), linked.Token).ConfigureAwait(false);

        var reply = new StringBuilder();
        var buffer = new byte[256];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("Redis closed the connection before replying.");
            }

            reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var text = reply.ToString();
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
    }

    private static byte[] Encode(string[] command)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"*{command.Length}\r\n");
        foreach (var part in command)
        {
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
