namespace Berth.Proxy;

/// <summary>
/// Durations in a <see cref="TimeProvider"/>'s timestamp units. The edge's sweeps compare raw
/// timestamps (one read per I/O, no allocation) and convert each limit once, so tests can drive every
/// timeout with a fake clock.
/// </summary>
internal static class Timestamps
{
    public static long Of(TimeSpan duration, TimeProvider time) =>
        duration == Timeout.InfiniteTimeSpan || duration >= TimeSpan.FromDays(365)
            ? long.MaxValue / 2
            : (long)(duration.TotalSeconds * time.TimestampFrequency);
}
