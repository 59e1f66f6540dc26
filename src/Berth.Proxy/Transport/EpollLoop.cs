using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy.Transport;

/// <summary>Something a loop tells when its file descriptor is ready.</summary>
internal interface IEpollHandler
{
    /// <summary>Runs on the loop's thread with the <c>EPOLL*</c> bits that fired.</summary>
    void OnEvents(uint events);
}

/// <summary>
/// One thread waiting on one epoll instance (edge-triggered) and running the handlers of the
/// descriptors that became ready, inline. Handlers are found through a slot table with a generation
/// per slot, so an event still in a batch for a descriptor closed meanwhile finds nobody.
/// </summary>
internal sealed unsafe class EpollLoop : IDisposable
{
    private const int BatchSize = 256;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly ConcurrentQueue<IEpollHandler> _posted = new();
    private Slot[] _slots = [];
    private volatile bool _stopping;

    public EpollLoop(int index, ILogger logger)
    {
        Index = index;
        _logger = logger;
        _epoll = Libc.EpollCreate(Libc.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        }

        _wake = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_wake < 0)
        {
            Libc.Close(_epoll);
            throw new IOException($"eventfd failed (errno {Marshal.GetLastPInvokeError()})");
        }

        var wake = stackalloc byte[16];
        Libc.SetEpollEvent(wake, Libc.EPOLLIN | Libc.EPOLLET, ulong.MaxValue);
        Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, _wake, wake);
        _thread = new Thread(Run) { IsBackground = true, Name = $"Edge I/O {index}" };
        _thread.Start();
    }

    /// <summary>This loop's place among its <see cref="EpollLoops"/>.</summary>
    public int Index { get; }

    /// <summary>Whether the caller runs on this loop's thread.</summary>
    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    /// <summary>Watches <paramref name="fd"/> for input, output and hang-up; returns the token to <see cref="Remove"/> it with.</summary>
    public ulong Add(int fd, IEpollHandler handler)
    {
        ulong token;
        lock (_lock)
        {
            if (!_freeSlots.TryPop(out var index))
            {
                index = _slots.Length;
                var larger = new Slot[Math.Max(64, _slots.Length * 2)];
                Array.Copy(_slots, larger, _slots.Length);
                for (var i = _slots.Length; i < larger.Length; i++)
                {
                    larger[i] = new Slot();
                    if (i > index)
                    {
                        _freeSlots.Push(i);
                    }
                }

                Volatile.Write(ref _slots, larger);
            }

            var slot = _slots[index];
            slot.Handler = handler;
            token = ((ulong)slot.Generation << 32) | (uint)index;
        }

        var ev = stackalloc byte[16];
        Libc.SetEpollEvent(ev, Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET, token);
        if (Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, fd, ev) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Free(token);
            throw new IOException($"epoll_ctl(ADD) failed (errno {errno})");
        }

        return token;
    }

    /// <summary>Stops watching <paramref name="fd"/> (before it is closed); events already taken for it are dropped.</summary>
    public void Remove(int fd, ulong token)
    {
        Libc.EpollCtl(_epoll, Libc.EPOLL_CTL_DEL, fd, null);
        Free(token);
    }

    /// <summary>Runs <paramref name="handler"/>'s <see cref="IEpollHandler.OnEvents"/> with no bits on the loop's thread soon.</summary>
    public void Post(IEpollHandler handler)
    {
        _posted.Enqueue(handler);
        Wake();
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        _thread.Join();
        Libc.Close(_wake);
        Libc.Close(_epoll);
    }

    private void Free(ulong token)
    {
        lock (_lock)
        {
            var index = (int)(uint)token;
            var slot = _slots[index];
            if (slot.Generation == (uint)(token >> 32))
            {
                slot.Handler = null;
                slot.Generation++;
                _freeSlots.Push(index);
            }
        }
    }

    private void Wake()
    {
        ulong one = 1;
        Libc.Write(_wake, (byte*)&one, sizeof(ulong));
    }

    private void Run()
    {
        var size = Libc.EpollEventSize;
        var events = stackalloc byte[BatchSize * size];
        while (!_stopping)
        {
            var count = Libc.EpollWait(_epoll, events, BatchSize, -1);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                Log.EpollFailed(_logger, errno);
                return;
            }

            var slots = Volatile.Read(ref _slots);
            for (var i = 0; i < count; i++)
            {
                var data = Libc.EpollEventData(events + (i * size));
                if (data == ulong.MaxValue)
                {
                    RunPosted();
                    continue;
                }

                var index = (int)(uint)data;
                if (index >= slots.Length)
                {
                    slots = Volatile.Read(ref _slots);
                }

                var slot = slots[index];
                var handler = slot.Handler;
                if (handler is not null && slot.Generation == (uint)(data >> 32))
                {
                    Dispatch(handler, Libc.EpollEventBits(events + (i * size)));
                }
            }
        }
    }

    private void RunPosted()
    {
        ulong value;
        Libc.Read(_wake, (byte*)&value, sizeof(ulong));
        while (_posted.TryDequeue(out var handler))
        {
            Dispatch(handler, 0);
        }
    }

    private void Dispatch(IEpollHandler handler, uint events)
    {
        try
        {
            handler.OnEvents(events);
        }
        catch (Exception e)
        {
            // A handler's failure ends its own connection, never the loop the others depend on.
            Log.HandlerFailed(_logger, e);
        }
    }

    private sealed class Slot
    {
        public volatile IEpollHandler? Handler;
        public uint Generation;
    }
}
