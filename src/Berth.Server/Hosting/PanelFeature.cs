using Berth.Server.Components;
using Berth.Server.Components.Panel;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;

namespace Berth.Server.Hosting;

/// <summary>The web panel: Blazor (interactive server) with MudBlazor, in English and Lithuanian.</summary>
internal static class PanelFeature
{
    public static IServiceCollection AddBerthPanel(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture(PanelText.Cultures[0]).AddSupportedCultures(PanelText.Cultures).AddSupportedUICultures(PanelText.Cultures);
            // The language is the panel's own choice (the cookie) or the browser's; never a query string.
            options.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, PanelAuthenticationStateProvider>();
        services.AddScoped<PanelCircuit>();
        services.AddScoped<PanelData>();
        return services;
    }

    public static WebApplication MapBerthPanel(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapGet(PanelPaths.Culture, (string? name, string? returnUrl, HttpContext context) =>
        {
            if (name is not null && PanelText.Cultures.Contains(name))
            {
                context.Response.Cookies.Append(
                    CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(name)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, IsEssential = true, Secure = context.Request.IsHttps, Path = "/" });
            }

            return TypedResults.LocalRedirect(PanelPaths.LocalOrHome(returnUrl));
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(PanelPaths.SignOut, SignOutAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The sign-out form of the panel: antiforgery-checked, ends the same server-side session the API uses.</summary>
    private static async Task<IResult> SignOutAsync(HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery, Core.Accounts.SessionService sessions, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.BadRequest();
        }

        await sessions.EndAsync(Authentication.SessionCookie.Read(context), cancellationToken);
        Authentication.SessionCookie.Clear(context);
        return TypedResults.LocalRedirect(PanelPaths.SignInPage);
    }
}
