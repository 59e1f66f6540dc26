using Berth.Core.Hosting;

namespace Berth.Core.Certificates;

/// <summary>Wakes the certificate loop now (a domain changed) rather than at its next timed pass.</summary>
public sealed class CertificatesSignal : WakeSignal;
