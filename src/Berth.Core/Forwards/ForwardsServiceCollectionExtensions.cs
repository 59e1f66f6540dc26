using Berth.Core.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core.Forwards;

public static class ForwardsServiceCollectionExtensions
{
    /// <summary>
    /// The port-forward use cases and the listener loop (a hosted service). Needs <c>AddBerthCore</c>
    /// and <c>AddBerthServers</c>; <paramref name="configure"/> sets what <c>berth serve</c>'s flags say.
    /// </summary>
    public static IServiceCollection AddBerthForwards(this IServiceCollection services, Action<ForwardsOptions>? configure = null)
    {
        var builder = services.AddOptions<ForwardsOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ForwardsOptions>, ForwardsOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ForwardsSignal>();
        services.TryAddSingleton<ForwardListeners>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServerLifecycleListener, ForwardsLifecycleListener>());
        services.AddScoped<ForwardsService>();
        services.TryAddSingleton<ForwardReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<ForwardReconciler>());
        return services;
    }
}

/// <summary>A server whose creation ended or that was deleted: its forwards follow now, not on the next periodic pass.</summary>
internal sealed class ForwardsLifecycleListener(ForwardsSignal signal) : IServerLifecycleListener
{
    public void Provisioned(long serverId, bool ready) => signal.Request();

    public void Deleted(long serverId) => signal.Request();
}
