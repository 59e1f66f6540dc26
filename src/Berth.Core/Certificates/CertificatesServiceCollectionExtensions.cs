using Berth.Acme;
using Berth.Core.Domains;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Core.Certificates;

public static class CertificatesServiceCollectionExtensions
{
    /// <summary>
    /// The certificate work: Data Protection with its key ring in <see cref="CertificatesOptions.KeyRingDirectory"/>,
    /// the ACME account, the issuance and renewal loop, the certificate state of the domains API, and a
    /// domain change notifier that wakes both the edge's routes and the certificate loop. The host
    /// registers an <see cref="ICertificateInstaller"/> and an <see cref="IHttp01ChallengeStore"/> that the edge answers from.
    /// </summary>
    public static IServiceCollection AddBerthCertificates(this IServiceCollection services, CertificatesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyRingDirectory);
        var keyRing = Directory.CreateDirectory(options.KeyRingDirectory);
        if (!OperatingSystem.IsWindows())
        {
            // Whoever can read the key ring can open every stored private key: owner only.
            File.SetUnixFileMode(keyRing.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        services.AddDataProtection().SetApplicationName("berth").PersistKeysToFileSystem(keyRing);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<PrivateKeyProtector>();
        services.AddSingleton<AcmeAccounts>();
        services.TryAddSingleton<CertificatesSignal>();
        services.TryAddSingleton<EdgeRoutesSignal>();
        services.Replace(ServiceDescriptor.Singleton<IDomainCertificates, DomainCertificates>());
        services.Replace(ServiceDescriptor.Singleton<IDomainChangeNotifier, EdgeAndCertificatesNotifier>());
        services.AddSingleton<CertificateReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateReconciler>());
        return services;
    }
}

/// <summary>A committed domain change rebuilds the edge's routes and wakes the certificate loop, both at once.</summary>
internal sealed class EdgeAndCertificatesNotifier(EdgeRoutesSignal routes, CertificatesSignal certificates) : IDomainChangeNotifier
{
    public void DomainChanged(DomainChange change)
    {
        routes.Request();
        certificates.Request();
    }
}
