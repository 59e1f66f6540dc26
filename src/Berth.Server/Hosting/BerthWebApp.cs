using Berth.Core;
using Berth.Core.Certificates;
using Berth.Core.Domains;
using Berth.Core.Files;
using Berth.Core.Servers;
using Berth.Core.Stacks;
using Berth.Server.Api;
using Berth.Server.Authentication;
using Scalar.AspNetCore;

namespace Berth.Server.Hosting;

/// <summary>The composition root of <c>berth serve</c>: every module is registered and mapped here.</summary>
public static class BerthWebApp
{
    /// <summary>Request bodies of the API are small JSON documents.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static WebApplication Build(ServeSettings settings, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(BerthWebApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(settings.Urls);
        // The panel's files (its own and MudBlazor's) are found through the static web assets
        // manifest in every environment, not only in Development.
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Common);
        builder.Services.AddBerthCore(settings.Common.CreateProvider());
        builder.Services.AddBerthServers(ServersFeature.OptionsFrom(settings));
        builder.Services.AddBerthFiles(FilesFeature.Configure(settings));
        builder.Services.AddBerthMonitoring(settings);
        builder.Services.AddBerthEdge(settings.Edge);
        builder.Services.AddBerthCertificates(CertificatesFeature.OptionsFrom(settings));
        builder.Services.AddBerthDomains(EdgeFeature.DomainsOptionsFrom(settings.Edge));
        builder.Services.AddBerthTerminal(settings);
        builder.Services.AddBerthForwards(settings);
        builder.Services.AddBerthSshEntry(settings);
        builder.Services.AddBerthStacks();
        builder.Services.AddBerthProblems();
        builder.Services.AddBerthAuthentication();
        builder.Services.AddBerthPanel();
        builder.Services.AddOpenApi();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLocalization();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.UseBerthAuthentication();
        app.UseAntiforgery();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        app.MapHealthEndpoints();
        app.MapAuthEndpoints();
        app.MapMeEndpoints();
        app.MapTokensEndpoints();
        app.MapUsersEndpoints();
        app.MapRegistrationCodeEndpoints();
        app.MapActivityEndpoints();
        app.MapDashboardEndpoints();
        app.MapServersEndpoints();
        app.MapUsageEndpoints();
        app.MapFilesEndpoints();
        app.MapEventsEndpoints();
        app.MapDomainsEndpoints();
        app.MapTerminalEndpoints();
        app.MapForwardsEndpoints();
        app.MapStacksEndpoints();
        app.MapSshKeysEndpoints();
        app.MapBerthPanel();
        return app;
    }
}
