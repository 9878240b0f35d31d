using System.Buffers.Binary;
using System.Text;
using PercepNet.Training.TorchCompat;
using TorchSharp;

namespace PercepNet.Training.Tests;

[Collection(TorchCollection.Name)]
public sealed class TorchCompatTests : TempDirTest
{
    /// <summary>
    /// A minimal ELF64 LE file: header, .shstrtab, .dynstr, and a .gnu.version_r needing
    /// GLIBC_2.2.5 from libc.so.6 and GLIBCXX_3.4.30 + GLIBCXX_3.4.32 from libstdc++.so.6.
    /// Returns the bytes and the file offset of the GLIBCXX_3.4.32 Vernaux entry.
    /// </summary>
    private static (byte[] Elf, int TargetAux) BuildElf()
    {
        var shstr = Encoding.ASCII.GetBytes("\0.shstrtab\0.dynstr\0.gnu.version_r\0");
        var dynstr = Encoding.ASCII.GetBytes("\0libc.so.6\0libstdc++.so.6\0GLIBC_2.2.5\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0");
        int Str(byte[] table, string s) => Encoding.ASCII.GetString(table).IndexOf("\0" + s + "\0", StringComparison.Ordinal) + 1;

        int shstrOff = 64, dynstrOff = shstrOff + shstr.Length;
        int verOff = (dynstrOff + dynstr.Length + 7) / 8 * 8;
        int verSize = 2 * 16 + 3 * 16;
        int shOff = (verOff + verSize + 7) / 8 * 8;
        var f = new byte[shOff + 4 * 64];
        var s = f.AsSpan();
        s[0] = 0x7f; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F'; s[4] = 2; s[5] = 1; s[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x10..], 3); // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x12..], 62); // EM_X86_64
        BinaryPrimitives.WriteUInt64LittleEndian(s[0x28..], (ulong)shOff);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x34..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x3A..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x3C..], 4);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x3E..], 1);
        shstr.CopyTo(s[shstrOff..]);
        dynstr.CopyTo(s[dynstrOff..]);

        void Need(int at, string file, int count, int next)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan()[at..], 1);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan()[(at + 2)..], (ushort)count);
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan()[(at + 4)..], (uint)Str(dynstr, file));
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan()[(at + 8)..], 16);
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan()[(at + 12)..], (uint)next);
        }
        void Aux(int at, string name, int other, int next)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan()[at..], 0x1234);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan()[(at + 6)..], (ushort)other);
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan()[(at + 8)..], (uint)Str(dynstr, name));
            BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan()[(at + 12)..], (uint)next);
        }
        Need(verOff, "libc.so.6", 1, 32);
        Aux(verOff + 16, "GLIBC_2.2.5", 2, 0);
        Need(verOff + 32, "libstdc++.so.6", 2, 0);
        Aux(verOff + 48, "GLIBCXX_3.4.30", 3, 16);
        Aux(verOff + 64, "GLIBCXX_3.4.32", 4, 0);

        void Section(int index, string name, uint type, int offset, int size, uint link, uint info)
        {
            var h = f.AsSpan(shOff + index * 64, 64);
            BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)Str(shstr, name));
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], type);
            BinaryPrimitives.WriteUInt64LittleEndian(h[24..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(h[32..], (ulong)size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[40..], link);
            BinaryPrimitives.WriteUInt32LittleEndian(h[44..], info);
        }
        Section(1, ".shstrtab", 3, shstrOff, shstr.Length, 0, 0);
        Section(2, ".dynstr", 3, dynstrOff, dynstr.Length, 0, 0);
        Section(3, ".gnu.version_r", ElfVersionPatcher.ShtGnuVerneed, verOff, verSize, 2, 2);
        return (f, verOff + 64);
    }

    [Fact]
    public void PatchesOnlyTheNamedVersionOfTheNamedFile()
    {
        var (elf, target) = BuildElf();
        var original = (byte[])elf.Clone();
        Assert.Equal(
            [("libc.so.6", "GLIBC_2.2.5", false), ("libstdc++.so.6", "GLIBCXX_3.4.30", false), ("libstdc++.so.6", "GLIBCXX_3.4.32", false)],
            ElfVersionPatcher.ListVersionNeeds(elf));

        Assert.Equal(ElfPatchOutcome.NotNeeded, ElfVersionPatcher.MarkVersionNeedWeak(elf, "libc.so.6", "GLIBCXX_3.4.32"));
        Assert.Equal(original, elf);
        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionPatcher.MarkVersionNeedWeak(elf, "libstdc++.so.6", "GLIBCXX_3.4.32"));
        var changed = Enumerable.Range(0, elf.Length).Where(i => elf[i] != original[i]).ToArray();
        Assert.Equal([target + 4], changed); // low byte of vna_flags
        Assert.Equal(ElfVersionPatcher.VerFlagWeak, elf[target + 4]);
        Assert.Equal(
            [("libc.so.6", "GLIBC_2.2.5", false), ("libstdc++.so.6", "GLIBCXX_3.4.30", false), ("libstdc++.so.6", "GLIBCXX_3.4.32", true)],
            ElfVersionPatcher.ListVersionNeeds(elf));
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionPatcher.MarkVersionNeedWeak(elf, "libstdc++.so.6", "GLIBCXX_3.4.32"));
    }

    [Fact]
    public void RejectsMalformedFiles()
    {
        var (elf, _) = BuildElf();
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionNeedWeak(new byte[100], "x", "y"));
        var elf32 = (byte[])elf.Clone();
        elf32[4] = 1;
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionNeedWeak(elf32, "x", "y"));
        // Section headers cut off.
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionNeedWeak(elf.AsSpan(0, elf.Length - 10).ToArray(), "x", "y"));
        // .gnu.version_r pointing past the end of the file.
        var bad = (byte[])elf.Clone();
        int shOff = (int)BinaryPrimitives.ReadUInt64LittleEndian(bad.AsSpan(0x28));
        BinaryPrimitives.WriteUInt64LittleEndian(bad.AsSpan(shOff + 3 * 64 + 24), (ulong)bad.Length);
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionNeedWeak(bad, "x", "y"));
    }

    [SkippableFact]
    public void PatchesACopyOfTheRealShim()
    {
        string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } n ? n
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string source = Path.Combine(nuget, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchRuntime.ShimFileName);
        if (!File.Exists(source)) source = TorchRuntime.LocateShim() ?? "";
        Skip.IfNot(File.Exists(source), "TorchSharp's libLibTorchSharp.so not found (not a linux-x64 restore)");
        var before = File.ReadAllBytes(source);
        string copy = Path.Combine(Dir, TorchRuntime.ShimFileName);
        var outcome = TorchRuntime.WritePatchedCopy(source, copy);
        Assert.Equal(before, File.ReadAllBytes(source)); // the source is never modified
        var after = File.ReadAllBytes(copy);
        var needsBefore = ElfVersionPatcher.ListVersionNeeds(before);
        var needsAfter = ElfVersionPatcher.ListVersionNeeds(after);
        Skip.If(outcome == ElfPatchOutcome.NotNeeded, "this TorchSharp build does not need GLIBCXX_3.4.32");
        Assert.Equal(needsBefore.Count, needsAfter.Count);
        for (int i = 0; i < needsBefore.Count; i++)
        {
            bool isTarget = needsBefore[i].Version == TorchRuntime.MissingVersion;
            Assert.Equal(isTarget || needsBefore[i].Weak, needsAfter[i].Weak);
        }
        int diffs = Enumerable.Range(0, before.Length).Count(i => before[i] != after[i]);
        Assert.Equal(outcome == ElfPatchOutcome.Patched ? 1 : 0, diffs);
    }

    [SkippableFact]
    public void OnAnOldLibStdCxxTheShimInTheOutputIsPatchedInPlace()
    {
        string? libstdcxx = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
        Skip.If(libstdcxx == null, "no system libstdc++.so.6 found");
        bool hasVersion = File.ReadAllBytes(libstdcxx!).AsSpan().IndexOf(Encoding.ASCII.GetBytes(TorchRuntime.MissingVersion + "\0")) >= 0;
        Skip.If(hasVersion, $"{libstdcxx} provides {TorchRuntime.MissingVersion}: no patch needed here");
        Synthetic.Torch();
        string? shim = TorchRuntime.LocateShim();
        Skip.If(shim == null, "shim not in the output folder");
        var needs = ElfVersionPatcher.ListVersionNeeds(File.ReadAllBytes(shim!));
        Assert.Contains((TorchRuntime.CxxRuntime, TorchRuntime.MissingVersion, true), needs);
    }

    [Fact]
    public void TorchInitialisesAndComputes()
    {
        Synthetic.Torch();
        using var x = torch.ones(3);
        Assert.Equal(3f, x.sum().item<float>());
        Assert.Equal(1, torch.get_num_threads());
    }
}
