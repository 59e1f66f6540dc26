namespace Berth.Core.Terminal;

/// <summary>
/// The most recent output of a terminal, a fixed-size ring: a browser that reconnects gets it
/// replayed. Older bytes are overwritten, so the memory is bounded whatever the shell prints.
/// Not thread-safe: the session calls it under its send lock.
/// </summary>
public sealed class ReplayBuffer(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private int _start;
    private int _count;

    public int Count => _count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= _ring.Length)
        {
            bytes[^_ring.Length..].CopyTo(_ring);
            _start = 0;
            _count = _ring.Length;
            return;
        }

        var end = (_start + _count) % _ring.Length;
        var first = Math.Min(bytes.Length, _ring.Length - end);
        bytes[..first].CopyTo(_ring.AsSpan(end));
        bytes[first..].CopyTo(_ring);
        var overflow = _count + bytes.Length - _ring.Length;
        if (overflow > 0)
        {
            _start = (_start + overflow) % _ring.Length;
            _count = _ring.Length;
        }
        else
        {
            _count += bytes.Length;
        }
    }

    /// <summary>The kept bytes, oldest first.</summary>
    public byte[] Snapshot()
    {
        var result = new byte[_count];
        var first = Math.Min(_count, _ring.Length - _start);
        _ring.AsSpan(_start, first).CopyTo(result);
        _ring.AsSpan(0, _count - first).CopyTo(result.AsSpan(first));
        return result;
    }
}
