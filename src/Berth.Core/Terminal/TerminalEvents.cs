using System.Text.Json;

namespace Berth.Core.Terminal;

/// <summary>The JSON events Berth sends a terminal's browser (WebSocket text frames).</summary>
public static class TerminalEvents
{
    public static byte[] Session(string id) => Write("session", w => w.WriteString("id", id));

    public static byte[] Exit(long code) => Write("exit", w => w.WriteNumber("code", code));

    public static byte[] Closed(string reason) => Write("closed", w => w.WriteString("reason", reason));

    private static byte[] Write(string type, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            body(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}

/// <summary>Why a terminal ended, as the browser is told.</summary>
public static class TerminalEndReasons
{
    public const string Closed = "The terminal was closed.";
    public const string GraceExpired = "The connection was lost for too long; the shell was ended.";
    public const string Idle = "The terminal was idle for too long.";
    public const string ServerStopped = "The server stopped.";
    public const string ServerDeleted = "The server was deleted.";
    public const string BerthStopping = "Berth is stopping.";
    public const string SessionEnded = "Your session has ended; sign in again.";
    public const string AccessLost = "You no longer have access to this server.";
    public const string Unknown = "This terminal has ended.";
    public const string Replaced = "The terminal was opened in another window.";
    public const string TooLarge = "A control message was too large.";
}
