using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Core.Tests.Forwards;

/// <summary>
/// A real HAProxy on a free loopback port whose one frontend expects a PROXY protocol header
/// (<c>accept-proxy</c>, v1 and v2) and answers every request with the client and destination
/// endpoints it read from it: <c>src src_port dst dst_port</c>.
/// </summary>
public sealed class HaproxyFixture : IAsyncLifetime, IDisposable
{
    private const string Program = "/usr/sbin/haproxy";
    private readonly TempDirectory _folder = new("berth-haproxy");
    private Process? _process;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"{Program} is missing: install the haproxy package (scripts/test.sh does).");
        }

        Port = FreePort();
        var config = Path.Combine(_folder.Path, "haproxy.cfg");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            global
              log stderr format raw local0 err
            defaults
              mode http
              timeout connect 5s
              timeout client 5s
              timeout server 5s
            frontend proxied
              bind 127.0.0.1:{Port} accept-proxy
              http-request return status 200 content-type text/plain lf-string "%[src] %[src_port] %[dst] %[dst_port]"

            """));
        // HostTools runs Berth's own host programs; the reference reader a test checks Berth against is the test's business.
#pragma warning disable RS0030
        _process = Process.Start(new ProcessStartInfo(Program) { ArgumentList = { "-f", config, "-db" }, RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("haproxy did not start");
#pragma warning restore RS0030
        var ready = await Poll.UntilAsync(AcceptsAsync, TimeSpan.FromSeconds(20));
        Assert.True(ready, $"haproxy did not listen on 127.0.0.1:{Port}: {(_process.HasExited ? await _process.StandardError.ReadToEndAsync() : "still starting")}");
    }

    /// <summary>Sends <paramref name="header"/> and a request; returns what HAProxy read from the header.</summary>
    public async Task<string> ReportAsync(byte[] header)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, bound.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(header.Concat("GET / HTTP/1.0\r\n\r\n"u8.ToArray()).ToArray(), bound.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(bound.Token);
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _folder.Dispose();

    private async Task<bool> AcceptsAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
