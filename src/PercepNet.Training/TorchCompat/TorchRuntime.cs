using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace PercepNet.Training.TorchCompat;

/// <summary>
/// Initialises TorchSharp's CPU backend once per process, with a compatibility step for older
/// Linux C++ runtimes.
/// <para>
/// Why: TorchSharp 0.107.0's native shim libLibTorchSharp.so was linked against GCC 13's
/// libstdc++ and asks for symbol version GLIBCXX_3.4.32; Debian 12 ships GCC 12's libstdc++
/// (up to GLIBCXX_3.4.30), so the loader refuses the shim. The only symbol of that version,
/// std::ios_base_library_init (_ZSt21ios_base_library_initv), is never called by the shim.
/// Marking that version requirement weak (VER_FLG_WEAK) makes glibc accept the library.
/// </para>
/// <para>
/// How: before touching TorchSharp we dlopen the shim ourselves (TorchSharp's loader swallows the
/// loader's message and, on failure, copies all of libtorch, ~0.5 GB, into the output folder).
/// Only if that fails with a message naming GLIBCXX do we write a patched copy and load it:
/// in place over the copy in the build output (never a file in the NuGet cache), or, when that
/// file lives in the NuGet cache or cannot be written, into a per-user cache folder from which
/// it is loaded through a DllImport resolver. Then TorchSharp initialises as usual.
/// </para>
/// </summary>
public static class TorchRuntime
{
    /// <summary>The library whose version requirement is relaxed.</summary>
    public const string CxxRuntime = "libstdc++.so.6";

    /// <summary>The version the shim asks for and Debian 12 lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    /// <summary>File name of TorchSharp's native shim on Linux.</summary>
    public const string ShimFileName = "libLibTorchSharp.so";

    private static readonly Lock Gate = new();
    private static bool _initialized;
    private static IntPtr _shimHandle;

    /// <summary>Where the patched shim was written, or null when no patch was needed.</summary>
    public static string? PatchedShimPath { get; private set; }

    /// <summary>
    /// Loads TorchSharp's CPU backend (patching the shim when needed) and, when
    /// <paramref name="threads"/> &gt; 0, sets libtorch's intra-op thread count.
    /// Safe to call many times and from many threads.
    /// </summary>
    /// <param name="log">Receives one line when the compatibility patch is applied; null for silence.</param>
    /// <exception cref="DllNotFoundException">The shim cannot be loaded even after the patch.</exception>
    public static void EnsureInitialized(int threads = 0, TextWriter? log = null)
    {
        lock (Gate)
        {
            if (!_initialized)
            {
                if (OperatingSystem.IsLinux()) LoadShim(log);
                torch.InitializeDeviceType(DeviceType.CPU);
                _initialized = true;
            }
            if (threads > 0 && torch.get_num_threads() != threads) torch.set_num_threads(threads);
        }
    }

    private static void LoadShim(TextWriter? log)
    {
        string? shim = LocateShim();
        if (shim == null) return; // let TorchSharp's own probing report what is missing
        try
        {
            _shimHandle = NativeLibrary.Load(shim);
            return;
        }
        catch (DllNotFoundException e) when (e.Message.Contains("GLIBCXX", StringComparison.Ordinal))
        {
            log?.WriteLine($"TorchSharp shim does not load ({LoaderReason(e.Message)}); marking {MissingVersion} weak in a copy.");
        }

        string folder = Path.GetDirectoryName(shim)!;
        if (!IsInNuGetCache(shim) && TryPatchInPlace(shim))
        {
            PatchedShimPath = shim;
            _shimHandle = NativeLibrary.Load(shim);
            return;
        }

        // The shim's RUNPATH is $ORIGIN: load its libtorch dependencies from their own folder
        // first, so the copy elsewhere finds them by SONAME.
        foreach (string dep in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            string p = Path.Combine(folder, dep);
            if (File.Exists(p)) NativeLibrary.Load(p);
        }
        string cached = PatchIntoCache(shim);
        PatchedShimPath = cached;
        _shimHandle = NativeLibrary.Load(cached);
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, ResolveShim);
    }

    private static IntPtr ResolveShim(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == "LibTorchSharp" || name == ShimFileName ? _shimHandle : IntPtr.Zero;

    /// <summary>
    /// The shim next to the application: runtimes/linux-x64/native/ under the application folder
    /// or the folder of TorchSharp.dll, or directly in either folder. Null when absent.
    /// </summary>
    public static string? LocateShim()
    {
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" };
        foreach (string root in roots.Where(r => r.Length > 0).Distinct())
        {
            foreach (string candidate in new[]
            {
                Path.Combine(root, "runtimes", "linux-x64", "native", ShimFileName),
                Path.Combine(root, ShimFileName),
            })
            {
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    /// <summary>
    /// Writes <paramref name="source"/> with the <see cref="MissingVersion"/> requirement marked weak
    /// to <paramref name="destination"/> (atomically: a temporary file, then a rename; source and
    /// destination may be the same file).
    /// </summary>
    /// <returns>What the patcher found.</returns>
    public static ElfPatchOutcome WritePatchedCopy(string source, string destination)
    {
        byte[] bytes = File.ReadAllBytes(source);
        ElfPatchOutcome outcome;
        try
        {
            outcome = ElfVersionPatcher.MarkVersionNeedWeak(bytes, CxxRuntime, MissingVersion);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        // A unique temporary name: two processes starting at once may both patch the same copy.
        string tmp = $"{destination}.{Environment.ProcessId}.{Guid.NewGuid():N}.patching";
        File.WriteAllBytes(tmp, bytes);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(tmp, File.GetUnixFileMode(source) | UnixFileMode.UserExecute);
        File.Move(tmp, destination, overwrite: true);
        return outcome;
    }

    private static bool TryPatchInPlace(string shim)
    {
        try
        {
            WritePatchedCopy(shim, shim);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string PatchIntoCache(string shim)
    {
        string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(shim)))[..16].ToLowerInvariant();
        string cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string dir = Path.Combine(cacheRoot, "percepnet", "torchsharp-shim", hash);
        Directory.CreateDirectory(dir);
        string target = Path.Combine(dir, ShimFileName);
        if (!File.Exists(target)) WritePatchedCopy(shim, target);
        return target;
    }

    private static bool IsInNuGetCache(string path)
    {
        string? root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.GetFullPath(path).StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The loader's own words about the missing version (the exception message is long).</summary>
    private static string LoaderReason(string s) =>
        s.Split('\n', ':').FirstOrDefault(l => l.Contains("GLIBCXX", StringComparison.Ordinal))?.Trim() ?? s.Split('\n')[0].Trim();
}
