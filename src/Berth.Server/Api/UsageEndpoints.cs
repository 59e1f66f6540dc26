using System.Globalization;
using System.Security.Claims;
using Berth.Core.Errors;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

public sealed record UsagePointResponse(DateTimeOffset At, int IntervalSeconds, double? CpuPercent, long MemoryBytes, long MemoryLimitBytes, long DiskBytes);

public sealed record UsageResponse(long ServerId, IReadOnlyList<UsagePointResponse> Points);

internal static class UsageEndpoints
{
    private static readonly string[] SinceFormats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    public static IEndpointRouteBuilder MapUsageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/servers/{id:long}/usage", GetAsync).WithName("GetServerUsage").WithTags("Servers")
            .RequireAuthorization(AuthenticationFeature.UserPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>The server's usage history from <c>since</c> (ISO 8601; default: the last 24 hours), oldest first.</summary>
    private static async Task<Ok<UsageResponse>> GetAsync(long id, string? since, ClaimsPrincipal principal, ServersService servers, ServerUsageStore usage, CancellationToken cancellationToken)
    {
        var from = ParseSince(since);
        await servers.EnsureVisibleAsync(principal.UserId(), principal.IsInRole(CurrentUser.AdminRole), id, cancellationToken);
        var points = await usage.GetAsync(id, from, cancellationToken);
        return TypedResults.Ok(new UsageResponse(
            id,
            points.Select(p => new UsagePointResponse(p.At, (int)p.Interval.TotalSeconds, p.CpuPercent, p.MemoryBytes, p.MemoryLimitBytes, p.DiskBytes)).ToList()));
    }

    /// <summary>An ISO 8601 time (UTC unless it carries an offset) or date; anything else is a 400 naming the parameter.</summary>
    public static DateTimeOffset? ParseSince(string? since)
    {
        if (since is null)
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(since.Trim(), SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : throw BerthException.Invalid("INVALID_SINCE", "since must be an ISO 8601 time such as 2026-11-25T10:00:00Z (or a date such as 2026-11-25).");
    }
}
