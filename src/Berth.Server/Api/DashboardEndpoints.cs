using Berth.Core.Dashboard;
using Berth.Core.Data;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Berth.Server.Api;

/// <summary>The seed's query 4.3 figures, and what the virtual servers use together (<see cref="HostTotals"/>).</summary>
public sealed record DashboardResponse(int Users, int VirtualServersRunning, int VirtualServersTotal, int Domains, HostTotals Host, IsolationResponse Isolation);

/// <summary>The runtime profile in force (<c>sysbox</c>, <c>privileged</c> or <c>caps</c>), what it means, and whether it is the weak kind.</summary>
public sealed record IsolationResponse(string Profile, string Description, bool Weak)
{
    public static IsolationResponse From(RuntimeProfile profile) => new(profile.Name, profile.Isolation, profile.IsWeak);
}

internal static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", GetAsync).WithName("GetDashboard").WithTags("Dashboard")
            .RequireAuthorization(AuthenticationFeature.AdminPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Ok<DashboardResponse>> GetAsync(BerthDbContext db, IOptions<MonitorOptions> monitor, RuntimeProfileHolder runtime, TimeProvider clock, CancellationToken cancellationToken)
    {
        var figures = await DashboardFigures.RunAsync(db, cancellationToken);
        var host = await HostTotals.RunAsync(db, monitor.Value, clock, cancellationToken);
        return TypedResults.Ok(new DashboardResponse(figures.Users, figures.VirtualServersRunning, figures.VirtualServersTotal, figures.Domains, host, IsolationResponse.From(runtime.Profile)));
    }
}
