using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Berth.Proxy.Transport;

/// <summary>The few Linux calls the edge's transport makes itself.</summary>
internal static unsafe partial class Libc
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;

    public const uint EPOLLIN = 0x001;
    public const uint EPOLLOUT = 0x004;
    public const uint EPOLLERR = 0x008;
    public const uint EPOLLHUP = 0x010;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;

    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CLOEXEC = 0x80000;

    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_PEEK = 0x2;
    public const int MSG_DONTWAIT = 0x40;
    public const int SHUT_RDWR = 2;

    // struct epoll_event { uint32_t events; uint64_t data; }: packed (12 bytes) on x86-64 only.
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>The size of one <c>struct epoll_event</c> on this machine.</summary>
    public static int EpollEventSize => DataOffset + sizeof(ulong);

    public static void SetEpollEvent(byte* at, uint events, ulong data)
    {
        *(uint*)at = events;
        Unsafe.WriteUnaligned(at + DataOffset, data);
    }

    public static uint EpollEventBits(byte* at) => *(uint*)at;

    public static ulong EpollEventData(byte* at) => Unsafe.ReadUnaligned<ulong>(at + DataOffset);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nint length, int flags);

    /// <summary><c>recv</c> into a span of pinned or pinnable memory; the error is in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static nint Recv(int fd, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            return Recv(fd, start, buffer.Length, 0);
        }
    }

    /// <summary>
    /// Sends <paramref name="data"/> without SIGPIPE until all of it is sent or the socket buffer is full;
    /// <paramref name="data"/> is left as what remains. Returns 0 when all was sent, <see cref="EAGAIN"/>
    /// when the buffer is full, or the errno that failed the send.
    /// </summary>
    public static int SendAll(int fd, ref ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint sent;
            fixed (byte* start = data.Span)
            {
                sent = Send(fd, start, data.Length, MSG_NOSIGNAL);
            }

            if (sent >= 0)
            {
                data = data[(int)sent..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                return errno;
            }
        }

        return 0;
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint length);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint length);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, int* value, int* length);
}
