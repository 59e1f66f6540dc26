using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Berth.Core.Servers.Image;
using Berth.Docker;
using Berth.Docker.Tls;
using Docker.DotNet;

namespace Berth.Core.Servers;

/// <summary>
/// Berth's private CA for inner engines, kept in the data root outside every server: each server
/// gets a server certificate for <c>server&lt;id&gt;</c> (mounted read-only), and only Berth holds
/// the client certificate. Berth pins its CA and the expected name, so nothing a tenant controls
/// can make Berth talk to another engine.
/// </summary>
public sealed class EngineCredentials : IDisposable
{
    private static readonly TimeSpan AuthorityValidity = TimeSpan.FromDays(3650);
    private static readonly TimeSpan LeafValidity = TimeSpan.FromDays(825);

    private readonly ServersOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<(TlsAuthority Authority, X509Certificate2 Client, X509Certificate2 Pin, PemCredential ClientPem)> _material;

    public EngineCredentials(ServersOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _material = new Lazy<(TlsAuthority, X509Certificate2, X509Certificate2, PemCredential)>(LoadOrCreate, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static string ServerName(long serverId) => "server" + serverId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Folder mounted read-only at <see cref="VirtualServerImage.TlsDirectory"/> in the server.</summary>
    public string ServerFolder(long serverId) =>
        Path.Combine(_options.EngineTlsRoot, "servers", serverId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes the server's certificate, key and the CA (once; kept across restarts and re-creation).</summary>
    public string EnsureServerMaterial(long serverId)
    {
        var folder = ServerFolder(serverId);
        var certificate = Path.Combine(folder, VirtualServerImage.TlsCertificateFile);
        if (File.Exists(certificate))
        {
            return folder;
        }

        Directory.CreateDirectory(folder);
        var authority = _material.Value.Authority;
        var issued = authority.IssueServer(ServerName(serverId), LeafValidity);
        File.WriteAllText(Path.Combine(folder, VirtualServerImage.TlsAuthorityFile), authority.CertificatePem);
        PrivateFile.Write(Path.Combine(folder, VirtualServerImage.TlsKeyFile), issued.PrivateKeyPem);
        File.WriteAllText(certificate, issued.CertificatePem);
        return folder;
    }

    /// <summary>A client for the server's inner engine at <paramref name="address"/>, pinned to Berth's CA and <c>server&lt;id&gt;</c>.</summary>
    public IDockerClient ConnectInner(long serverId, string address)
    {
        var (_, client, pin, _) = _material.Value;
        return DockerClientFactory.CreateMutualTls(InnerEndpoint(address), client, pin, ServerName(serverId));
    }

    /// <summary>The mutual-TLS listener of the inner engine in a container at <paramref name="address"/>: <c>tcp://address:2376</c>.</summary>
    public static Uri InnerEndpoint(string address)
    {
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
        return new Uri($"tcp://{host}:{VirtualServerImage.EnginePort}");
    }

    /// <summary>Berth's client certificate and key and the pinned authority's certificate, as PEM, for clients made elsewhere.</summary>
    public (PemCredential Client, string AuthorityPem) ClientMaterial()
    {
        var (authority, _, _, client) = _material.Value;
        return (client, authority.CertificatePem);
    }

    public void Dispose()
    {
        if (_material.IsValueCreated)
        {
            _material.Value.Authority.Dispose();
            _material.Value.Client.Dispose();
            _material.Value.Pin.Dispose();
        }
    }

    private (TlsAuthority, X509Certificate2, X509Certificate2, PemCredential) LoadOrCreate()
    {
        var root = _options.EngineTlsRoot;
        Directory.CreateDirectory(root);
        var caCert = Path.Combine(root, "ca.pem");
        var caKey = Path.Combine(root, "ca-key.pem");
        var clientCert = Path.Combine(root, "client.pem");
        var clientKey = Path.Combine(root, "client-key.pem");

        TlsAuthority authority;
        if (File.Exists(caCert) && File.Exists(caKey))
        {
            authority = TlsAuthority.Load(new PemCredential(File.ReadAllText(caCert), File.ReadAllText(caKey)), _time);
        }
        else
        {
            authority = TlsAuthority.Create("Berth engine CA", AuthorityValidity, _time);
            PrivateFile.Write(caKey, authority.Credential.PrivateKeyPem);
            File.WriteAllText(caCert, authority.CertificatePem);
        }

        if (!File.Exists(clientCert) || !File.Exists(clientKey))
        {
            var issued = authority.IssueClient("berth", LeafValidity);
            PrivateFile.Write(clientKey, issued.PrivateKeyPem);
            File.WriteAllText(clientCert, issued.CertificatePem);
        }

        var clientPem = new PemCredential(File.ReadAllText(clientCert), File.ReadAllText(clientKey));
        return (authority, clientPem.ToCertificate(), authority.Credential.ToPublicCertificate(), clientPem);
    }
}
