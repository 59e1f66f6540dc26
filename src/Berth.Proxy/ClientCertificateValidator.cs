using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Proxy;

/// <summary>
/// Client certificates for routes with <see cref="EdgeRoute.RequireClientCertificate"/>: a chain is built
/// against the configured authorities only (never the machine's store), offline (no revocation or AIA
/// fetch), and must end in one of them. Anything else fails the TLS handshake.
/// </summary>
internal sealed class ClientCertificateValidator
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _authorities;
    private readonly HashSet<string> _authorityThumbprints;
    private readonly ILogger _logger;

    public ClientCertificateValidator(IOptions<EdgeOptions> options, ILogger<ClientCertificateValidator> logger)
    {
        _authorities = [.. options.Value.ClientCertificateAuthorities];
        _authorityThumbprints = _authorities.Select(a => a.GetCertHashString(HashAlgorithmName.SHA256)).ToHashSet(StringComparer.Ordinal);
        _logger = logger;
    }

    /// <summary>
    /// Whether a request came over a TLS connection whose handshake verified a client certificate for
    /// the requested name. Only a handshake for a route that requires one asks for a certificate, and
    /// only a verified one lets such a handshake finish; a connection made for another name is already
    /// refused (421) before this, and one made without a name (no SNI) was never asked.
    /// </summary>
    public static bool Presented(HttpContext context) =>
        context.Request.IsHttps
        && context.Connection.ClientCertificate is not null
        && context.Features.Get<ITlsHandshakeFeature>()?.HostName is { Length: > 0 };

    /// <summary>Asks for a client certificate in <paramref name="options"/> and checks it with <see cref="Validate"/>.</summary>
    public void Require(SslServerAuthenticationOptions options, string host)
    {
        options.ClientCertificateRequired = true;
        options.RemoteCertificateValidationCallback = (_, certificate, chain, _) => Validate(certificate, chain, host);
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of the authorities. The platform's own
    /// verdict (against the machine's roots) is ignored: those roots are not what this route trusts.
    /// </summary>
    public bool Validate(X509Certificate? certificate, X509Chain? presented, string host)
    {
        if (certificate is null)
        {
            Log.ClientCertificateInvalid(_logger, host, "none presented");
            return false;
        }

        if (_authorities.Count == 0)
        {
            Log.ClientCertificateInvalid(_logger, host, "no certificate authority is configured");
            return false;
        }

        // SslStream keeps the certificate it passes (it becomes the connection's client certificate): not disposed here.
        using var owned = certificate as X509Certificate2 is null ? new X509Certificate2(certificate) : null;
        var leaf = owned ?? (X509Certificate2)certificate;
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_authorities);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(ClientAuthentication);
        if (presented is not null)
        {
            // The intermediates the client sent, if any; they are only candidates, trust still ends at an authority.
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }

        try
        {
            if (!chain.Build(leaf))
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()));
                Log.ClientCertificateInvalid(_logger, host, $"'{leaf.Subject}': {status}");
                return false;
            }

            var root = chain.ChainElements[^1].Certificate;
            if (!_authorityThumbprints.Contains(root.GetCertHashString(HashAlgorithmName.SHA256)))
            {
                Log.ClientCertificateInvalid(_logger, host, $"'{leaf.Subject}' does not end in a configured authority");
                return false;
            }

            return true;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, leaf))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }
}
