using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Docker;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Api;

internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealthAsync).WithName("GetHealth").WithTags("Health").AllowAnonymous();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "alive" })).WithName("GetLiveness").WithTags("Health").AllowAnonymous();
        return app;
    }

    /// <summary>Ready when the database answers and its schema is current; 503 otherwise.</summary>
    private static async Task<IResult> GetHealthAsync(
        DatabaseProvider provider,
        IDbContextFactory<BerthDbContext> contexts,
        DockerEngine engine,
        RuntimeProfileHolder runtime,
        Berth.Server.Edge.EdgeRuntime edge,
        Berth.Server.Ssh.SshGateway ssh,
        CancellationToken cancellationToken)
    {
        string status;
        string? schemaVersion = null;
        string? error = null;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            schemaVersion = await DatabaseMigrator.SchemaVersionAsync(db, cancellationToken);
            var pending = await db.Database.GetPendingMigrationsAsync(cancellationToken);
            status = pending.Any() ? "migrations-pending" : "ok";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            status = "unreachable";
            error = e.Message;
        }

        var healthy = status == "ok";
        var body = new HealthReport(
            healthy ? "healthy" : "unhealthy",
            typeof(HealthEndpoints).Assembly.GetName().Version?.ToString() ?? "",
            new DatabaseHealth(provider.Name, status, schemaVersion, error),
            new EngineHealth(await PingAsync(engine, cancellationToken), runtime.Profile.Name, runtime.Profile.Isolation),
            EdgeHealthOf(edge),
            new SshHealth(ssh.Status.Status, ssh.Status.Address, ssh.Status.Fingerprints, ssh.Status.Reason));
        return healthy ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The host engine does not make Berth unhealthy (the panel and API still work), but it is reported.</summary>
    private static async Task<string> PingAsync(DockerEngine engine, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await engine.Client.System.PingAsync(timeout.Token);
            return "ok";
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return "unreachable";
        }
    }

    /// <summary>The edge's listeners, route count and certificates in its SNI cache; it does not make Berth unhealthy either.</summary>
    private static EdgeHealth EdgeHealthOf(Berth.Server.Edge.EdgeRuntime edge) => edge.Host is { } host
        ? new EdgeHealth("listening", [.. host.HttpAddresses.Select(a => a.ToString())], [.. host.HttpsAddresses.Select(a => a.ToString())], host.Routes.Count, edge.Certificates.Count)
        : new EdgeHealth("stopped", [], [], 0, edge.Certificates.Count);

    internal sealed record HealthReport(string Status, string Version, DatabaseHealth Database, EngineHealth Engine, EdgeHealth Edge, SshHealth Ssh);

    /// <summary>The SSH entry: <c>listening</c> (address, host key fingerprints), <c>off</c>, <c>unavailable</c>/<c>restarting</c>/<c>failed</c> with the reason.</summary>
    internal sealed record SshHealth(string Status, string? Address, IReadOnlyList<string> Fingerprints, string? Reason);

    internal sealed record EdgeHealth(string Status, IReadOnlyList<string> Http, IReadOnlyList<string> Https, int Routes, int Certificates);

    internal sealed record EngineHealth(string Status, string RuntimeProfile, string Isolation);

    internal sealed record DatabaseHealth(string Provider, string Status, string? SchemaVersion, string? Error);
}
