using System.Text.Json;

namespace Berth.Core.Terminal;

public enum TerminalControlKind
{
    /// <summary>Not understood: ignored (a newer client's message, or a typo).</summary>
    Unknown,
    Resize,
    Close,
}

/// <summary>A control message of the client (a WebSocket text frame).</summary>
public readonly record struct TerminalControl(TerminalControlKind Kind, int Columns = 0, int Rows = 0)
{
    /// <summary>The longest control message read; a longer one closes the connection.</summary>
    public const int MaxBytes = 4096;

    public const int MaxColumns = 1000;
    public const int MaxRows = 500;

    /// <summary>
    /// Parses <c>{"type":"resize","cols":C,"rows":R}</c> (1 ≤ C ≤ 1000, 1 ≤ R ≤ 500) or
    /// <c>{"type":"close"}</c>; anything else, malformed or out of bounds, is <see cref="TerminalControlKind.Unknown"/>.
    /// </summary>
    public static TerminalControl Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return default;
            }

            switch (type.GetString())
            {
                case "close":
                    return new TerminalControl(TerminalControlKind.Close);
                case "resize"
                    when root.TryGetProperty("cols", out var cols) && cols.ValueKind == JsonValueKind.Number && cols.TryGetInt32(out var c)
                    && root.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Number && rows.TryGetInt32(out var r)
                    && ValidSize(c, r):
                    return new TerminalControl(TerminalControlKind.Resize, c, r);
                default:
                    return default;
            }
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public static bool ValidSize(int columns, int rows) => columns is >= 1 and <= MaxColumns && rows is >= 1 and <= MaxRows;
}
