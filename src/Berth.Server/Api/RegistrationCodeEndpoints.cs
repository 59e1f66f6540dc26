using System.Security.Claims;
using Berth.Core.Accounts;
using Berth.Core.Errors;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

internal static class RegistrationCodeEndpoints
{
    public static IEndpointRouteBuilder MapRegistrationCodeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/registration-code").WithTags("Registration codes").RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("", GetAsync).WithName("GetRegistrationCode").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("", GenerateAsync).WithName("GenerateRegistrationCode");
        group.MapDelete("", RevokeAsync).WithName("RevokeRegistrationCode");
        return app;
    }

    private static async Task<Ok<RegistrationCodeResponse>> GetAsync(ClaimsPrincipal principal, RegistrationCodesService codes, CancellationToken cancellationToken)
    {
        var code = await codes.GetAsync(principal.UserId(), cancellationToken)
            ?? throw BerthException.NotFound("REGISTRATION_CODE_NOT_FOUND", "You have no live registration code; generate one.");
        return TypedResults.Ok(RegistrationCodeResponse.From(code));
    }

    private static async Task<Created<RegistrationCodeResponse>> GenerateAsync(ClaimsPrincipal principal, RegistrationCodesService codes, CancellationToken cancellationToken) =>
        TypedResults.Created("/api/registration-code", RegistrationCodeResponse.From(await codes.GenerateAsync(principal.UserId(), cancellationToken)));

    private static async Task<NoContent> RevokeAsync(ClaimsPrincipal principal, RegistrationCodesService codes, CancellationToken cancellationToken)
    {
        await codes.RevokeAsync(principal.UserId(), cancellationToken);
        return TypedResults.NoContent();
    }
}
