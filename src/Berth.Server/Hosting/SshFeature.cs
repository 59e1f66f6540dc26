using Berth.Core.Ssh;
using Berth.Server.Ssh;

namespace Berth.Server.Hosting;

/// <summary>
/// The SSH entry inside <c>berth serve</c> (decision 0009): where it listens comes from
/// <c>--ssh-listen</c> / <c>--ssh off</c>; its limits from the <c>Berth:Ssh</c> configuration
/// section. Validated at start.
/// </summary>
internal static class SshFeature
{
    public static IServiceCollection AddBerthSshEntry(this IServiceCollection services, ServeSettings settings)
    {
        services.AddOptions<SshEntryOptions>().BindConfiguration(SshEntryOptions.Section);
        services.AddBerthSshEntry(options =>
        {
            options.Enabled = settings.SshListen is not null;
            if (settings.SshListen is { } listen)
            {
                options.ListenAddress = listen.Address.ToString();
                options.Port = listen.Port;
            }
        });
        services.AddSingleton<SshGateway>();
        services.AddHostedService(sp => sp.GetRequiredService<SshGateway>());
        return services;
    }

    /// <summary>The start-up line about the SSH entry.</summary>
    public static string Notice(SshEntryStatus status) => status.Status switch
    {
        "listening" when status.Address is { } address => $"SSH entry: ssh -p {address[(address.LastIndexOf(':') + 1)..]} server<id>@<this host> (listening on {address}; host keys {string.Join(", ", status.Fingerprints)})",
        "off" => "SSH entry: off (--ssh off).",
        _ => $"SSH entry: off, {status.Reason}",
    };
}
