namespace Berth.Server.Authentication;

/// <summary>Sign-in for the panel and the API: server-side sessions, two policies, and CSRF protection.</summary>
internal static class AuthenticationFeature
{
    /// <summary>Any signed-in, enabled user.</summary>
    public const string UserPolicy = "user";

    /// <summary>An enabled administrator.</summary>
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddBerthAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(CurrentUser.AdminRole));
        services.AddDataProtection();
        services.AddSingleton<DeviceCookie>();
        return services;
    }

    public static IApplicationBuilder UseBerthAuthentication(this IApplicationBuilder app) =>
        app.UseMiddleware<CsrfMiddleware>().UseAuthentication().UseAuthorization();
}
