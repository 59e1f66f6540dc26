namespace Berth.Server.Api.Contracts;

/// <summary>A one-time ticket for opening the server's terminal WebSocket, valid until <paramref name="ExpiresAt"/>.</summary>
public sealed record TerminalTicketResponse(string Ticket, DateTimeOffset ExpiresAt);
