using Microsoft.Extensions.Logging;

namespace Berth.Proxy.Transport;

/// <summary>The edge's I/O threads: one <see cref="EpollLoop"/> per core, shared by client and origin connections.</summary>
internal sealed class EpollLoops : IDisposable
{
    private readonly EpollLoop[] _loops;
    private int _next;

    public EpollLoops(ILogger<EpollLoops> logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The edge runs on Linux: its transport waits on epoll.");
        }

        _loops = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => new EpollLoop(i, logger))];
    }

    public int Count => _loops.Length;

    /// <summary>The index of the loop whose thread calls, or -1.</summary>
    public int CurrentIndex
    {
        get
        {
            foreach (var loop in _loops)
            {
                if (loop.IsCurrentThread)
                {
                    return loop.Index;
                }
            }

            return -1;
        }
    }

    /// <summary>
    /// The loop of the calling thread when it is one (an origin connection opened for a client's request
    /// then completes on the thread that serves that client), else the next one in turn.
    /// </summary>
    public EpollLoop Pick()
    {
        var current = CurrentIndex;
        return current >= 0 ? _loops[current] : _loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)_loops.Length)];
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }
    }
}
