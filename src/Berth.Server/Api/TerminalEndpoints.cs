using System.Globalization;
using System.Net.WebSockets;
using System.Security.Claims;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Servers;
using Berth.Core.Terminal;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Berth.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Berth.Server.Api;

/// <summary>
/// The web terminal: a CSRF-checked POST mints a one-time ticket, the WebSocket upgrade redeems it.
/// Everything is checked before the upgrade (the server is the caller's or the caller is an admin,
/// else the missing server's 404; the Origin is one of the panel's own; the ticket is valid for
/// this user, this server and this purpose). The frame contract is in docs/terminal.md.
/// </summary>
internal static class TerminalEndpoints
{
    private const int DefaultColumns = 80;
    private const int DefaultRows = 24;

    public static IEndpointRouteBuilder MapTerminalEndpoints(this IEndpointRouteBuilder app)
    {
        var terminal = app.MapGroup("/api/servers/{id:long}/terminal").WithTags("Terminal").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RefuseTokens()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        terminal.MapPost("/tickets", MintTicketAsync).WithName("CreateTerminalTicket")
            .WithSummary("Mint a one-time terminal ticket")
            .WithDescription("A ticket for opening this server's terminal WebSocket: one use, valid for 30 seconds at most, bound to the caller, this server and the terminal. Needs the session and the X-Berth-Csrf header.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        terminal.MapGet("", ConnectAsync).WithName("OpenTerminal")
            .WithSummary("Open the server's terminal (WebSocket)")
            .WithDescription(
                "Upgrades to a WebSocket running `bash -l` as root in /apps with a TTY. Query: ticket (from CreateTerminalTicket, required), "
                + "cols and rows (initial size, default 80×24), resume (a session id from an earlier connection's first event, to reattach to the same shell within the grace period). "
                + "The Origin header must be the panel's own. Client → Berth: binary frames are typed bytes; text frames are JSON control messages "
                + "{\"type\":\"resize\",\"cols\":C,\"rows\":R} and {\"type\":\"close\"}. Berth → client: binary frames are output; text frames are JSON events "
                + "{\"type\":\"session\",\"id\":S}, {\"type\":\"exit\",\"code\":N} and {\"type\":\"closed\",\"reason\":\"…\"}.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<Ok<TerminalTicketResponse>> MintTicketAsync(
        long id, ClaimsPrincipal principal, ServersService servers, ConnectionTickets tickets, CancellationToken cancellationToken)
    {
        await servers.EnsureVisibleAsync(principal.UserId(), principal.IsInRole(CurrentUser.AdminRole), id, cancellationToken);
        var ticket = tickets.Mint(principal.UserId(), id, TerminalSessions.Purpose);
        return TypedResults.Ok(new TerminalTicketResponse(ticket.Value, ticket.ExpiresAt));
    }

    private static async Task<EmptyHttpResult> ConnectAsync(
        long id, string? ticket, string? resume, string? cols, string? rows, HttpContext http, ClaimsPrincipal principal,
        ServersService servers, ConnectionTickets tickets, TerminalSessions sessions, TerminalOriginPolicy origins,
        BerthDbContext db, ActivityLog activity, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        await servers.EnsureVisibleAsync(userId, principal.IsInRole(CurrentUser.AdminRole), id, cancellationToken);
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw BerthException.Invalid("WEBSOCKET_REQUIRED", "This address opens a WebSocket; connect with a WebSocket client.");
        }

        if (!origins.Allows(http, http.Request.Headers.Origin))
        {
            throw BerthException.Forbidden("ORIGIN_REFUSED", "A terminal can only be opened from the panel's own address (the Origin header).");
        }

        if (!tickets.Redeem(ticket, userId, id, TerminalSessions.Purpose))
        {
            throw BerthException.Forbidden("TICKET_INVALID", "The terminal ticket is missing, used, expired or for something else; get a new one.");
        }

        TerminalSession? session = null;
        if (string.IsNullOrEmpty(resume))
        {
            var size = (Columns: ParseSize(cols, "cols", DefaultColumns), Rows: ParseSize(rows, "rows", DefaultRows));
            if (!TerminalControl.ValidSize(size.Columns, size.Rows))
            {
                throw BerthException.Invalid("TERMINAL_SIZE_INVALID", $"cols must be 1–{TerminalControl.MaxColumns} and rows 1–{TerminalControl.MaxRows}.");
            }

            session = await sessions.StartAsync(userId, id, principal.SessionId(), size.Columns, size.Rows, cancellationToken);
            activity.Add(db, userId, $"Terminal opened on virtual server #{id}");
            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            session = sessions.Find(resume, userId, id);
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        if (session is null)
        {
            // The shell is gone (closed, expired, Berth restarted): say so in the terminal, clearly.
            await socket.SendAsync(TerminalEvents.Closed(TerminalEndReasons.Unknown), WebSocketMessageType.Text, true, cancellationToken);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ended", cancellationToken);
            return TypedResults.Empty;
        }

        try
        {
            await session.AttachAsync(socket, replay: !string.IsNullOrEmpty(resume), cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The browser went away; the shell waits for it for the grace period.
        }

        return TypedResults.Empty;
    }

    private static int ParseSize(string? text, string name, int fallback) =>
        string.IsNullOrEmpty(text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw BerthException.Invalid("TERMINAL_SIZE_INVALID", $"{name} must be a whole number.");
}
