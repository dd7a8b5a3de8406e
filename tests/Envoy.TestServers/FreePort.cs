using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Envoy.TestServers.Processes;

namespace Envoy.TestServers;

/// <summary>
/// Free TCP ports on 127.0.0.1 for test servers. Ports are drawn below the kernel's ephemeral range, so that a
/// client's outgoing connection can never take a server's port while the server is stopped for a restart, and
/// skip ports that this process or another test run on this machine has already given to a server.
/// </summary>
public static class FreePort
{
    private const int Lowest = 20000;
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();

    /// <summary>Returns a port that nothing listens on now and that no other test server here has been given.</summary>
    /// <returns>A port number to bind on 127.0.0.1.</returns>
    public static int Next()
    {
        var highest = EphemeralRangeStart() - 1;
        var reserved = ServerDirectory.ReservedPorts();
        lock (Gate)
        {
            if (highest > Lowest + 1000)
            {
                for (var attempt = 0; attempt < 500; attempt++)
                {
                    var port = RandomNumberGenerator.GetInt32(Lowest, highest + 1);
                    if (!HandedOut.Contains(port) && !reserved.Contains(port) && CanBind(port))
                    {
                        HandedOut.Add(port);
                        return port;
                    }
                }
            }

            // No room below the ephemeral range: let the kernel choose.
            while (true)
            {
                var port = KernelChosenPort();
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }

    private static bool CanBind(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int KernelChosenPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
