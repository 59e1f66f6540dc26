namespace Berth.Core.Hosting;

/// <summary>
/// Releases a semaphore that was entered, once, however often it is disposed; the one shape for
/// "hold this until the using block ends" (the database write gate, per-server locks).
/// </summary>
public sealed class SemaphoreRelease(SemaphoreSlim? semaphore) : IDisposable
{
    /// <summary>Holds nothing: for gates that let everyone through.</summary>
    public static readonly IDisposable Nothing = new SemaphoreRelease(null);

    private SemaphoreSlim? _semaphore = semaphore;

    public void Dispose() => Interlocked.Exchange(ref _semaphore, null)?.Release();
}
