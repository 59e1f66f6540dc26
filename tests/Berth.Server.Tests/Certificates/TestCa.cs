using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Berth.Acme;
using Berth.Server.Hosting;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// One of the Pebbles scripts/services/pebble.sh started for the edge: each validates HTTP-01 on
/// 127.0.0.1:BERTH_TEST_EDGE_ACME_HTTP_PORT, where the test's Berth runs its edge, and resolves every
/// name to 127.0.0.1 through pebble-challtestsrv.
/// </summary>
public sealed record TestCa(Uri Directory, Uri Management)
{
    /// <summary>Certificates valid for years.</summary>
    public static TestCa Standard => From("BERTH_TEST_EDGE_ACME_DIRECTORY", "BERTH_TEST_EDGE_ACME_MANAGEMENT", "Pebble for the edge");

    /// <summary>Rejects half of the nonces (PEBBLE_WFE_NONCEREJECT=50).</summary>
    public static TestCa NonceRejecting => From("BERTH_TEST_EDGE_ACME_NONCE_REJECT_DIRECTORY", "BERTH_TEST_EDGE_ACME_NONCE_REJECT_MANAGEMENT", "Pebble rejecting nonces for the edge");

    /// <summary>Issues certificates valid for 40 seconds: renewal falls due after about 27.</summary>
    public static TestCa ShortLived => From("BERTH_TEST_EDGE_ACME_SHORT_DIRECTORY", "BERTH_TEST_EDGE_ACME_SHORT_MANAGEMENT", "Pebble issuing short-lived certificates");

    /// <summary>The port Pebble validates HTTP-01 on: the edge's HTTP listener must be there.</summary>
    public static int HttpPort => int.Parse(RequiredService.Get("BERTH_TEST_EDGE_ACME_HTTP_PORT", "Pebble's HTTP-01 port for the edge"), CultureInfo.InvariantCulture);

    /// <summary>The CA of Pebble's own HTTPS listener.</summary>
    public static string ListenerRootFile => RequiredService.Get("BERTH_TEST_ACME_TRUST_ROOT", "Pebble's listener CA");

    private static Uri DnsManagement => new(RequiredService.Get("BERTH_TEST_ACME_DNS_MANAGEMENT", "pebble-challtestsrv's management API"));

    /// <summary>Berth's settings for this CA: edge HTTP on Pebble's validation port, quick retries.</summary>
    public ServeSettings Configure(ServeSettings settings) => settings with
    {
        Edge = settings.Edge with
        {
            HttpUrls = [$"http://127.0.0.1:{HttpPort}"],
            AcmeDirectory = Directory,
            AcmeTrustRoot = ListenerRootFile,
            AcmeEmail = "ops@example.com",
            CertificateBackoff = TimeSpan.FromSeconds(1),
            CertificatesInterval = TimeSpan.FromSeconds(5),
            AcmeClient = new AcmeClientOptions { PollInterval = TimeSpan.FromMilliseconds(200), PollTimeout = TimeSpan.FromSeconds(30) },
        },
    };

    /// <summary>The root this Pebble issues under (a new one on every Pebble start).</summary>
    public async Task<X509Certificate2> GetIssuingRootAsync()
    {
        using var root = AcmeTrust.LoadRoot(ListenerRootFile);
        using var http = new HttpClient(AcmeTrust.CreateHandler(root));
        return X509Certificate2.CreateFromPem(await http.GetStringAsync(new Uri(Management, "/roots/0")));
    }

    /// <summary>Makes Pebble's DNS answer <paramref name="address"/> for <paramref name="name"/> (e.g. where nothing listens).</summary>
    public static async Task PointNameAtAsync(string name, string address)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(DnsManagement, "/add-a"), new { host = name + ".", addresses = new[] { address } });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Back to the default answer, 127.0.0.1.</summary>
    public static async Task ResetNameAsync(string name)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(DnsManagement, "/clear-a"), new { host = name + "." });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Opens a TLS connection to the edge's HTTPS listener with <paramref name="name"/> as SNI and returns
    /// the certificate it presented, or null when the edge has none for the name (its fallback certificate, or a refused handshake).
    /// </summary>
    public static async Task<X509Certificate2?> HandshakeAsync(Uri edgeHttps, string name)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, edgeHttps.Port));
        // Any certificate is accepted here on purpose: the test inspects what was presented.
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), false, AcceptAny);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = name }, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return null;
        }

        // The edge's fallback certificate (self-signed, CN=berth-fallback) answers every name it has none for:
        // for these tests that is "no certificate for this name", as a refused handshake was before it.
        return tls.RemoteCertificate is { } presented && presented.Subject != "CN=berth-fallback" ? new X509Certificate2(presented) : null;
    }

    private static bool AcceptAny(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => certificate is not null;

    /// <summary>
    /// An HTTP client that reaches every name at the edge's HTTPS listener (as DNS pointing at the
    /// platform would) and trusts only <paramref name="root"/>, with the full chain check.
    /// </summary>
    public static HttpClient HttpsClient(X509Certificate2 root, Uri edgeHttps)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, edgeHttps.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, presented, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            // Only what the edge sent plus the test root: a missing intermediate fails here.
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            if (presented is not null)
            {
                foreach (var element in presented.ChainPolicy.ExtraStore)
                {
                    chain.ChainPolicy.ExtraStore.Add(element);
                }
            }

            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static TestCa From(string directory, string management, string what) =>
        new(new Uri(RequiredService.Get(directory, what)), new Uri(RequiredService.Get(management, what + " (management)")));
}
