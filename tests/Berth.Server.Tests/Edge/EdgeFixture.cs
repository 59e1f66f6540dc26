using System.Net;
using System.Net.Sockets;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Core.Servers;
using Berth.Server.Edge;
using Berth.Server.Hosting;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Edge;

/// <summary>
/// One Berth on the real engine with its edge on free loopback ports and 127.0.0.2/32 as the only
/// "Cloudflare" range; Alice and Bob each have a running server with busybox httpd on its port 80.
/// </summary>
public class EdgeFixture : IAsyncLifetime
{
    private readonly string _files = Path.Combine(Path.GetTempPath(), $"berth-edge-{Guid.NewGuid():N}");

    public BerthTestHost Host { get; private set; } = null!;

    public HttpClient Alice { get; private set; } = null!;

    public HttpClient Bob { get; private set; } = null!;

    public long AliceServer { get; private set; }

    public long BobServer { get; private set; }

    /// <summary>The edge's plain HTTP listener.</summary>
    public Uri EdgeHttp => Host.Services.GetRequiredService<EdgeRuntime>().Host!.HttpAddresses[0];

    public async Task InitializeAsync()
    {
        _ = TestDocker.Endpoint;
        using (var engine = TestDocker.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(engine);
        }

        Directory.CreateDirectory(_files);
        var ranges = Path.Combine(_files, "cloudflare-ranges.txt");
        await File.WriteAllTextAsync(ranges, "# the test's stand-in for Cloudflare\n127.0.0.2/32\n");
        Host = await BerthTestHost.StartAsync(configure: settings => Configure(settings with
        {
            Edge = settings.Edge with { CloudflareRanges = EdgeFeature.LoadCloudflareRanges(ranges) },
        }));
        using var admin = await Host.LoginAsync();
        await admin.CreateUserAsync("alice@example.com", ServersFixture.AlicePassword);
        await admin.CreateUserAsync("bob@example.com", ServersFixture.BobPassword);
        Alice = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        Bob = await Host.LoginAsync("bob@example.com", ServersFixture.BobPassword);

        var alice = ServersFixture.CreateRunningServerAsync(Alice, "alice web");
        var bob = ServersFixture.CreateRunningServerAsync(Bob, "bob web");
        AliceServer = await alice;
        BobServer = await bob;
        await Task.WhenAll(RunWebServerAsync(AliceServer, "alice's page"), RunWebServerAsync(BobServer, "bob's page"));
    }

    /// <summary>The edge's HTTPS listener.</summary>
    public Uri EdgeHttps => Host.Services.GetRequiredService<EdgeRuntime>().Host!.HttpsAddresses[0];

    /// <summary>Changes the settings of the Berth this fixture starts.</summary>
    protected virtual ServeSettings Configure(ServeSettings settings) => settings;

    public async Task DisposeAsync()
    {
        Alice.Dispose();
        Bob.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    /// <summary>Runs busybox httpd on port 80 of the server (host networking inside it) and waits until it answers.</summary>
    public Task RunWebServerAsync(long serverId, string page) =>
        ServerWebApp.RunAsync(Host.Services.GetRequiredService<ServerContainers>(), serverId, page);

    /// <summary>Adds a row to Hosting_DomainNames (the domain API is not used here) and signals the edge.</summary>
    public async Task AddDomainAsync(long serverId, string name, bool ssl = false, bool isCloudflare = false)
    {
        var contexts = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.DomainNames.Add(new DomainName { VirtualServerId = serverId, Name = name, Ssl = ssl, IsCloudflare = isCloudflare });
            await db.SaveChangesAsync();
        }

        Host.Services.GetRequiredService<EdgeRoutesSignal>().Request();
    }

    /// <summary>Deletes a row of Hosting_DomainNames by name and signals the edge.</summary>
    public async Task RemoveDomainAsync(string name)
    {
        var contexts = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.DomainNames.Remove(await db.DomainNames.SingleAsync(d => d.Name == name));
            await db.SaveChangesAsync();
        }

        Host.Services.GetRequiredService<EdgeRoutesSignal>().Request();
    }

    /// <summary>A client of the edge whose connections leave from <paramref name="source"/> (127.0.0.1 by default).</summary>
    public static HttpClient EdgeClient(IPAddress? source = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>GET / through the edge's HTTP listener with the given Host header.</summary>
    public async Task<HttpResponseMessage> GetThroughEdgeAsync(string host, IPAddress? source = null)
    {
        using var client = EdgeClient(source);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(EdgeHttp, "/"));
        request.Headers.Host = host;
        return await client.SendAsync(request);
    }

    /// <summary>Sends raw bytes to the edge's HTTP listener and returns everything it answers.</summary>
    public async Task<string> SendRawAsync(string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, EdgeHttp.Port));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
