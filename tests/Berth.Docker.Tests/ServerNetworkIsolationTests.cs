using System.Net;
using System.Net.Sockets;
using Berth.Core.Hosting;
using Berth.Core.Servers;
using Berth.Core.Servers.Image;
using Berth.Core.Servers.Network;
using Berth.Docker.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Berth.Docker.Tests;

/// <summary>
/// Two servers from the virtual-server image (real entrypoint, `caps` profile) on an isolated
/// network of the test's own, with Berth's host rules installed under a test chain prefix. All
/// traffic stays on this machine: the servers, the network's gateway (a listener of the test's
/// own) and the host itself.
/// </summary>
public sealed class IsolatedServersFixture : IAsyncLifetime, IDisposable
{
    /// <summary>Chain prefix of these tests (Berth's own is <c>BERTH</c>).</summary>
    public const string ChainPrefix = "BTEST";

    private static readonly TimeSpan Year = TimeSpan.FromDays(365);
    private readonly TempDirectory _folder = new("berth-netguard");

    public DockerEngine Host { get; } = TestDocker.Connect(ResourceLabels.NewSessionId());

    public TlsAuthority Authority { get; } = TlsAuthority.Create("Berth test CA", Year, TimeProvider.System);

    public HostTools Tools { get; } = new(NullLogger<HostTools>.Instance);

    public ServersOptions Options { get; } = new()
    {
        DockerHost = TestDocker.Endpoint,
        FirewallChainPrefix = ChainPrefix,
        BlockPrivateEgress = true,
        AllowedEgress = ["10.99.0.0/16"],
        RegistryMirror = "http://10.98.0.5:5000",
    };

    public ServerNetworkGuard Guard { get; private set; } = null!;

    public string Bridge { get; private set; } = "";

    public string Gateway { get; private set; } = "";

    /// <summary>What the first install of the rules did.</summary>
    public ServerFirewallState FirstInstall { get; private set; } = null!;

    public (string Id, string Address) ServerA { get; private set; }

    public (string Id, string Address) ServerB { get; private set; }

    public async Task InitializeAsync()
    {
        var image = await VirtualServerImageForTests.EnsureAsync(Host);
        Guard = new ServerNetworkGuard(Tools, Options, NullLogger<ServerNetworkGuard>.Instance);

        var name = $"berth-test-guard-{Host.Labels.SessionId}";
        await Host.Networks.EnsureIsolatedBridgeAsync(name, TestTimeout.Minute);
        var network = (await Host.Networks.InspectAsync(name, TestTimeout.Minute))!;
        Bridge = ServerNetworkGuard.BridgeOf(network);
        Gateway = network.IPAM.Config.Single().Gateway;

        // Rules first, as Berth does: the servers' engines must still answer Berth through them.
        FirstInstall = (await Guard.EnsureAsync(Host, name, TestTimeout.Minute))!;
        ServerA = await StartServerAsync(image.Reference, name, 911);
        ServerB = await StartServerAsync(image.Reference, name, 912);
    }

    /// <summary>Runs bash's /dev/tcp connect from a server to <paramref name="address"/>:<paramref name="port"/>; true when it connected.</summary>
    public async Task<bool> ConnectsFromAsync(string container, string address, int port)
    {
        var result = await Host.Containers.ExecAsync(
            container,
            ["timeout", "5", "bash", "-c", $"exec 3<>/dev/tcp/{address}/{port} && echo connected"],
            TestTimeout.Minute);
        return result.ExitCode == 0 && result.StandardOutput.Contains("connected", StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (Guard is not null && Bridge.Length > 0)
        {
            await Guard.RemoveAsync(Bridge, TestTimeout.Minute);
        }

        await Host.ReapSessionAsync(TestTimeout.Minute);
        Dispose();
    }

    public void Dispose()
    {
        Guard?.Dispose();
        Host.Dispose();
        Authority.Dispose();
        _folder.Dispose();
    }

    private async Task<(string Id, string Address)> StartServerAsync(string image, string network, long id)
    {
        var serverName = EngineCredentials.ServerName(id);
        var tls = Directory.CreateDirectory(_folder.Combine(serverName, "tls")).FullName;
        var issued = Authority.IssueServer(serverName, Year);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsAuthorityFile), Authority.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsCertificateFile), issued.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsKeyFile), issued.PrivateKeyPem);
        RegistryMirror.WriteEngineConfig(tls, Options.RegistryMirror);
        var docker = Directory.CreateDirectory(_folder.Combine(serverName, "docker")).FullName;

        var profile = RuntimeProfile.Caps;
        var container = await Host.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = image,
                Name = $"berth-test-guard-{id}-{Host.Labels.SessionId}",
                Hostname = serverName,
                CapAdd = profile.CapAdd,
                CapDrop = profile.CapDrop,
                SecurityOptions = profile.SecurityOptions,
                Mounts = [new BindMount(tls, VirtualServerImage.TlsDirectory, ReadOnly: true), new BindMount(docker, "/var/lib/docker")],
                Limits = new ResourceLimits(MemoryBytes: 512L * 1024 * 1024, Pids: 2048),
                Network = network,
            },
            TestTimeout.Minute);
        await Host.Containers.StartAsync(container, TestTimeout.Minute);
        var address = (await Host.Containers.InspectAsync(container, TestTimeout.Minute))!.NetworkSettings!.Networks.Single().Value.IPAddress;

        using var client = Authority.IssueClient("berth", Year).ToCertificate();
        using var pin = Authority.Credential.ToPublicCertificate();
        using var inner = DockerClientFactory.CreateMutualTls(new Uri($"tcp://{address}:{VirtualServerImage.EnginePort}"), client, pin, serverName);
        await DockerWait.UntilEngineAnswersAsync(inner, TimeSpan.FromSeconds(30), TimeProvider.System, TestTimeout.Minute);
        return (container, address);
    }
}

/// <summary>Servers kept off each other, off the host's own ports and (by rule) off private ranges.</summary>
public sealed class ServerNetworkIsolationTests(IsolatedServersFixture servers, ITestOutputHelper output) : IClassFixture<IsolatedServersFixture>
{
    private const int SshPort = 22;

    [Fact]
    public async Task ServerA_ToServerB_Refused_WhileTheHostReachesB()
    {
        Assert.True(await servers.ConnectsFromAsync(servers.ServerA.Id, servers.ServerA.Address, SshPort), "the check itself works: A reaches its own sshd");
        using (var host = new TcpClient())
        {
            await host.ConnectAsync(IPAddress.Parse(servers.ServerB.Address), SshPort, TestTimeout.Minute);
        }

        Assert.False(await servers.ConnectsFromAsync(servers.ServerA.Id, servers.ServerB.Address, SshPort));
        Assert.False(await servers.ConnectsFromAsync(servers.ServerA.Id, servers.ServerB.Address, VirtualServerImage.EnginePort));
    }

    [Fact]
    public async Task Server_ToAListenerOnTheGatewayAddress_ReachableWithoutTheRules_RefusedWithThem()
    {
        using var listener = new TcpListener(IPAddress.Parse(servers.Gateway), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var accepting = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var accepted = AcceptAllAsync(listener, accepting.Token);

        try
        {
            await servers.Guard.RemoveAsync(servers.Bridge, TestTimeout.Minute);
            var without = await servers.ConnectsFromAsync(servers.ServerA.Id, servers.Gateway, port);
            await servers.Guard.EnsureAsync(servers.Bridge, TestTimeout.Minute);
            var with = await servers.ConnectsFromAsync(servers.ServerA.Id, servers.Gateway, port);
            var withFromB = await servers.ConnectsFromAsync(servers.ServerB.Id, servers.Gateway, port);

            output.WriteLine($"gateway {servers.Gateway}:{port}: without rules connected={without}, with rules connected={with}");
            Assert.True(without, "without the rules a server reaches the host (so the refusal below is the rules' doing)");
            Assert.False(with);
            Assert.False(withFromB);
        }
        finally
        {
            await servers.Guard.EnsureAsync(servers.Bridge, TestTimeout.Minute);
            await accepting.CancelAsync();
            listener.Stop();
            await accepted;
        }
    }

    [Fact]
    public async Task Rules_Installed_ForwardChainFromDockerUser_EgressToPrivateAndLinkLocalRejected()
    {
        var lines = await servers.Guard.ListAsync(servers.Bridge, TestTimeout.Minute);
        var input = ServerFirewallPlan.InputChain(IsolatedServersFixture.ChainPrefix, servers.Bridge);
        var forward = ServerFirewallPlan.ForwardChain(IsolatedServersFixture.ChainPrefix, servers.Bridge);
        var all = await ListAllAsync();
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        // The test engine manages iptables, so the forward chain hangs off DOCKER-USER.
        Assert.Equal(ServerNetworkGuard.DockerUserChain, servers.FirstInstall.ForwardParent);
        Assert.Contains($"-A INPUT -i {servers.Bridge} -j {input}", all);
        Assert.Contains($"-A DOCKER-USER -i {servers.Bridge} -j {forward}", all);

        Assert.Equal($"-A {input} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN", lines[1]);
        Assert.Equal($"-A {input} -j REJECT --reject-with icmp-port-unreachable", lines.Last(l => l.StartsWith($"-A {input} ", StringComparison.Ordinal)));
        Assert.Contains($"-A {forward} -o {servers.Bridge} -j REJECT --reject-with icmp-port-unreachable", lines);
        foreach (var range in (string[])["169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])
        {
            Assert.Contains($"-A {forward} -d {range} -j REJECT --reject-with icmp-port-unreachable", lines);
        }

        // Allowed before the rejects: the configured range and the registry mirror.
        var forwardRules = lines.Where(l => l.StartsWith($"-A {forward} ", StringComparison.Ordinal)).ToList();
        var firstReject = forwardRules.FindIndex(l => l.Contains("-d 10.0.0.0/8", StringComparison.Ordinal));
        Assert.InRange(forwardRules.IndexOf($"-A {forward} -d 10.99.0.0/16 -j RETURN"), 0, firstReject);
        Assert.InRange(forwardRules.IndexOf($"-A {forward} -d 10.98.0.5/32 -p tcp -m tcp --dport 5000 -j RETURN"), 0, firstReject);
    }

    [Fact]
    public async Task Ensure_Again_ChangesNothing()
    {
        // Only this test's own lines: other engines on the machine may change theirs meanwhile.
        var before = (await ListAllAsync()).Where(Ours).ToList();

        var again = await servers.Guard.EnsureAsync(servers.Bridge, TestTimeout.Minute);

        Assert.False(again.Changed);
        Assert.Equal(before, (await ListAllAsync()).Where(Ours).ToList());
        Assert.Equal(2, before.Count(l => l.StartsWith("-N ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Ensure_AfterAJumpAndARuleWereRemovedBehindItsBack_PutsThemBack()
    {
        var before = (await ListAllAsync()).Where(Ours).ToList();
        var jump = before.First(l => l.StartsWith("-A INPUT ", StringComparison.Ordinal));
        var forward = ServerFirewallPlan.ForwardChain(IsolatedServersFixture.ChainPrefix, servers.Bridge);
        var rule = before.Last(l => l.StartsWith($"-A {forward} ", StringComparison.Ordinal));

        // What a firewall reload or a hand edit does: the quick check must notice, not only a missing chain.
        await IptablesAsync(["-D", .. jump.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]]);
        await IptablesAsync(["-D", .. rule.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]]);
        Assert.NotEqual(before, (await ListAllAsync()).Where(Ours).ToList());

        var repaired = await servers.Guard.EnsureAsync(servers.Bridge, TestTimeout.Minute);

        Assert.True(repaired.Changed);
        Assert.Equal(before, (await ListAllAsync()).Where(Ours).ToList());
    }

    [Fact]
    public async Task Ensure_RemovesChainsOfBridgesThatNoLongerExist()
    {
        const string gone = "br-000000dead00";
        var stale = ServerFirewallPlan.InputChain(IsolatedServersFixture.ChainPrefix, gone);
        await IptablesAsync("-N", stale);
        await IptablesAsync("-A", stale, "-j", "RETURN");
        await IptablesAsync("-I", "INPUT", "1", "-i", gone, "-j", stale);

        await servers.Guard.EnsureAsync(servers.Bridge, TestTimeout.Minute);

        var all = await ListAllAsync();
        Assert.DoesNotContain(all, line => line.Contains(stale, StringComparison.Ordinal));
        Assert.Contains(all, line => line.Contains(ServerFirewallPlan.InputChain(IsolatedServersFixture.ChainPrefix, servers.Bridge), StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegistryMirror_ReachesTheInnerEngineThroughItsReadOnlyDaemonJson()
    {
        using var client = servers.Authority.IssueClient("berth", TimeSpan.FromDays(1)).ToCertificate();
        using var pin = servers.Authority.Credential.ToPublicCertificate();
        using var inner = DockerClientFactory.CreateMutualTls(
            new Uri($"tcp://{servers.ServerA.Address}:{VirtualServerImage.EnginePort}"), client, pin, EngineCredentials.ServerName(911));

        var info = await inner.System.GetSystemInfoAsync(TestTimeout.Minute);

        Assert.Contains(info.RegistryConfig?.Mirrors ?? [], mirror => mirror.StartsWith("http://10.98.0.5:5000", StringComparison.Ordinal));
    }

    private bool Ours(string line) => line.Contains(servers.Bridge, StringComparison.Ordinal);

    private static async Task AcceptAllAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var accepted = await listener.AcceptTcpClientAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task<List<string>> ListAllAsync()
    {
        var lines = new List<string>();
        var result = await servers.Tools.RunAsync(HostTool.Iptables, ["-w", "10", "-S"], line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }, TestTimeout.Minute);
        Assert.Equal(0, result.ExitCode);
        return lines;
    }

    private async Task IptablesAsync(params string[] arguments)
    {
        var result = await servers.Tools.RunAsync(HostTool.Iptables, ["-w", "10", .. arguments], null, TestTimeout.Minute);
        Assert.True(result.ExitCode == 0, $"iptables {string.Join(' ', arguments)}: {result.ErrorTail}");
    }
}
