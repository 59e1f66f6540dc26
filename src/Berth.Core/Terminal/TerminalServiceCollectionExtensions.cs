using Berth.Core.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core.Terminal;

public static class TerminalServiceCollectionExtensions
{
    /// <summary>
    /// The web terminal's sessions and tickets (options validated at start). Needs
    /// <c>AddBerthServers</c> and <c>AddBerthMonitoring</c>; the host registers a
    /// <see cref="TerminalAccessCheck"/> to end terminals whose user lost access.
    /// </summary>
    public static IServiceCollection AddBerthTerminal(this IServiceCollection services)
    {
        services.AddOptions<TerminalOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TerminalOptions>, TerminalOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConnectionTickets>();
        services.TryAddSingleton<TerminalSessions>();
        services.AddHostedService(sp => sp.GetRequiredService<TerminalSessions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServerLifecycleListener, TerminalSessions>(sp => sp.GetRequiredService<TerminalSessions>()));
        return services;
    }
}
