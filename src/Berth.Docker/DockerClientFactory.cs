using System.Security.Cryptography.X509Certificates;
using Berth.Docker.Tls;
using Docker.DotNet;
using Docker.DotNet.X509;

namespace Berth.Docker;

/// <summary>Builds Engine API clients: local (unix socket) and remote with mutual TLS.</summary>
public static class DockerClientFactory
{
    /// <summary>
    /// A client for an engine reached without TLS: a unix socket (<c>unix:///var/run/docker.sock</c>)
    /// or a plain <c>tcp://</c> address that only the local machine can reach.
    /// </summary>
    public static IDockerClient Create(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme is not ("unix" or "tcp" or "http"))
        {
            throw new ArgumentException($"Unsupported Docker endpoint '{endpoint}': use unix:// or tcp://.", nameof(endpoint));
        }

        return new DockerClientBuilder().WithEndpoint(endpoint).Build();
    }

    /// <summary>
    /// A client for an engine listening with <c>--tlsverify</c>: presents
    /// <paramref name="clientCertificate"/> and accepts only a server certificate issued by
    /// <paramref name="authority"/> for <paramref name="expectedServerName"/>, whatever address the
    /// endpoint names (the public certificate store is never consulted).
    /// </summary>
    public static IDockerClient CreateMutualTls(Uri endpoint, X509Certificate2 clientCertificate, X509Certificate2 authority, string expectedServerName)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(clientCertificate);
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentException.ThrowIfNullOrEmpty(expectedServerName);
        if (endpoint.Scheme is not ("tcp" or "https"))
        {
            throw new ArgumentException($"Unsupported TLS Docker endpoint '{endpoint}': use tcp://host:port.", nameof(endpoint));
        }

        if (!clientCertificate.HasPrivateKey)
        {
            throw new ArgumentException("The client certificate has no private key.", nameof(clientCertificate));
        }

        var credentials = new CertificateCredentials(clientCertificate)
        {
            ServerCertificateValidationCallback = EngineCertificateValidation.CreateCallback(authority, expectedServerName, TimeProvider.System),
        };
        return new DockerClientBuilder().WithEndpoint(endpoint).WithAuthProvider(credentials).Build();
    }
}
