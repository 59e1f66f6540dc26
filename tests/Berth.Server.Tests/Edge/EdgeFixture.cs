using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
/// "Cloudflare" range and <see cref="OriginPullCa"/> as the origin pull CA bundle; Alice and Bob each
/// have a running server with busybox httpd on its port 80.
/// </summary>
public class EdgeFixture : IAsyncLifetime, ICreatesServers
{
    private readonly string _files = Path.Combine(Path.GetTempPath(), $"berth-edge-{Guid.NewGuid():N}");
    private readonly ECDsa _originPullKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The test's stand-in for Cloudflare's origin-pull CA (<c>--cloudflare-origin-pull-ca</c>).</summary>
    public X509Certificate2 OriginPullCa { get; private set; } = null!;

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
        var caRequest = new CertificateRequest("CN=Test Origin Pull CA", _originPullKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        OriginPullCa = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var caFile = Path.Combine(_files, "origin-pull-ca.pem");
        await File.WriteAllTextAsync(caFile, OriginPullCa.ExportCertificatePem());
        Host = await BerthTestHost.StartAsync(configure: settings => Configure(settings with
        {
            Edge = settings.Edge with
            {
                CloudflareRanges = EdgeFeature.LoadCloudflareRanges(ranges),
                OriginPullAuthorities = EdgeFeature.LoadOriginPullAuthorities(caFile),
            },
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
        OriginPullCa.Dispose();
        _originPullKey.Dispose();
    }

    /// <summary>Runs busybox httpd on a port of the server (80 unless told) (host networking inside it) and waits until it answers.</summary>
    public Task RunWebServerAsync(long serverId, string page, int port = 80) =>
        ServerWebApp.RunAsync(Host.Services.GetRequiredService<ServerContainers>(), serverId, page, port);

    /// <summary>Adds a row to Hosting_DomainNames (the domain API is not used here) and signals the edge.</summary>
    public async Task AddDomainAsync(long serverId, string name, bool ssl = false, bool isCloudflare = false, bool originPulls = false)
    {
        var contexts = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var domain = new DomainName { VirtualServerId = serverId, Name = name, Ssl = ssl, IsCloudflare = isCloudflare };
            db.DomainNames.Add(domain);
            await db.SaveChangesAsync();
            if (originPulls)
            {
                db.DomainOptions.Add(new DomainOptions { DomainId = domain.Id, OriginPulls = true });
                await db.SaveChangesAsync();
            }
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

    /// <summary>A client certificate issued by <see cref="OriginPullCa"/>, as Cloudflare presents one.</summary>
    public X509Certificate2 IssueOriginPullCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=origin-pull.test", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = TimeProvider.System.GetUtcNow();
        using var issued = request.Create(OriginPullCa, now.AddHours(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>GET https://<paramref name="host"/>/ through the edge's HTTPS listener, offering <paramref name="certificate"/> if any.</summary>
    public async Task<HttpResponseMessage> GetThroughEdgeHttpsAsync(string host, X509Certificate2? certificate, IPAddress source)
    {
        var port = EdgeHttps.Port;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The origin certificate of a Cloudflare-mode name is self-signed by design (Cloudflare's "Full" mode).
#pragma warning disable CA5359
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetAsync(new Uri($"https://{host}/"));
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
