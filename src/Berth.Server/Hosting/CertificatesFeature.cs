using Berth.Core.Certificates;

namespace Berth.Server.Hosting;

/// <summary>ACME certificates in <c>berth serve</c>: the CA from the edge settings, the key ring in the data root.</summary>
internal static class CertificatesFeature
{
    public static CertificatesOptions OptionsFrom(ServeSettings settings) => new()
    {
        Directory = settings.Edge.AcmeDirectory,
        LoopbackOnly = settings.Edge.AcmeDirectory is null && settings.Edge.AcmeOffOnLoopback,
        Email = settings.Edge.AcmeEmail,
        TrustRootFile = settings.Edge.AcmeTrustRoot,
        // Beside the database in _DATA, never under SERVERS/: no tenant can reach it.
        KeyRingDirectory = Path.Combine(settings.Common.DataRoot, "_DATA", "data-protection-keys"),
        Interval = settings.Edge.CertificatesInterval,
        InitialBackoff = settings.Edge.CertificateBackoff,
        Acme = settings.Edge.AcmeClient ?? new Berth.Acme.AcmeClientOptions(),
    };
}
