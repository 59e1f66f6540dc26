using System.Net;
using System.Net.Sockets;
using Berth.Core.Servers;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Forwards;

/// <summary>
/// One Berth on the run's real engine with a forward pool of its own (free ports, never the default
/// 30000-30029 another program may hold), an admin, Alice and Bob, and one running server each with a
/// TCP echo service inside: a container of the server's own engine publishing port 7000 that greets
/// with the server's mark, then echoes.
/// </summary>
public sealed class ForwardsFixture : IAsyncLifetime, ICreatesServers
{
    public const int PoolSize = 8;
    public const int EchoPort = 7000;

    public BerthTestHost Host { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Alice { get; private set; } = null!;

    public HttpClient Bob { get; private set; } = null!;

    public long AliceId { get; private set; }

    public long AliceServer { get; private set; }

    public long BobServer { get; private set; }

    public int FirstPort { get; private set; }

    public int LastPort => FirstPort + PoolSize - 1;

    public async Task InitializeAsync()
    {
        _ = TestDocker.Endpoint;
        using (var engine = TestDocker.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(engine);
        }

        FirstPort = FreeRange(PoolSize);
        Host = await BerthTestHost.StartAsync(configure: s => s with { ForwardPorts = (FirstPort, FirstPort + PoolSize - 1), ForwardHost = "forwards.test" });
        await LoginAllAsync();
        AliceId = await Admin.CreateUserAsync("alice@example.com", ServersFixture.AlicePassword);
        await Admin.CreateUserAsync("bob@example.com", ServersFixture.BobPassword);
        Alice = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        Bob = await Host.LoginAsync("bob@example.com", ServersFixture.BobPassword);
        var servers = await Task.WhenAll(ServersFixture.CreateRunningServerAsync(Alice, "alice box"), ServersFixture.CreateRunningServerAsync(Bob, "bob box"));
        (AliceServer, BobServer) = (servers[0], servers[1]);
        await Task.WhenAll(StartEchoAsync(AliceServer, "server-a"), StartEchoAsync(BobServer, "server-b"));
    }

    /// <summary>Stops this Berth as a process exit would and starts it again on the same database and settings; clients sign in again.</summary>
    public async Task RestartAsync()
    {
        DisposeClients();
        Host = await Host.RestartAsync();
        await LoginAllAsync();
        Alice = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        Bob = await Host.LoginAsync("bob@example.com", ServersFixture.BobPassword);
    }

    public async Task DisposeAsync()
    {
        DisposeClients();
        await Host.DisposeAsync();
    }

    /// <summary>The server container's address on the servers' network (what a forward must reach, and only that).</summary>
    public async Task<string> AddressOfAsync(long serverId) =>
        (await Host.Services.GetRequiredService<ServerContainers>().FindAsync(serverId, CancellationToken.None))?.Address
        ?? throw new InvalidOperationException($"server {serverId} has no address");

    /// <summary>
    /// Starts the echo service in the server's own engine, as its owner would with <c>docker run</c> on the
    /// server's shell (argument vectors, no shell on the host): it restarts with the server's engine.
    /// </summary>
    public async Task StartEchoAsync(long serverId, string mark)
    {
        var containers = Host.Services.GetRequiredService<ServerContainers>();
        using var inner = await InnerEngineAsync(serverId);
        var busybox = await ServersFixture.CopyBusyboxAsync(inner);
        var run = await containers.Host.Containers.ExecAsync(
            ServerContainers.ContainerName(serverId),
            ["docker", "run", "--detach", "--name", "echo", "--restart", "always", "--env", "MARK=" + mark, "--publish", $"{EchoPort}:{EchoPort}",
                busybox, "nc", "-ll", "-p", $"{EchoPort}", "-e", "sh", "-c", "echo $MARK; exec cat"],
            CancellationToken.None);
        Assert.True(run.ExitCode == 0, $"docker run in server {serverId}: {run.StandardError}");
    }

    private async Task<Berth.Docker.DockerEngine> InnerEngineAsync(long id)
    {
        var client = await Host.Services.GetRequiredService<ServerContainers>().ConnectInnerAsync(id, CancellationToken.None);
        Assert.NotNull(client);
        return new Berth.Docker.DockerEngine(client, new Berth.Docker.ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));
    }

    private async Task LoginAllAsync() => Admin = await Host.LoginAsync();

    private void DisposeClients()
    {
        Admin?.Dispose();
        Alice?.Dispose();
        Bob?.Dispose();
    }

    /// <summary>A run of free ports on every address (the pool listens on 0.0.0.0).</summary>
    private static int FreeRange(int size)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(41000, 59000);
            if (Enumerable.Range(first, size).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException("no free port range found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
