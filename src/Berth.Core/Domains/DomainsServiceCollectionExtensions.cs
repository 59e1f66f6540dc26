using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Core.Domains;

public static class DomainsServiceCollectionExtensions
{
    /// <summary>The domain use cases and the check of owners' proofs of control. The certificate state and the change notifier keep any implementation registered before.</summary>
    public static IServiceCollection AddBerthDomains(this IServiceCollection services, DomainsOptions? options = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options ?? new DomainsOptions());
        services.TryAddSingleton<IDomainCertificates, NoDomainCertificates>();
        services.TryAddSingleton<EdgeRoutesSignal>();
        services.TryAddSingleton<IDomainChangeNotifier, EdgeRoutesNotifier>();
        services.TryAddSingleton<Verification.IDnsTxtLookup, Verification.DnsTxtLookup>();
        services.TryAddSingleton<Verification.VerificationTokens>();
        services.TryAddSingleton<Verification.DomainVerificationSignal>();
        services.TryAddSingleton<Verification.DomainVerifier>();
        services.AddHostedService<Verification.DomainVerificationLoop>();
        services.AddScoped<DomainsService>();
        return services;
    }
}
