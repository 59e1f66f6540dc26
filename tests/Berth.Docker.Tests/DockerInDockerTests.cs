using System.Net.Security;
using Berth.Core.Servers.Image;
using Berth.Docker.Tls;
using Xunit.Abstractions;

namespace Berth.Docker.Tests;

/// <summary>
/// One server container from the virtual-server image, run with the `caps` profile of
/// ENVIRONMENT.md and shared by the tests of <see cref="DockerInDockerTests"/>.
/// </summary>
public sealed class DockerInDockerFixture : IAsyncLifetime, IDisposable
{
    public const string ServerName = "server901";
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    private readonly TempDirectory _folder = new("berth-dind");

    public DockerEngine Host { get; } = TestDocker.Connect(ResourceLabels.NewSessionId());

    public TlsAuthority Authority { get; } = TlsAuthority.Create("Berth test CA", Year, TimeProvider.System);

    public PemCredential Client { get; } = null!;

    public string Address { get; private set; } = "";

    public string ContainerId { get; private set; } = "";

    public ImageBuildResult Image { get; private set; } = null!;

    /// <summary>From the start request to the inner engine answering a ping over mutual TLS.</summary>
    public TimeSpan StartToAnswer { get; private set; }

    public DockerInDockerFixture() => Client = Authority.IssueClient("berth", Year);

    public async Task InitializeAsync()
    {
        Image = await VirtualServerImageForTests.EnsureAsync(Host);

        var tls = Directory.CreateDirectory(_folder.Combine("tls")).FullName;
        var server = Authority.IssueServer(ServerName, Year);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsAuthorityFile), Authority.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsCertificateFile), server.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsKeyFile), server.PrivateKeyPem);
        var docker = Directory.CreateDirectory(_folder.Combine("docker")).FullName;

        var network = await Host.Networks.EnsureIsolatedBridgeAsync($"berth-test-{Host.Labels.SessionId}", TestTimeout.Minute);
        ContainerId = await Host.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = Image.Reference,
                Name = $"berth-test-dind-{Host.Labels.SessionId}",
                Hostname = ServerName,
                CapAdd = ["ALL"],
                CapDrop = ["SYS_RESOURCE"],
                SecurityOptions = ["seccomp=unconfined", "apparmor=unconfined", ContainerOperations.UnconfinedSystemPaths],
                Mounts = [new BindMount(tls, VirtualServerImage.TlsDirectory, ReadOnly: true), new BindMount(docker, "/var/lib/docker")],
                Limits = new ResourceLimits(MemoryBytes: 512L * 1024 * 1024, Pids: 2048),
                Network = network,
            },
            TestTimeout.Minute);
        var started = TimeProvider.System.GetTimestamp();
        await Host.Containers.StartAsync(ContainerId, TestTimeout.Minute);
        var inspect = await Host.Containers.InspectAsync(ContainerId, TestTimeout.Minute);
        Address = inspect!.NetworkSettings!.Networks.Single().Value.IPAddress;

        using var inner = InnerClient(ServerName);
        await DockerWait.UntilEngineAnswersAsync(inner, TimeSpan.FromSeconds(30), TimeProvider.System, TestTimeout.Minute);
        StartToAnswer = TimeProvider.System.GetElapsedTime(started);
    }

    /// <summary>A client for the inner engine that expects its certificate to name <paramref name="expectedName"/>.</summary>
    public global::Docker.DotNet.IDockerClient InnerClient(string expectedName) =>
        DockerClientFactory.CreateMutualTls(
            new Uri($"tcp://{Address}:{VirtualServerImage.EnginePort}"), Client.ToCertificate(), Authority.Credential.ToPublicCertificate(), expectedName);

    public async Task DisposeAsync()
    {
        await Host.ReapSessionAsync(TestTimeout.Minute);
        Dispose();
    }

    public void Dispose()
    {
        Host.Dispose();
        Authority.Dispose();
        _folder.Dispose();
    }
}

/// <summary>Berth reaching a server's inner engine directly, over mutual TLS on the server's address.</summary>
public sealed class DockerInDockerTests(DockerInDockerFixture server, ITestOutputHelper output) : IClassFixture<DockerInDockerFixture>
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    [Fact]
    public async Task InnerEngine_WithTheClientCertificate_AnswersAndRunsABusyboxContainerMovedInBySaveLoad()
    {
        output.WriteLine($"image {server.Image.Reference}: {server.Image.SizeBytes / 1_000_000} MB, built in this run: {server.Image.Built} ({server.Image.Duration.TotalSeconds:0.0} s)");
        output.WriteLine($"container start to inner engine answering over mutual TLS: {server.StartToAnswer.TotalSeconds:0.00} s");
        using var inner = new DockerEngine(server.InnerClient(DockerInDockerFixture.ServerName), new ResourceLabels(TestDocker.LabelPrefix, server.Host.Labels.SessionId));
        var busybox = await BusyboxImage.EnsureAsync(server.Host.Images, TestTimeout.Minute);

        await server.Host.Images.CopyToAsync(busybox, inner.Images, TestTimeout.Minute);
        var id = await inner.Containers.CreateAsync(new ContainerSpec { Image = busybox, Command = ["sleep", "60"] }, TestTimeout.Minute);
        await inner.Containers.StartAsync(id, TestTimeout.Minute);
        var result = await inner.Containers.ExecAsync(id, ["echo", "hello from inside"], TestTimeout.Minute);
        var info = await inner.Client.System.GetSystemInfoAsync(TestTimeout.Minute);

        Assert.Equal("hello from inside\n", result.StandardOutput);
        Assert.Equal(DockerInDockerFixture.ServerName, info.Name);
        Assert.Equal("overlay2", info.Driver);
        Assert.InRange(server.StartToAnswer, TimeSpan.Zero, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task InnerEngine_ClientWithoutCertificate_Refused()
    {
        using var pin = server.Authority.Credential.ToPublicCertificate();
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust the server properly so that the only thing missing is our certificate.
                RemoteCertificateValidationCallback = EngineCertificateValidation.CreateCallback(pin, DockerInDockerFixture.ServerName, TimeProvider.System),
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

        var error = await Record.ExceptionAsync(() => http.GetStringAsync(new Uri($"https://{server.Address}:{VirtualServerImage.EnginePort}/_ping")));

        Assert.IsType<HttpRequestException>(error);
    }

    [Fact]
    public async Task InnerEngine_PinnedToAnotherName_NotTrusted()
    {
        using var wrongName = server.InnerClient("server902");

        await Assert.ThrowsAnyAsync<Exception>(() => wrongName.System.PingAsync(TestTimeout.Minute));
    }

    [Fact]
    public async Task InnerEngine_ClientCertificateFromAnotherAuthority_Refused()
    {
        using var other = TlsAuthority.Create("Someone else's CA", Year, TimeProvider.System);
        using var certificate = other.IssueClient("berth", Year).ToCertificate();
        using var pin = server.Authority.Credential.ToPublicCertificate();
        using var client = DockerClientFactory.CreateMutualTls(new Uri($"tcp://{server.Address}:{VirtualServerImage.EnginePort}"), certificate, pin, DockerInDockerFixture.ServerName);

        await Assert.ThrowsAnyAsync<Exception>(() => client.System.PingAsync(TestTimeout.Minute));
    }

    [Fact]
    public async Task Server_CgroupsRemountedWritable_SoInnerContainersNestUnderTheServer()
    {
        var mounts = await server.Host.Containers.ExecAsync(server.ContainerId, ["cat", "/proc/self/mounts"], TestTimeout.Minute);

        var cgroupMounts = mounts.StandardOutput.Split('\n').Select(l => l.Split(' ')).Where(f => f.Length > 3 && f[2] is "cgroup" or "cgroup2").ToList();
        Assert.NotEmpty(cgroupMounts);
        Assert.All(cgroupMounts, f => Assert.StartsWith("rw", f[3], StringComparison.Ordinal));
    }
}
