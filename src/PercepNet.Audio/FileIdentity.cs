using System.Runtime.InteropServices;

namespace PercepNet.Audio;

/// <summary>
/// Whether two paths name the same file or folder: by identity (device and inode, after the system
/// resolved every link of the path) where the system tells it, so a symlinked folder, a hard link,
/// <c>/proc/self/cwd/...</c> or <c>a/../b</c> cannot make an output overwrite its input. Elsewhere
/// (Windows, macOS) by the full path with every link resolved.
/// </summary>
public static class FileIdentity
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are the same existing file or folder.</summary>
    /// <remarks>A path that does not exist yet is never the same as another: nothing is there to lose.</remarks>
    public static bool Same(string a, string b)
    {
        ArgumentException.ThrowIfNullOrEmpty(a);
        ArgumentException.ThrowIfNullOrEmpty(b);
        if (OperatingSystem.IsLinux() && LinuxId(a) is { } ia && LinuxId(b) is { } ib) return ia == ib;
        if (!Path.Exists(a) || !Path.Exists(b)) return false;
        var cmp = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return string.Equals(Resolve(a), Resolve(b), cmp);
    }

    /// <summary>(device, inode) of an existing path on Linux, following every link; null when it does not exist.</summary>
    private static (ulong Device, ulong Inode)? LinuxId(string path)
    {
        // struct stat on Linux (x86-64, arm64, and the generic 64-bit layout): st_dev (8 bytes) then st_ino (8 bytes).
        var buf = new byte[256];
        try
        {
            if (Stat(path, buf) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // a libc without stat(): the path comparison below decides
        }
        return (BitConverter.ToUInt64(buf, 0), BitConverter.ToUInt64(buf, 8));
    }

    /// <summary>
    /// True when <paramref name="path"/> is a FIFO, socket or device rather than a regular file or
    /// folder (Linux on x64 and arm64; false where the system does not say). Opening a FIFO nobody
    /// writes to would wait for ever, so folder runs skip such files with an error.
    /// </summary>
    public static bool IsSpecial(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        int modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24, // st_dev, st_ino, st_nlink (8 bytes each), st_mode
            Architecture.Arm64 => 16, // st_dev, st_ino (8 bytes each), st_mode
            _ => -1,
        };
        if (modeOffset < 0) return false;
        var buf = new byte[256];
        try
        {
            if (Stat(path, buf) != 0) return false;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
        uint type = BitConverter.ToUInt32(buf, modeOffset) & 0xF000; // S_IFMT
        return type is not (0x8000 or 0x4000); // S_IFREG, S_IFDIR
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buf);

    /// <summary>The full path with every component's link resolved.</summary>
    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full) ?? "";
        string current = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            try
            {
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.ResolveLinkTarget(returnFinalTarget: true) is { } target) current = Path.GetFullPath(target.FullName);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return current;
    }
}
