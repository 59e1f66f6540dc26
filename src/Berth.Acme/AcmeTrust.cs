using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Acme;

/// <summary>
/// TLS trust for the connection to the ACME server: the system's roots plus, optionally, one extra
/// root, for a private or test CA whose own HTTPS listener is signed by a root the system does not know.
/// </summary>
public static class AcmeTrust
{
    /// <summary>
    /// A handler for the <see cref="HttpClient"/> given to <see cref="AcmeClient"/> that accepts
    /// server certificates chaining to the system's roots or to <paramref name="extraRoot"/>. Host
    /// name checks stay on. The caller owns <paramref name="extraRoot"/> for the handler's lifetime.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2? extraRoot)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (extraRoot is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                IsTrusted(certificate, chain, errors, extraRoot);
        }

        return handler;
    }

    /// <summary>Loads a PEM file holding one root certificate, for <see cref="CreateHandler"/>.</summary>
    public static X509Certificate2 LoadRoot(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));

    private static bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2 extraRoot)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(extraRoot);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
