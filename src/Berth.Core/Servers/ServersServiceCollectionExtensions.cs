using Berth.Docker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Servers;

public static class ServersServiceCollectionExtensions
{
    /// <summary>Virtual servers: the host engine, TLS for inner engines, the use cases and the reconciler.</summary>
    public static IServiceCollection AddBerthServers(this IServiceCollection services, ServersOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(new ServerDirectories(options.ServersRoot));
        services.AddSingleton<ServerLocks>();
        services.AddSingleton<ServerReconcileSignal>();
        services.AddSingleton<RuntimeProfileHolder>();
        services.AddSingleton<EngineCredentials>();
        services.AddSingleton(sp => new DockerEngine(
            DockerClientFactory.Create(options.DockerHost),
            new ResourceLabels(options.LabelPrefix, options.InstallationId),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ServerContainers>();
        services.AddScoped<ServersService>();
        services.AddSingleton<ServerReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<ServerReconciler>());
        return services;
    }

    /// <summary>
    /// Resolves the runtime profile against the host engine. An engine that does not answer is no
    /// reason to refuse to start: the panel still serves, and the reconciler retries.
    /// </summary>
    public static async Task<RuntimeProfile> ResolveRuntimeProfileAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<ServersOptions>();
        var holder = services.GetRequiredService<RuntimeProfileHolder>();
        IEnumerable<string> runtimes = [];
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var info = await services.GetRequiredService<DockerEngine>().Client.System.GetSystemInfoAsync(timeout.Token);
            runtimes = info.Runtimes?.Keys ?? (IEnumerable<string>)[];
        }
        catch (Exception e) when (ServersService.IsEngineFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Servers")
                .LogWarning("The Docker engine at {Endpoint} does not answer ({Reason}); virtual servers wait for it", options.DockerHost, e.Message);
        }

        holder.Profile = RuntimeProfile.Resolve(options.RuntimeProfile, runtimes, RuntimeProfile.ProcessHasSysResource);
        return holder.Profile;
    }
}
