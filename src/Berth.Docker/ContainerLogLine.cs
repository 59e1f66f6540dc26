using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Docker;

/// <summary>One line of a container's log: its stream, and its text (the engine's timestamp first).</summary>
public sealed record ContainerLogLine(bool StandardError, string Text);

/// <summary>The bytes of one stream's line in progress, cut at a bound; a line ends at LF (a CR before it is dropped).</summary>
internal sealed class LineBuffer(int maxLine)
{
    private readonly List<byte> _bytes = [];

    /// <summary>Adds one byte; returns the line when it ended.</summary>
    public string? Add(byte value)
    {
        if (value == (byte)'\n')
        {
            return Take();
        }

        if (_bytes.Count < maxLine)
        {
            _bytes.Add(value);
        }

        return null;
    }

    /// <summary>The unfinished last line, if any.</summary>
    public string? Rest() => _bytes.Count > 0 ? Take() : null;

    private string Take()
    {
        ReadOnlySpan<byte> span = CollectionsMarshal.AsSpan(_bytes);
        if (span.Length > 0 && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        var text = Encoding.UTF8.GetString(span);
        _bytes.Clear();
        return text;
    }
}
