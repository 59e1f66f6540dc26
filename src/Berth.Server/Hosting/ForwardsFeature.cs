using Berth.Core.Forwards;

namespace Berth.Server.Hosting;

/// <summary>
/// TCP port forwards inside <c>berth serve</c>: the pool (<c>--forward-ports</c>) and the shown host
/// (<c>--forward-host</c>, else <c>--control-host</c>, else localhost) come from the flags; limits and
/// buffers can be tuned in the <c>Berth:Forwards</c> configuration section. Validated at start.
/// </summary>
internal static class ForwardsFeature
{
    public static IServiceCollection AddBerthForwards(this IServiceCollection services, ServeSettings settings)
    {
        services.AddOptions<ForwardsOptions>().BindConfiguration(ForwardsOptions.Section);
        services.AddBerthForwards(options =>
        {
            options.FirstPort = settings.ForwardPorts.First;
            options.LastPort = settings.ForwardPorts.Last;
            options.PublicHost = settings.ForwardHost ?? settings.Edge.ControlHost ?? "localhost";
        });
        return services;
    }
}
