using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Core.Files;

/// <summary>
/// The Linux calls the file manager needs, by file descriptor. .NET has no wrapper for openat2,
/// getdents64 or statx on a descriptor; every path handed to the kernel here is either one name
/// (no slash) relative to a directory descriptor, or resolved by openat2 beneath the root.
/// </summary>
internal static partial class Native
{
    public const int ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21,
        EINVAL = 22, EFBIG = 27, ENOSPC = 28, EROFS = 30, EMLINK = 31, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39,
        ELOOP = 40, EOPNOTSUPP = 95, EDQUOT = 122, EPERM = 1, ENXIO = 6, ETXTBSY = 26;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_NONBLOCK = 0x800,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000, O_TMPFILE = 0x410000;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;

    public const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;

    public const uint RENAME_NOREPLACE = 1;

    public const int S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000;

    private const uint STATX_BASIC_STATS = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    private static long OpenAt2Number => 437; // The same on x86_64 and arm64 (syscalls added after 4.x share numbers).

    private static long GetDents64Number => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 217,
        Architecture.Arm64 => 61,
        _ => throw new PlatformNotSupportedException("The file manager supports x86_64 and arm64 Linux."),
    };

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long SysOpenAt2(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long SysGetDents64(long number, int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static unsafe partial int SysOpenAt(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static unsafe partial int SysStatx(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true)]
    private static unsafe partial nint SysReadLinkAt(int dirfd, byte* path, byte* buffer, nuint size);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    private static unsafe partial int SysMkdirAt(int dirfd, byte* path, uint mode);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static unsafe partial int SysUnlinkAt(int dirfd, byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static unsafe partial int SysRenameAt2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true)]
    private static unsafe partial int SysLinkAt(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int SysFchmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint SysWrite(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int SysFsync(int fd);

    /// <summary>Zero-terminated UTF-8, as the kernel wants names.</summary>
    private static byte[] Z(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static int Errno() => Marshal.GetLastPInvokeError();

    /// <summary>openat2: returns a descriptor, or minus the errno. EAGAIN (a rename raced the lookup) is retried.</summary>
    public static unsafe int OpenAt2(int dirfd, string path, int flags, ulong resolve, uint mode = 0)
    {
        var how = new OpenHow { Flags = (ulong)(flags | O_CLOEXEC), Mode = mode, Resolve = resolve };
        var name = Z(path);
        for (var attempt = 0; ; attempt++)
        {
            long result;
            fixed (byte* p = name)
            {
                result = SysOpenAt2(OpenAt2Number, dirfd, p, &how, (nuint)sizeof(OpenHow));
            }

            if (result >= 0)
            {
                return (int)result;
            }

            var errno = Errno();
            if ((errno == EAGAIN || errno == EINTR) && attempt < 16)
            {
                continue;
            }

            return -errno;
        }
    }

    /// <summary>openat of one name (or "." for O_TMPFILE) relative to a directory descriptor.</summary>
    public static unsafe int OpenAt(int dirfd, string name, int flags, uint mode = 0)
    {
        fixed (byte* p = Z(name))
        {
            var fd = SysOpenAt(dirfd, p, flags | O_CLOEXEC, mode);
            return fd >= 0 ? fd : -Errno();
        }
    }

    /// <summary>statx of a name relative to a directory, never following a final link; an empty name means the descriptor itself.</summary>
    public static unsafe int Stat(int dirfd, string name, out StatInfo info)
    {
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* p = Z(name))
        {
            result = SysStatx(dirfd, p, AT_SYMLINK_NOFOLLOW | (name.Length == 0 ? AT_EMPTY_PATH : 0), STATX_BASIC_STATS, buffer);
        }

        if (result != 0)
        {
            info = default;
            return -Errno();
        }

        var span = new ReadOnlySpan<byte>(buffer, 256);
        info = new StatInfo(
            Mode: BitConverter.ToUInt16(span[28..]),
            Links: BitConverter.ToUInt32(span[16..]),
            Inode: BitConverter.ToUInt64(span[32..]),
            Size: (long)BitConverter.ToUInt64(span[40..]),
            ModifiedSeconds: BitConverter.ToInt64(span[112..]),
            ModifiedNanoseconds: BitConverter.ToUInt32(span[120..]),
            ChangedSeconds: BitConverter.ToInt64(span[96..]),
            ChangedNanoseconds: BitConverter.ToUInt32(span[104..]));
        return 0;
    }

    public static unsafe string? ReadLink(int dirfd, string name)
    {
        var buffer = new byte[4096];
        fixed (byte* p = Z(name))
        fixed (byte* b = buffer)
        {
            var length = SysReadLinkAt(dirfd, p, b, (nuint)buffer.Length);
            return length < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)length);
        }
    }

    /// <summary>The names in a directory (without . and ..), read with getdents64 from the descriptor.</summary>
    public static unsafe int ReadNames(int fd, List<string> names)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            long read;
            fixed (byte* b = buffer)
            {
                read = SysGetDents64(GetDents64Number, fd, b, (nuint)buffer.Length);
            }

            if (read < 0)
            {
                return -Errno();
            }

            if (read == 0)
            {
                return 0;
            }

            var offset = 0;
            while (offset < read)
            {
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                var recordLength = BitConverter.ToUInt16(buffer, offset + 16);
                var nameStart = offset + 19;
                var nameEnd = Array.IndexOf(buffer, (byte)0, nameStart, recordLength - 19);
                var name = Encoding.UTF8.GetString(buffer, nameStart, (nameEnd < 0 ? offset + recordLength : nameEnd) - nameStart);
                if (name is not "." and not "..")
                {
                    names.Add(name);
                }

                offset += recordLength;
            }
        }
    }

    public static unsafe int MkdirAt(int dirfd, string name, uint mode)
    {
        fixed (byte* p = Z(name))
        {
            return SysMkdirAt(dirfd, p, mode) == 0 ? 0 : -Errno();
        }
    }

    public static unsafe int UnlinkAt(int dirfd, string name, bool directory)
    {
        fixed (byte* p = Z(name))
        {
            return SysUnlinkAt(dirfd, p, directory ? AT_REMOVEDIR : 0) == 0 ? 0 : -Errno();
        }
    }

    public static unsafe int RenameAt(int fromDir, string from, int toDir, string to, uint flags)
    {
        fixed (byte* a = Z(from))
        fixed (byte* b = Z(to))
        {
            return SysRenameAt2(fromDir, a, toDir, b, flags) == 0 ? 0 : -Errno();
        }
    }

    /// <summary>Gives an O_TMPFILE descriptor a name (linkat with AT_EMPTY_PATH: needs CAP_DAC_READ_SEARCH).</summary>
    public static unsafe int LinkDescriptor(int fd, int dirfd, string name)
    {
        fixed (byte* empty = Z(""))
        fixed (byte* b = Z(name))
        {
            return SysLinkAt(fd, empty, dirfd, b, AT_EMPTY_PATH) == 0 ? 0 : -Errno();
        }
    }

    public static int Fchmod(int fd, uint mode) => SysFchmod(fd, mode) == 0 ? 0 : -Errno();

    public static int Fsync(int fd) => SysFsync(fd) == 0 ? 0 : -Errno();

    /// <summary>Writes all of <paramref name="data"/>; 0 or minus the errno.</summary>
    public static unsafe int WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* b = data)
        {
            var written = 0;
            while (written < data.Length)
            {
                var n = SysWrite(fd, b + written, (nuint)(data.Length - written));
                if (n < 0)
                {
                    var errno = Errno();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    return -errno;
                }

                written += (int)n;
            }

            return 0;
        }
    }
}

/// <summary>What statx says about one entry (the entry itself: links are not followed).</summary>
internal readonly record struct StatInfo(ushort Mode, uint Links, ulong Inode, long Size, long ModifiedSeconds, uint ModifiedNanoseconds, long ChangedSeconds, uint ChangedNanoseconds)
{
    public int Type => Mode & Native.S_IFMT;

    public bool IsDirectory => Type == Native.S_IFDIR;

    public bool IsRegular => Type == Native.S_IFREG;

    public bool IsLink => Type == Native.S_IFLNK;

    public DateTimeOffset Modified => DateTimeOffset.FromUnixTimeSeconds(ModifiedSeconds).AddTicks(ModifiedNanoseconds / 100);
}
