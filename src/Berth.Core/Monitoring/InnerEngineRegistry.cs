using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Docker.Tls;
using Microsoft.Extensions.Primitives;

namespace Berth.Core.Monitoring;

/// <summary>
/// What Berth needs to reach a virtual server's inner engine over mutual TLS: the client
/// certificate only Berth holds, the authority that issued the server's certificate, and the name
/// that certificate must carry (e.g. <c>server12</c>).
/// </summary>
public sealed record InnerEngineCredentials(PemCredential Client, string AuthorityPem, string ServerName)
{
    /// <summary>Hides the key from logs.</summary>
    public override string ToString() => $"InnerEngineCredentials({ServerName})";

    internal string Fingerprint() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Client.CertificatePem + "\n" + AuthorityPem + "\n" + ServerName)))[..16];
}

/// <summary>
/// The inner engines of running virtual servers, as the server lifecycle reports them: it calls
/// <see cref="Register"/> once a server's engine answers and <see cref="Unregister"/> when the server
/// stops or is deleted. Registering again (new address after a restart, new certificate) replaces
/// the entry, and the monitor reconnects.
/// </summary>
public sealed class InnerEngineRegistry : IMonitoredEngines, IDisposable
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<long, MonitoredEngine> _engines = ImmutableDictionary<long, MonitoredEngine>.Empty;
    private CancellationTokenSource _changed = new();

    /// <summary>Watch a virtual server's inner engine; replaces an earlier registration of the same server.</summary>
    /// <param name="serverId">The server (its rows get this <c>ParentServerID</c>).</param>
    /// <param name="endpoint">The engine's mutual-TLS listener, <c>tcp://address:2376</c>.</param>
    /// <param name="credentials">Berth's client certificate, the pinned authority and the expected server name.</param>
    /// <param name="hostContainer">Its container on the host engine; <c>hosting-users-dind-&lt;id&gt;</c> when omitted.</param>
    public void Register(long serverId, Uri endpoint, InnerEngineCredentials credentials, string? hostContainer = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(serverId, VirtualServer.HostId);
        var engine = new MonitoredEngine(
            serverId,
            $"{endpoint} {credentials.Fingerprint()}",
            () => Connect(endpoint, credentials),
            hostContainer ?? ServerOverviewQuery.ContainerPrefix + serverId.ToString(CultureInfo.InvariantCulture));
        // The lifecycle repeats itself (every reconciler pass): the same engine again changes nothing.
        Swap(engines => engines.TryGetValue(serverId, out var current) && current.Endpoint == engine.Endpoint && current.HostContainer == engine.HostContainer
            ? engines
            : engines.SetItem(serverId, engine));
    }

    /// <summary>Stop watching server <paramref name="serverId"/> (stopped or deleted); its container rows are removed.</summary>
    public void Unregister(long serverId) => Swap(engines => engines.Remove(serverId));

    public IReadOnlyCollection<MonitoredEngine> GetEngines() => _engines.Values.ToList();

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public void Dispose() => _changed.Dispose();

    private void Swap(Func<ImmutableDictionary<long, MonitoredEngine>, ImmutableDictionary<long, MonitoredEngine>> change)
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            var next = change(_engines);
            if (ReferenceEquals(next, _engines))
            {
                return;
            }

            _engines = next;
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        // Not disposed: a consumer may still be registering a callback on the old token.
        previous.Cancel();
    }

    private static global::Docker.DotNet.IDockerClient Connect(Uri endpoint, InnerEngineCredentials credentials)
    {
        // Both certificates live as long as the client: the handler presents one and validates against the other.
        var authority = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(credentials.AuthorityPem);
        var client = credentials.Client.ToCertificate();
        return DockerClientFactory.CreateMutualTls(endpoint, client, authority, credentials.ServerName);
    }
}
