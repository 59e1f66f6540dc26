using Berth.Core.Accounts;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Core.Ssh;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Registers the data layer on <paramref name="provider"/> and the application services.</summary>
    public static IServiceCollection AddBerthCore(this IServiceCollection services, DatabaseProvider provider)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider);
        services.AddSingleton(provider.CreateWriteGate());
        services.AddDbContextFactory<BerthDbContext>(provider.Configure);
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<ActivityLog>();
        services.AddSingleton<PasswordVerifier>();
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<LoginThrottleOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoginThrottleOptions>, LoginThrottleOptionsValidation>());
        services.AddScoped<AccountsService>();
        services.AddScoped<SessionService>();
        services.AddScoped<Accounts.Tokens.ApiTokensService>();
        services.AddScoped<LoginService>();
        services.AddScoped<RegistrationCodesService>();
        services.AddScoped<UsersService>();
        services.AddScoped<SshKeysService>();
        services.TryAddSingleton<EdgeRoutesSignal>();
        return services;
    }
}
