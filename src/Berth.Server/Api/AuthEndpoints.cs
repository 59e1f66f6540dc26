using Berth.Core.Accounts;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth").AllowAnonymous();
        group.MapPost("/login", LoginAsync).WithName("Login")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/logout", LogoutAsync).WithName("Logout");
        group.MapPost("/register", RegisterAsync).WithName("Register")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Ok<MeResponse>> LoginAsync(LoginRequest request, HttpContext context, LoginService login, DeviceCookie devices, CancellationToken cancellationToken)
    {
        var device = devices.Read(context);
        var result = await login.LoginAsync(
            Fields.Required(request.Email, "email"),
            Fields.Required(request.Password, "password"),
            context.ClientAddress(),
            SessionCookie.Read(context),
            cancellationToken,
            device);
        SessionCookie.Write(context, result.Token);
        devices.Write(context, result.User.Email, device);
        return TypedResults.Ok(MeResponse.From(result.User));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, SessionService sessions, CancellationToken cancellationToken)
    {
        await sessions.EndAsync(SessionCookie.Read(context), cancellationToken);
        SessionCookie.Clear(context);
        return TypedResults.NoContent();
    }

    private static async Task<Created<UserResponse>> RegisterAsync(RegisterRequest request, HttpContext context, RegistrationCodesService codes, CancellationToken cancellationToken)
    {
        var user = await codes.RegisterAsync(
            Fields.Required(request.Code, "code"),
            Fields.Required(request.Email, "email"),
            Fields.Required(request.Password, "password"),
            context.ClientAddress(),
            cancellationToken);
        return TypedResults.Created("/api/me", UserResponse.From(user));
    }
}
