using System.Net;
using Berth.Core.Accounts;
using Berth.Core.Servers;
using Berth.Core.Terminal;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Berth.Server.Hosting;

/// <summary>
/// The web terminal inside <c>berth serve</c>: settings from the <c>Berth:Terminal</c> section
/// (the serve flags <c>--terminal-grace-period</c> and <c>--terminal-idle-timeout</c> write into it),
/// the origin allow-list, and the check that ends a terminal whose user signed out, was disabled or
/// lost the server.
/// </summary>
internal static class TerminalFeature
{
    public static IServiceCollection AddBerthTerminal(this IServiceCollection services, ServeSettings settings)
    {
        Berth.Core.Terminal.TerminalServiceCollectionExtensions.AddBerthTerminal(services);
        services.AddOptions<TerminalOptions>().BindConfiguration(TerminalOptions.Section).Configure(o =>
        {
            if (settings.TerminalGracePeriod is { } grace)
            {
                o.GracePeriod = grace;
            }

            if (settings.TerminalIdleTimeout is { } idle)
            {
                o.IdleTimeout = idle;
            }
        });
        services.AddSingleton<TerminalOriginPolicy>();
        services.AddSingleton<TerminalAccessCheck>(sp => (session, cancellationToken) => CheckAccessAsync(sp, session, cancellationToken));
        return services;
    }

    private static async Task<string?> CheckAccessAsync(IServiceProvider services, TerminalSession session, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var login = await scope.ServiceProvider.GetRequiredService<SessionService>().FindActiveAsync(session.LoginSessionId, cancellationToken);
        if (login is null || login.UserId != session.UserId)
        {
            return TerminalEndReasons.SessionEnded;
        }

        try
        {
            await scope.ServiceProvider.GetRequiredService<ServersService>().EnsureVisibleAsync(login.UserId, login.Admin, session.ServerId, cancellationToken);
        }
        catch (Berth.Core.Errors.BerthException e) when (e.Kind == Berth.Core.Errors.ErrorKind.NotFound)
        {
            return TerminalEndReasons.AccessLost;
        }

        return null;
    }
}

/// <summary>
/// The exact origins allowed to open a terminal: the panel's own listening addresses (a loopback one
/// also as <c>localhost</c>), the control host over the edge's HTTPS listeners, and
/// <see cref="TerminalOptions.AllowedOrigins"/>. A panel listening on every address (0.0.0.0) cannot
/// know its public name: there the request's own origin (scheme and Host) is allowed too; configure
/// <c>Berth:Terminal:AllowedOrigins</c> to be exact.
/// </summary>
internal sealed class TerminalOriginPolicy(IServer server, ServeSettings settings, IOptions<TerminalOptions> options)
{
    private readonly Lazy<(TerminalOrigins Origins, bool Wildcard)> _origins = new(() => Build(server, settings, options.Value));

    public bool Allows(HttpContext context, string? origin)
    {
        var (origins, wildcard) = _origins.Value;
        if (origins.Allows(origin))
        {
            return true;
        }

        return wildcard && TerminalOrigins.Normalise(origin) is { } normalised
            && normalised == TerminalOrigins.Normalise($"{context.Request.Scheme}://{context.Request.Host}");
    }

    private static (TerminalOrigins, bool) Build(IServer server, ServeSettings settings, TerminalOptions options)
    {
        List<string> origins = [.. options.AllowedOrigins];
        var wildcard = false;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses.Concat(settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var text = address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Port == 0)
            {
                continue;
            }

            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
            {
                wildcard = true;
                continue;
            }

            origins.Add($"{uri.Scheme}://{uri.Authority}");
            if (uri.IsLoopback)
            {
                origins.Add($"{uri.Scheme}://localhost:{uri.Port}");
            }
        }

        if (settings.Edge.ControlHost is { } control)
        {
            foreach (var listener in settings.Edge.HttpsUrls)
            {
                if (Uri.TryCreate(listener, UriKind.Absolute, out var uri))
                {
                    origins.Add(uri.Port is 443 or 0 ? $"https://{control}" : $"https://{control}:{uri.Port}");
                }
            }

            origins.Add($"https://{control}");
        }

        return (new TerminalOrigins(origins), wildcard);
    }
}
