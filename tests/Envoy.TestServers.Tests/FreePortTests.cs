using System.Net;
using System.Net.Sockets;

namespace Envoy.TestServers.Tests;

public sealed class FreePortTests
{
    [Fact]
    public void Next_ReturnsDistinctBindablePortsBelowTheEphemeralRange()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0]);
        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start();
        listener.Stop();
    }
}
