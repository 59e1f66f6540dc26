using System.Globalization;
using System.Security.Claims;
using Berth.Core.Accounts.Tokens;
using Berth.Core.Domains;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

/// <summary>Domain names of a virtual server (its owner or an admin), and a dry-run check of a name.</summary>
internal static class DomainsEndpoints
{
    public static IEndpointRouteBuilder MapDomainsEndpoints(this IEndpointRouteBuilder app)
    {
        var domains = app.MapGroup("/api/servers/{id:long}/domains").WithTags("Domains").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RequireTokenScope(ApiTokenScopes.Servers)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        domains.MapGet("", ListAsync).WithName("ListDomains");
        domains.MapPost("", AddAsync).WithName("AddDomain").ProducesProblem(StatusCodes.Status400BadRequest);
        domains.MapGet("/{domainId:long}", GetAsync).WithName("GetDomain");
        domains.MapPut("/{domainId:long}", EditAsync).WithName("EditDomain").ProducesProblem(StatusCodes.Status400BadRequest);
        domains.MapDelete("/{domainId:long}", DeleteAsync).WithName("DeleteDomain");
        domains.MapPost("/{domainId:long}/verify", VerifyAsync).WithName("VerifyDomain")
            .WithSummary("Looks the domain's _berth-verify TXT record up now and answers the domain with its verification state.");

        app.MapGet("/api/domains/validate", ValidateAsync).WithName("ValidateDomain").WithTags("Domains")
            .RequireAuthorization(AuthenticationFeature.UserPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<List<DomainResponse>>> ListAsync(long id, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken) =>
        TypedResults.Ok((await domains.ListAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken)).Select(DomainResponse.From).ToList());

    private static async Task<Created<DomainResponse>> AddAsync(long id, AddDomainRequest request, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken)
    {
        var domain = await domains.AddAsync(
            principal.UserId(), IsAdmin(principal), id, Fields.Required(request.DomainName, "domainName"), request.Ssl ?? false, request.IsCloudflare ?? false,
            request.OriginPulls ?? false, request.TargetPort ?? DomainOptions.DefaultTargetPort, cancellationToken);
        return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/servers/{id}/domains/{domain.Id}"), DomainResponse.From(domain));
    }

    private static async Task<Ok<DomainResponse>> GetAsync(long id, long domainId, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken) =>
        TypedResults.Ok(DomainResponse.From(await domains.GetAsync(principal.UserId(), IsAdmin(principal), id, domainId, cancellationToken)));

    private static async Task<Ok<DomainResponse>> EditAsync(long id, long domainId, EditDomainRequest request, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken) =>
        TypedResults.Ok(DomainResponse.From(await domains.EditAsync(
            principal.UserId(), IsAdmin(principal), id, domainId, request.DomainName, request.Ssl, request.IsCloudflare, request.OriginPulls, request.TargetPort, cancellationToken)));

    private static async Task<Ok<DomainResponse>> VerifyAsync(long id, long domainId, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken) =>
        TypedResults.Ok(DomainResponse.From(await domains.VerifyAsync(principal.UserId(), IsAdmin(principal), id, domainId, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(long id, long domainId, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken)
    {
        await domains.DeleteAsync(principal.UserId(), IsAdmin(principal), id, domainId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<DomainValidationResponse>> ValidateAsync(string? name, long? serverId, ClaimsPrincipal principal, DomainsService domains, CancellationToken cancellationToken)
    {
        var result = await domains.ValidateAsync(principal.UserId(), IsAdmin(principal), name, serverId, cancellationToken);
        return TypedResults.Ok(new DomainValidationResponse(result.Valid, result.Code, result.Message, result.Reason));
    }

    private static bool IsAdmin(ClaimsPrincipal principal) => principal.IsInRole(CurrentUser.AdminRole);
}
