using System.Globalization;
using Berth.Core.Monitoring;
using Berth.Core.Servers.Image;
using Berth.Docker;
using Berth.Docker.Tls;
using Microsoft.EntityFrameworkCore;

namespace Berth.Monitoring.Tests;

/// <summary>
/// A Docker-in-Docker virtual server (the real image, `caps` profile, inner engine on TCP 2376 with
/// mutual TLS), registered with the monitor the way the server lifecycle does it.
/// </summary>
public sealed class VirtualServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    public DockerEngine Host { get; } = TestDocker.Connect(ResourceLabels.NewSessionId());

    public TempDirectory Servers { get; } = new("berth-monitor-servers");

    public TlsAuthority Authority { get; } = TlsAuthority.Create("Berth monitor test CA", Year, TimeProvider.System);

    public long ServerId { get; } = Random.Shared.NextInt64(100_000, 900_000);

    public string ServerName => $"server{ServerId.ToString(CultureInfo.InvariantCulture)}";

    public string ContainerId { get; private set; } = "";

    public string Busybox { get; private set; } = "";

    public Uri Endpoint { get; private set; } = null!;

    public InnerEngineCredentials Credentials { get; private set; } = null!;

    public MonitorHost Monitor { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var image = await VirtualServerImageForTests.EnsureAsync(Host);
        Busybox = await BusyboxImage.EnsureAsync(Host.Images, TestTimeout.Minute);
        var folder = Path.Combine(Servers.Path, ServerId.ToString(CultureInfo.InvariantCulture));
        var tls = Directory.CreateDirectory(Path.Combine(folder, "tls")).FullName;
        var docker = Directory.CreateDirectory(Path.Combine(folder, "docker")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "apps"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "apps", "data.bin"), new byte[300_000]);
        var server = Authority.IssueServer(ServerName, Year);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsAuthorityFile), Authority.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsCertificateFile), server.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsKeyFile), server.PrivateKeyPem);
        Credentials = new InnerEngineCredentials(Authority.IssueClient("berth", Year), Authority.CertificatePem, ServerName);

        var network = await Host.Networks.EnsureIsolatedBridgeAsync($"berth-test-{Host.Labels.SessionId}", TestTimeout.Minute);
        ContainerId = await Host.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = image.Reference,
                Name = $"hosting-users-dind-{ServerId.ToString(CultureInfo.InvariantCulture)}",
                Hostname = ServerName,
                CapAdd = ["ALL"],
                CapDrop = ["SYS_RESOURCE"],
                SecurityOptions = ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"],
                Mounts = [new BindMount(tls, VirtualServerImage.TlsDirectory, ReadOnly: true), new BindMount(docker, "/var/lib/docker")],
                Limits = new ResourceLimits(MemoryBytes: 512L * 1024 * 1024, Pids: 2048),
                Network = network,
            },
            TestTimeout.Minute);
        Monitor = await MonitorHost.StartAsync(o => o.ServersRoot = Servers.Path);
        await StartServerAsync();
        using var inner = Inner();
        await Host.Images.CopyToAsync(Busybox, inner.Images, TestTimeout.After(TimeSpan.FromMinutes(2)));
    }

    /// <summary>Starts the server container and registers its engine, as the lifecycle does after a start.</summary>
    public async Task StartServerAsync()
    {
        await Host.Containers.StartAsync(ContainerId, TestTimeout.Minute);
        Endpoint = await EndpointAsync();
        using var inner = Inner();
        await inner.WaitUntilAnswersAsync(TimeSpan.FromSeconds(60), TestTimeout.Minute);
        Monitor.Registry.Register(ServerId, Endpoint, Credentials);
    }

    public async Task<Uri> EndpointAsync()
    {
        var inspect = await Host.Containers.InspectAsync(ContainerId, TestTimeout.Minute);
        var address = inspect!.NetworkSettings!.Networks.Single().Value.IPAddress;
        return new Uri($"tcp://{address}:{VirtualServerImage.EnginePort}");
    }

    /// <summary>A client of the inner engine, labelling what it creates with the fixture's session.</summary>
    public DockerEngine Inner()
    {
        var client = DockerClientFactory.CreateMutualTls(Endpoint, Credentials.Client.ToCertificate(), Authority.Credential.ToPublicCertificate(), ServerName);
        return new DockerEngine(client, new ResourceLabels(TestDocker.LabelPrefix, Host.Labels.SessionId));
    }

    public async Task DisposeAsync()
    {
        await Monitor.DisposeAsync();
        await Host.ReapSessionAsync(TestTimeout.Minute);
        Host.Dispose();
        Authority.Dispose();
        try
        {
            // The inner engine's storage is overlay data full of links: remove it without following them.
            Berth.Core.Servers.ServerDirectories.DeleteWithoutFollowingLinks(Servers.Path);
        }
        catch (IOException)
        {
            // Left to the temp cleaner.
        }

        Servers.Dispose();
    }
}

/// <summary>Containers inside a virtual server get rows with ParentServerID = the server's id, and survive engine faults.</summary>
public sealed class InnerEngineMonitoringTests(VirtualServerFixture server) : IClassFixture<VirtualServerFixture>
{
    [Fact]
    public async Task InnerContainerStartedAndStopped_RowsUnderTheServer()
    {
        using var inner = server.Inner();
        var id = await inner.Containers.CreateAsync(new ContainerSpec { Image = server.Busybox, Command = ["sleep", "300"] }, TestTimeout.Minute);
        await inner.Containers.StartAsync(id, TestTimeout.Minute);
        await server.Monitor.StateEventuallyAsync(server.ServerId, id, "running");
        await inner.Containers.StopAsync(id, TimeSpan.Zero, TestTimeout.Minute);
        await server.Monitor.StateEventuallyAsync(server.ServerId, id, "exited");
        await inner.Containers.RemoveAsync(id, TestTimeout.Minute);

        Assert.Null(await server.Monitor.StateEventuallyAsync(server.ServerId, id, null));
        await using var db = server.Monitor.Context();
        Assert.False(await db.DockerContainers.AnyAsync(c => c.ParentServerId == 0 && c.DockerId == id.Substring(0, 12)));
    }

    [Fact]
    public async Task ServerStoppedAndStartedAgain_StreamCut_RowsConvergeAfterReconnect()
    {
        string id;
        using (var inner = server.Inner())
        {
            id = await inner.Containers.CreateAsync(new ContainerSpec { Image = server.Busybox, Command = ["sleep", "300"] }, TestTimeout.Minute);
            await inner.Containers.StartAsync(id, TestTimeout.Minute);
        }

        await server.Monitor.StateEventuallyAsync(server.ServerId, id, "running");

        // Stopping the server cuts the event stream; its inner engine comes back with the container stopped.
        // (A graceful stop: after a kill the image's entrypoint does not yet clear dockerd's stale pid file.)
        await server.Host.Containers.StopAsync(server.ContainerId, TimeSpan.FromSeconds(30), TestTimeout.Minute);
        await server.StartServerAsync();
        await server.Monitor.StateEventuallyAsync(server.ServerId, id, "exited", TimeSpan.FromSeconds(30));
        using (var inner = server.Inner())
        {
            await inner.Containers.StartAsync(id, TestTimeout.Minute);
        }

        Assert.Equal("running", await server.Monitor.StateEventuallyAsync(server.ServerId, id, "running"));
    }

    [Fact]
    public async Task UsageSampled_PointsWithMemoryDiskAndThenCpu()
    {
        var monitor = server.Monitor.UsageMonitor;

        var first = await monitor.SampleAllAsync(TestTimeout.Minute);
        var second = await monitor.SampleAllAsync(TestTimeout.Minute);

        Assert.Equal((1, 1), (first, second));
        var points = await server.Monitor.Usage.GetAsync(server.ServerId, null, TestTimeout.Minute);
        Assert.True(points.Count >= 2);
        Assert.All(points, p => Assert.InRange(p.MemoryBytes, 1_000_000, 512L * 1024 * 1024));
        Assert.All(points, p => Assert.Equal(512L * 1024 * 1024, p.MemoryLimitBytes));
        Assert.All(points, p => Assert.True(p.DiskBytes >= 300_000, $"disk {p.DiskBytes}"));
        Assert.NotNull(points[^1].CpuPercent);
        Assert.InRange(points[^1].CpuPercent!.Value, 0, 200);
    }

    [Fact]
    public async Task ServerUnregistered_ItsRowsAreRemoved_AndRegisteringAgainBringsThemBack()
    {
        string id;
        using (var inner = server.Inner())
        {
            id = await inner.Containers.CreateAsync(new ContainerSpec { Image = server.Busybox, Command = ["sleep", "300"] }, TestTimeout.Minute);
        }

        await server.Monitor.StateEventuallyAsync(server.ServerId, id, "created");
        server.Monitor.Registry.Unregister(server.ServerId);
        await server.Monitor.EventuallyAsync(db => db.DockerContainers.CountAsync(c => c.ParentServerId == server.ServerId), n => n == 0, "the server's rows to be removed");
        server.Monitor.Registry.Register(server.ServerId, await server.EndpointAsync(), server.Credentials);

        Assert.Equal("created", await server.Monitor.StateEventuallyAsync(server.ServerId, id, "created"));
    }
}
