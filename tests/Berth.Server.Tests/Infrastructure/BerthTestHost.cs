using System.Net;
using System.Net.Http.Json;
using Berth.Core.Monitoring;
using Berth.Server.Cli;
using Berth.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Server.Tests.Infrastructure;

/// <summary>
/// Berth as <c>berth serve</c> runs it (same composition root, same start-up), on real Kestrel
/// at 127.0.0.1 with a free port, over its own database.
/// </summary>
public sealed class BerthTestHost : IAsyncDisposable
{
    public const string AdminEmail = "admin@admin.com";
    public const string AdminPassword = "first-admin-password";

    private readonly WebApplication _app;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, CookieContainer> _jars = [];
    private readonly TestDatabase _database;
    private readonly ServeSettings _settings;
    private readonly Action<WebApplicationBuilder>? _customize;
    private bool _restarted;

    private BerthTestHost(WebApplication app, TestDatabase database, string startupOutput, ServeSettings settings, Action<WebApplicationBuilder>? customize)
    {
        _app = app;
        _database = database;
        _settings = settings;
        _customize = customize;
        StartupOutput = startupOutput;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public TestDatabase Database => _database;

    /// <summary>What start-up printed (the one-time admin password when none was given).</summary>
    public string StartupOutput { get; }

    /// <summary>
    /// Starts Berth; <c>prepare</c> runs on the empty database first (e.g. to lay down a database of
    /// the original platform). The container monitor watches the run's engine only with
    /// <paramref name="monitorHostEngine"/>: that engine is shared with test classes of other
    /// installations running side by side, whose <c>hosting-users-dind-*</c> containers it would
    /// otherwise adopt as ownerless servers (the seed's rule) into this host's database. Inner
    /// engines of servers this host runs are watched either way.
    /// </summary>
    public static async Task<BerthTestHost> StartAsync(
        ProviderKind kind = ProviderKind.Sqlite,
        string? adminPassword = AdminPassword,
        Action<WebApplicationBuilder>? customize = null,
        Func<TestDatabase, Task>? prepare = null,
        Func<ServeSettings, ServeSettings>? configure = null,
        bool monitorHostEngine = false)
    {
        var database = await TestDatabase.CreateAsync(kind);
        if (prepare is not null)
        {
            await prepare(database);
        }

        var common = new BerthSettings(
            database.DataRoot,
            kind == ProviderKind.PostgreSql ? DatabaseKind.PostgreSql : DatabaseKind.Sqlite,
            database.ConnectionString);
        var installation = "t" + Guid.NewGuid().ToString("N")[..12];
        var settings = new ServeSettings(common, "http://127.0.0.1:0", adminPassword)
        {
            // The run's engine when scripts/test.sh started one; tests that need it ask for it through TestDocker.
            DockerHost = Environment.GetEnvironmentVariable("BERTH_TEST_DOCKER_HOST") is { Length: > 0 } engine ? new Uri(engine) : new Uri("unix:///run/berth-tests-no-engine.sock"),
            InstallationId = installation,
            ServersNetwork = "berth-" + installation,
            // Tests run in parallel: the edge takes free ports, never the defaults.
            // No certificate authority unless a test configures one: nothing may leave loopback.
            // Domain verification off unless a test turns it on (Domains/VerifyingDomainsTests): the tests of
            // routes and certificates add names like blog.example.com whose DNS no test controls.
            // No SSH entry unless a test turns it on (Ssh/SshEntryTests), on a free port.
            SshListen = null,
            Edge = new EdgeSettings { HttpUrls = ["http://127.0.0.1:0"], HttpsUrls = ["https://127.0.0.1:0"], AcmeDirectory = null, DomainVerification = false },
        };
        settings = configure?.Invoke(settings) ?? settings;
        var effective = monitorHostEngine ? customize : builder =>
        {
            builder.Services.Configure<MonitorOptions>(o => o.HostEndpoint = null);
            customize?.Invoke(builder);
        };
        return await StartAppAsync(database, settings, effective);
    }

    /// <summary>
    /// Stops this Berth the way a process exit does (its containers and database stay) and starts a new
    /// one on the same database, data root and settings. Use the returned host from then on.
    /// </summary>
    public async Task<BerthTestHost> RestartAsync()
    {
        _restarted = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        return await StartAppAsync(_database, _settings, _customize);
    }

    private static async Task<BerthTestHost> StartAppAsync(TestDatabase database, ServeSettings settings, Action<WebApplicationBuilder>? customize)
    {
        var app = BerthWebApp.Build(settings, builder =>
        {
            builder.Logging.ClearProviders();
            customize?.Invoke(builder);
        });
        var output = new StringWriter();
        await ServeCommand.StartAsync(app, settings, output, CancellationToken.None);
        return new BerthTestHost(app, database, output.ToString(), settings, customize);
    }

    /// <summary>
    /// A client with its own cookie jar, like one browser; with <paramref name="source"/> (an address of
    /// 127.0.0.0/8 such as 127.0.0.2) its connections come from that address, as another machine's would.
    /// </summary>
    public HttpClient CreateClient(IPAddress? source = null)
    {
        var jar = new CookieContainer();
        var handler = new SocketsHttpHandler
        {
            CookieContainer = jar,
            AllowAutoRedirect = false,
            UseCookies = true,
            // A request sent with "Expect: 100-continue" holds its body until Berth answers, however
            // long a loaded machine takes: after the default 1 s the body went out anyway, and a refusal
            // that Berth sent meanwhile (413, then closing the connection) broke the write mid-body.
            Expect100ContinueTimeout = TimeSpan.FromSeconds(30),
        };
        if (source is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        _jars.Add(client, jar);
        return client;
    }

    /// <summary>The session token in a client's cookie jar (to replay it from elsewhere, like a stolen cookie).</summary>
    public string SessionTokenOf(HttpClient client) =>
        _jars.TryGetValue(client, out var jar) && jar.GetCookies(BaseAddress)["berth_session"] is { } cookie
            ? cookie.Value
            : throw new InvalidOperationException("The client holds no session cookie.");

    /// <summary>A browser-like client that sends the CSRF header the panel sends, unless told not to.</summary>
    public HttpClient CreateApiClient(bool csrfHeader = true, IPAddress? source = null)
    {
        var client = CreateClient(source);
        if (csrfHeader)
        {
            client.DefaultRequestHeaders.Add("X-Berth-Csrf", "1");
        }

        return client;
    }

    /// <summary>A client signed in as <paramref name="email"/>; fails the test if the login is refused.</summary>
    public async Task<HttpClient> LoginAsync(string email = AdminEmail, string password = AdminPassword)
    {
        var client = CreateApiClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login of {email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_restarted)
        {
            return;
        }

        await _app.StopAsync();
        if (Environment.GetEnvironmentVariable("BERTH_TEST_DOCKER_HOST") is { Length: > 0 })
        {
            // Every container and network this host made carries its installation id: remove them.
            try
            {
                await _app.Services.GetRequiredService<Berth.Docker.DockerEngine>().ReapSessionAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or global::Docker.DotNet.DockerApiException)
            {
                // The engine is gone (a test stopped it); nothing left to reap there.
            }
        }

        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
