using System.Net.Security;
using Berth.Core.Servers.Image;
using Berth.Docker.Tls;
using Xunit.Abstractions;

namespace Berth.Docker.Tests;

/// <summary>
/// A server container from the virtual-server image, run with the `caps` profile of
/// ENVIRONMENT.md, whose inner engine Berth reaches over mutual TLS on the container's address.
/// </summary>
public sealed class DockerInDockerTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const string ServerName = "server901";
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);

    private readonly DockerEngine _host = TestDocker.Connect(ResourceLabels.NewSessionId());
    private readonly TempDirectory _folder = new("berth-dind");
    private readonly TlsAuthority _authority = TlsAuthority.Create("Berth test CA", Year, TimeProvider.System);
    private string _address = "";
    private PemCredential _client = null!;

    public async Task InitializeAsync()
    {
        var image = await VirtualServerImageForTests.EnsureAsync(_host, new OutputProgress(output));
        output.WriteLine($"image {image.Reference}: {image.SizeBytes / 1_000_000} MB, built now: {image.Built}, {image.Duration.TotalSeconds:0.0} s");

        var tls = Directory.CreateDirectory(_folder.Combine("tls")).FullName;
        var server = _authority.IssueServer(ServerName, Year);
        _client = _authority.IssueClient("berth", Year);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsAuthorityFile), _authority.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsCertificateFile), server.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(tls, VirtualServerImage.TlsKeyFile), server.PrivateKeyPem);
        var docker = Directory.CreateDirectory(_folder.Combine("docker")).FullName;

        var network = await _host.Networks.EnsureIsolatedBridgeAsync($"berth-test-{_host.Labels.SessionId}", TestTimeout.Minute);
        var id = await _host.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = image.Reference,
                Name = $"berth-test-dind-{_host.Labels.SessionId}",
                Hostname = ServerName,
                CapAdd = ["ALL"],
                CapDrop = ["SYS_RESOURCE"],
                SecurityOptions = ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"],
                Mounts = [new BindMount(tls, VirtualServerImage.TlsDirectory, ReadOnly: true), new BindMount(docker, "/var/lib/docker")],
                Limits = new ResourceLimits(MemoryBytes: 512L * 1024 * 1024, Pids: 2048),
                Network = network,
            },
            TestTimeout.Minute);
        var started = TimeProvider.System.GetTimestamp();
        await _host.Containers.StartAsync(id, TestTimeout.Minute);
        var inspect = await _host.Containers.InspectAsync(id, TestTimeout.Minute);
        _address = inspect!.NetworkSettings!.Networks.Single().Value.IPAddress;

        using var inner = InnerClient(ServerName);
        await DockerWait.UntilEngineAnswersAsync(inner, TimeSpan.FromSeconds(30), TimeProvider.System, TestTimeout.Minute);
        output.WriteLine($"container start to inner engine answering over mutual TLS: {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.00} s");
    }

    public async Task DisposeAsync()
    {
        await _host.ReapSessionAsync(TestTimeout.Minute);
        Dispose();
    }

    public void Dispose()
    {
        _host.Dispose();
        _authority.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task InnerEngine_WithTheClientCertificate_AnswersAndRunsABusyboxContainerMovedInBySaveLoad()
    {
        using var inner = new DockerEngine(InnerClient(ServerName), new ResourceLabels(TestDocker.LabelPrefix, _host.Labels.SessionId));
        var busybox = await BusyboxImage.EnsureAsync(_host.Images, TestTimeout.Minute);

        await _host.Images.CopyToAsync(busybox, inner.Images, TestTimeout.Minute);
        var id = await inner.Containers.CreateAsync(new ContainerSpec { Image = busybox, Command = ["sleep", "60"] }, TestTimeout.Minute);
        await inner.Containers.StartAsync(id, TestTimeout.Minute);
        var result = await inner.Containers.ExecAsync(id, ["echo", "hello from inside"], TestTimeout.Minute);
        var info = await inner.Client.System.GetSystemInfoAsync(TestTimeout.Minute);

        Assert.Equal("hello from inside\n", result.StandardOutput);
        Assert.Equal(ServerName, info.Name);
        Assert.Equal("overlay2", info.Driver);
    }

    [Fact]
    public async Task InnerEngine_ClientWithoutCertificate_Refused()
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust the server properly so that the only thing missing is our certificate.
                RemoteCertificateValidationCallback = EngineCertificateValidation.CreateCallback(_authority.Credential.ToPublicCertificate(), ServerName, TimeProvider.System),
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

        var error = await Record.ExceptionAsync(() => http.GetStringAsync(new Uri($"https://{_address}:{VirtualServerImage.EnginePort}/_ping")));

        Assert.IsType<HttpRequestException>(error);
    }

    [Fact]
    public async Task InnerEngine_PinnedToAnotherName_NotTrusted()
    {
        using var wrongName = InnerClient("server902");

        await Assert.ThrowsAnyAsync<Exception>(() => wrongName.System.PingAsync(TestTimeout.Minute));
    }

    [Fact]
    public async Task InnerEngine_ClientCertificateFromAnotherAuthority_Refused()
    {
        using var other = TlsAuthority.Create("Someone else's CA", Year, TimeProvider.System);
        using var certificate = other.IssueClient("berth", Year).ToCertificate();
        using var pin = _authority.Credential.ToPublicCertificate();
        using var client = DockerClientFactory.CreateMutualTls(new Uri($"tcp://{_address}:{VirtualServerImage.EnginePort}"), certificate, pin, ServerName);

        await Assert.ThrowsAnyAsync<Exception>(() => client.System.PingAsync(TestTimeout.Minute));
    }

    [Fact]
    public async Task Server_CgroupsRemountedWritable_SoInnerContainersNestUnderTheServer()
    {
        var id = (await _host.Containers.ListByLabelAsync($"{_host.Labels.SessionKey}={_host.Labels.SessionId}", TestTimeout.Minute)).Single().ID;

        var mounts = await _host.Containers.ExecAsync(id, ["cat", "/proc/self/mounts"], TestTimeout.Minute);

        var cgroupMounts = mounts.StandardOutput.Split('\n').Select(l => l.Split(' ')).Where(f => f.Length > 3 && f[2] is "cgroup" or "cgroup2").ToList();
        Assert.NotEmpty(cgroupMounts);
        Assert.All(cgroupMounts, f => Assert.StartsWith("rw", f[3], StringComparison.Ordinal));
    }

    private global::Docker.DotNet.IDockerClient InnerClient(string expectedName)
    {
        return DockerClientFactory.CreateMutualTls(
            new Uri($"tcp://{_address}:{VirtualServerImage.EnginePort}"), _client.ToCertificate(), X509Pin(), expectedName);
    }

    private System.Security.Cryptography.X509Certificates.X509Certificate2 X509Pin() => _authority.Credential.ToPublicCertificate();

    private sealed class OutputProgress(ITestOutputHelper output) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine(value);
    }
}
