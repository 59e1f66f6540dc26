using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core.Stacks;

public static class StacksServiceCollectionExtensions
{
    /// <summary>Compose stacks inside servers; needs <c>AddBerthServers</c>. Settings from <see cref="StacksOptions.Section"/>.</summary>
    public static IServiceCollection AddBerthStacks(this IServiceCollection services)
    {
        services.AddOptions<StacksOptions>().BindConfiguration(StacksOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StacksOptions>, StacksOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StackOperations>();
        services.AddHostedService(sp => sp.GetRequiredService<StackOperations>());
        services.AddScoped<StacksService>();
        return services;
    }
}
