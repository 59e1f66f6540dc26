using Berth.Core.Hosting;
using Berth.Core.Servers.Network;
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
        services.AddSingleton<RuntimeProfileHolder>();
        services.AddSingleton<EngineCredentials>();
        services.AddSingleton<Ssh.SshEntryKeys>();
        services.AddSingleton(sp => new DockerEngine(
            DockerClientFactory.Create(options.DockerHost),
            new ResourceLabels(options.LabelPrefix, options.InstallationId),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<HostTools>();
        services.AddSingleton<ServerNetworkGuard>();
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
        catch (Exception e) when (DockerEngine.IsEngineFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Servers")
                .LogWarning("The Docker engine at {Endpoint} does not answer ({Reason}); virtual servers wait for it", options.DockerHost, e.Message);
        }

        holder.Profile = RuntimeProfile.Resolve(options.RuntimeProfile, runtimes, RuntimeProfile.ProcessHasSysResource);
        return holder.Profile;
    }

    /// <summary>
    /// At start, the host rules for the servers' network when it exists, before anything else:
    /// containers with a restart policy may already be running again after a reboot. The network
    /// itself is made by the first creation (which ensures both again), as is everything when the
    /// engine does not answer yet.
    /// </summary>
    public static async Task EnsureServersNetworkAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<ServersOptions>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            await services.GetRequiredService<ServerContainers>().ProtectExistingNetworkAsync(timeout.Token);
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e) || e is InvalidOperationException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A firewall that cannot be installed (not root, no iptables) fails each server
            // creation with this reason; the panel still serves.
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Servers")
                .LogWarning("The servers' network on {Endpoint} is not ready yet ({Reason})", options.DockerHost, e.Message);
        }
    }
}
