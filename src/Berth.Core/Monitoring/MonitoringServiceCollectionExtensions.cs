using Berth.Core.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core.Monitoring;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>
    /// Registers the container monitor, the usage sampler, the change feed and the engine sources
    /// (the host engine from <see cref="MonitorOptions.HostEndpoint"/>, and the
    /// <see cref="InnerEngineRegistry"/> that the server lifecycle fills). Needs <c>AddBerthCore</c>;
    /// with <c>AddBerthServers</c> the lifecycle's <see cref="IInnerEngineListener"/> news fills the registry.
    /// </summary>
    public static IServiceCollection AddBerthMonitoring(this IServiceCollection services, Action<MonitorOptions>? configure = null)
    {
        var builder = services.AddOptions<MonitorOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MonitorOptions>, MonitorOptionsValidation>());
        services.TryAddSingleton<ContainerRowStore>();
        services.TryAddSingleton<ServerUsageStore>();
        services.TryAddSingleton<ContainerChangeFeed>();
        services.TryAddSingleton<IContainerChangeFeed>(sp => sp.GetRequiredService<ContainerChangeFeed>());
        services.TryAddSingleton<InnerEngineRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMonitoredEngines, HostEngineSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMonitoredEngines, InnerEngineRegistry>(sp => sp.GetRequiredService<InnerEngineRegistry>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IInnerEngineListener, InnerEngineReporter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServerLifecycleListener, ServerLifecycleReporter>());
        services.AddHostedService<ContainerMonitor>();
        services.AddHostedService<ServerUsageMonitor>();
        return services;
    }
}
