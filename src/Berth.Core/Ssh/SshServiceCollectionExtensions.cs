using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core.Ssh;

public static class SshServiceCollectionExtensions
{
    /// <summary>
    /// The SSH entry's decisions (<see cref="SshEntryService"/>) and its validated options. Needs
    /// <c>AddBerthCore</c> and <c>AddBerthServers</c>; <paramref name="configure"/> sets what
    /// <c>berth serve</c>'s flags say. The gateway process is started by the host.
    /// </summary>
    public static IServiceCollection AddBerthSshEntry(this IServiceCollection services, Action<SshEntryOptions>? configure = null)
    {
        var builder = services.AddOptions<SshEntryOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SshEntryOptions>, SshEntryOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<SshEntryService>();
        return services;
    }
}
