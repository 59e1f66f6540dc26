namespace Berth.Server.Authentication;

/// <summary>Sign-in for the panel and the API: server-side sessions, API tokens (<see cref="TokenAccessHandler"/>), two policies, and CSRF protection.</summary>
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
            .AddPolicy(UserPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new TokenAccessRequirement(AdminRoute: false)))
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(CurrentUser.AdminRole).AddRequirements(new TokenAccessRequirement(AdminRoute: true)));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, TokenAccessHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, TokenAccessResultHandler>();
        services.AddDataProtection();
        services.AddSingleton<DeviceCookie>();
        return services;
    }

    public static IApplicationBuilder UseBerthAuthentication(this IApplicationBuilder app) =>
        app.UseMiddleware<CsrfMiddleware>().UseAuthentication().UseAuthorization().Use(async (context, next) =>
        {
            // Activity rows of a request signed in with an API token name the token.
            if (context.User.Token() is { } token)
            {
                Berth.Core.Activity.ActivityLog.ActWithToken(token.Name);
            }

            await next(context);
        });
}
