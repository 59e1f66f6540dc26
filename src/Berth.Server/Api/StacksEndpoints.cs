using System.Net.ServerSentEvents;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Berth.Core.Accounts.Tokens;
using Berth.Core.Stacks;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

/// <summary>
/// Compose stacks inside a server and the actions run on them (docs/stacks.md). Every route takes
/// the stack name through <see cref="StackName"/>; another user's server, stack or operation answers
/// 404 like a missing one.
/// </summary>
internal static class StacksEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapStacksEndpoints(this IEndpointRouteBuilder app)
    {
        var stacks = app.MapGroup("/api/servers/{id:long}/stacks").WithTags("Stacks").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RequireTokenScope(ApiTokenScopes.StacksDeploy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        stacks.MapGet("", ListAsync).WithName("ListStacks")
            .WithSummary("Lists the server's stacks: folders with a compose file under /apps/stacks (and /apps/aplikacijos) merged with the Compose projects the monitor sees.");
        stacks.MapPost("", CreateAsync).WithName("CreateStack")
            .WithSummary("Creates a stack from a compose file (and .env), validated first: 400 STACK_INVALID with the messages and nothing written.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        stacks.MapPost("/validate", ValidateAsync).WithName("ValidateStack")
            .WithSummary("Validates a compose file (and .env) with Berth's checks and docker compose config inside the server; nothing is written.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        stacks.MapGet("/{name}", GetAsync).WithName("GetStack")
            .WithSummary("A stack with its compose file, .env and their version.");
        stacks.MapPut("/{name}", UpdateAsync).WithName("UpdateStack")
            .WithSummary("Saves a stack's compose file (and .env), validated first; with a version, 409 STACK_CHANGED when the files changed since they were read.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        stacks.MapDelete("/{name}", DeleteAsync).WithName("DeleteStack")
            .WithSummary("Takes the stack down, then moves its folder to /apps/.trash/stacks (recoverable with the file manager).")
            .ProducesProblem(StatusCodes.Status409Conflict);
        stacks.MapPost("/{name}/actions/{action}", StartActionAsync).WithName("RunStackAction")
            .WithSummary("Starts up (-d --remove-orphans), down, restart, stop, start or pull in the background: 202 with the operation id; 409 STACK_BUSY while another action runs on the stack.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        stacks.MapGet("/{name}/logs", LogsAsync).WithName("StackLogs")
            .WithSummary("The stack's logs (docker compose logs --timestamps) as text, one line each, starting with stdout or stderr; tail (default 200), service, follow.")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .ProducesProblem(StatusCodes.Status409Conflict);

        var operations = app.MapGroup("/api/servers/{id:long}/operations/{operationId}").WithTags("Stacks").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RequireTokenScope(ApiTokenScopes.StacksDeploy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        operations.MapGet("", GetOperationAsync).WithName("GetOperation")
            .WithSummary("An action's state (running, succeeded, failed), exit code and last output lines.");
        operations.MapGet("/stream", StreamOperationAsync).WithName("StreamOperation")
            .WithSummary("An action's output as server-sent events: the kept lines, then new ones as they come (event line), then event end with the state and exit code.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return app;
    }

    private static async Task<Ok<List<StackResponse>>> ListAsync(long id, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await stacks.ListAsync(principal.UserId(), IsAdmin(principal), id, cancellationToken)).Select(StackResponse.From).ToList());

    private static async Task<Ok<StackDocumentResponse>> GetAsync(long id, string name, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken) =>
        TypedResults.Ok(StackDocumentResponse.From(await stacks.GetAsync(principal.UserId(), IsAdmin(principal), id, name, cancellationToken)));

    private static async Task<Created<StackDocumentResponse>> CreateAsync(long id, CreateStackRequest request, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken)
    {
        var created = await stacks.CreateAsync(principal.UserId(), IsAdmin(principal), id, Fields.Required(request.Name, "name"), request.Compose, request.Env, cancellationToken);
        return TypedResults.Created($"/api/servers/{id}/stacks/{created.Stack.Name}", StackDocumentResponse.From(created));
    }

    private static async Task<Ok<StackDocumentResponse>> UpdateAsync(long id, string name, UpdateStackRequest request, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken) =>
        TypedResults.Ok(StackDocumentResponse.From(await stacks.UpdateAsync(principal.UserId(), IsAdmin(principal), id, name, request.Compose, request.Env, request.Version, cancellationToken)));

    private static async Task<Ok<StackValidationResponse>> ValidateAsync(long id, ValidateStackRequest request, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken) =>
        TypedResults.Ok(StackValidationResponse.From(await stacks.ValidateAsync(principal.UserId(), IsAdmin(principal), id, request.Name, request.Compose, request.Env, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(long id, string name, ClaimsPrincipal principal, StacksService stacks, TimeProvider time, CancellationToken cancellationToken)
    {
        await stacks.DeleteAsync(principal.UserId(), IsAdmin(principal), id, name, time, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Accepted<OperationStartedResponse>> StartActionAsync(long id, string name, string action, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken)
    {
        var operation = await stacks.StartActionAsync(principal.UserId(), IsAdmin(principal), id, name, action, cancellationToken);
        return TypedResults.Accepted($"/api/servers/{id}/operations/{operation.Id}", new OperationStartedResponse(operation.Id));
    }

    private static async Task<Ok<OperationResponse>> GetOperationAsync(long id, string operationId, ClaimsPrincipal principal, StacksService stacks, CancellationToken cancellationToken) =>
        TypedResults.Ok(OperationResponse.From(await stacks.GetOperationAsync(principal.UserId(), IsAdmin(principal), id, operationId, cancellationToken)));

    /// <summary>Checked before the response starts (so a stranger gets a plain 404), then streamed until the end or the client leaves.</summary>
    private static async Task<ServerSentEventsResult<string>> StreamOperationAsync(
        long id, string operationId, ClaimsPrincipal principal, StacksService stacks, IHostApplicationLifetime lifetime, HttpContext http, CancellationToken cancellationToken)
    {
        var operation = await stacks.GetOperationAsync(principal.UserId(), IsAdmin(principal), id, operationId, cancellationToken);
        return TypedResults.ServerSentEvents(Events(operation, CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping)));
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(StackOperation operation, CancellationTokenSource end)
    {
        using (end)
        {
            await foreach (var item in operation.FollowAsync(end.Token).WithCancellation(end.Token))
            {
                yield return item switch
                {
                    OperationEvent.Line line => new SseItem<string>(JsonSerializer.Serialize(OperationLineResponse.From(line.Value), Json), "line") { EventId = line.Value.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    OperationEvent.Skipped skipped => new SseItem<string>(JsonSerializer.Serialize(new { skipped.Count }, Json), "skipped"),
                    OperationEvent.Ended ended => new SseItem<string>(JsonSerializer.Serialize(new { State = ended.State.ToString().ToLowerInvariant(), ended.ExitCode }, Json), "end"),
                    _ => throw new InvalidOperationException("Unknown operation event."),
                };
            }
        }
    }

    private static async Task<IResult> LogsAsync(
        long id, string name, string? service, int? tail, bool? follow, bool? download, ClaimsPrincipal principal, StacksService stacks, HttpContext http, CancellationToken cancellationToken)
    {
        var reader = await stacks.OpenLogsAsync(principal.UserId(), IsAdmin(principal), id, name, service, tail, follow ?? false, cancellationToken);
        if (download == true)
        {
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}-logs.txt\"";
        }

        return TypedResults.Stream(
            async output =>
            {
                await using (reader)
                {
                    await WriteLinesAsync(reader.ReadAsync(cancellationToken), output, cancellationToken);
                }
            },
            "text/plain; charset=utf-8");
    }

    /// <summary>Writes each line as it comes (a write to the response sends it), so that a follower sees it at once.</summary>
    private static async Task WriteLinesAsync(IAsyncEnumerable<string> lines, Stream output, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in lines)
            {
                await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left.
        }
    }

    private static bool IsAdmin(ClaimsPrincipal principal) => principal.IsInRole(CurrentUser.AdminRole);
}
