using Berth.Core.Monitoring;

namespace Berth.Server.Hosting;

/// <summary>
/// The container monitor and usage sampler inside <c>berth serve</c>: the host engine is
/// <c>--docker-host</c>, disk use is measured under the data root's <c>SERVERS</c>, and the
/// servers lifecycle registers each running server's inner engine. Intervals can be tuned in the
/// <c>Berth:Monitor</c> configuration section; the live event streams in <c>Berth:Events</c>.
/// </summary>
internal static class MonitoringFeature
{
    public static IServiceCollection AddBerthMonitoring(this IServiceCollection services, ServeSettings settings)
    {
        services.AddBerthMonitoring(options =>
        {
            options.HostEndpoint = settings.DockerHost;
            options.ServersRoot = settings.Common.ServersRoot;
        });
        services.AddOptions<MonitorOptions>().BindConfiguration(MonitorOptions.Section);
        services.AddOptions<EventStreamOptions>().BindConfiguration(EventStreamOptions.Section)
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero, $"{EventStreamOptions.Section}:{nameof(EventStreamOptions.HeartbeatInterval)} must be positive.")
            .ValidateOnStart();
        return services;
    }
}

/// <summary>Settings of the server-sent-event streams (configuration section <c>Berth:Events</c>).</summary>
public sealed class EventStreamOptions
{
    public const string Section = "Berth:Events";

    /// <summary>A <c>heartbeat</c> event this often keeps proxies from closing a quiet stream and tells the client it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);
}
