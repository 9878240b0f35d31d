using System.Buffers.Binary;
using System.Text;

namespace PercepNet.Training.TorchCompat;

/// <summary>What <see cref="ElfVersionPatcher.MarkVersionNeedWeak"/> did.</summary>
public enum ElfPatchOutcome
{
    /// <summary>The version need was found and its VER_FLG_WEAK flag set.</summary>
    Patched,
    /// <summary>The version need was already weak; nothing changed.</summary>
    AlreadyWeak,
    /// <summary>The file needs no such version (no .gnu.version_r entry of that name).</summary>
    NotNeeded,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF64 little-endian shared library as weak, so the
/// dynamic loader accepts a library whose dependency lacks that version (glibc then only fails if
/// a symbol of that version is actually bound, which for a never-called function is never).
/// <para>
/// Layout used (System V gABI and the GNU symbol-versioning extension):
/// ELF header: e_shoff at 0x28 (u64), e_shentsize at 0x3A, e_shnum at 0x3C, e_shstrndx at 0x3E (u16).
/// Section header (64 bytes): sh_name u32 @0, sh_type u32 @4, sh_offset u64 @24, sh_size u64 @32,
/// sh_link u32 @40 (the string table of the names), sh_info u32 @44 (number of Verneed entries).
/// Verneed (16 bytes): vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
/// Vernaux (16 bytes): vna_hash u32, vna_flags u16 @4, vna_other u16, vna_name u32 @8, vna_next u32 @12.
/// Offsets vn_aux / vn_next are relative to the current Verneed, vna_next to the current Vernaux.
/// </para>
/// </summary>
public static class ElfVersionPatcher
{
    /// <summary>SHT_GNU_verneed: the section type of .gnu.version_r.</summary>
    public const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>VER_FLG_WEAK in vna_flags: a missing version is not an error.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const int ElfHeaderBytes = 64;
    private const int SectionHeaderBytes = 64;
    private const int VerneedBytes = 16;
    private const int VernauxBytes = 16;

    /// <summary>
    /// Sets VER_FLG_WEAK on the Vernaux entry named <paramref name="versionName"/> (for example
    /// "GLIBCXX_3.4.32") needed from <paramref name="fromFile"/> (for example "libstdc++.so.6").
    /// Only those two bytes of <paramref name="elf"/> change.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, or a header, section,
    /// string or version entry lies outside the file.</exception>
    public static ElfPatchOutcome MarkVersionNeedWeak(Span<byte> elf, string fromFile, string versionName)
    {
        var need = FindVersionNeed(elf, fromFile, versionName);
        if (need < 0) return ElfPatchOutcome.NotNeeded;
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[(need + 4)..]);
        if ((flags & VerFlagWeak) != 0) return ElfPatchOutcome.AlreadyWeak;
        BinaryPrimitives.WriteUInt16LittleEndian(elf[(need + 4)..], (ushort)(flags | VerFlagWeak));
        return ElfPatchOutcome.Patched;
    }

    /// <summary>The version requirements of the file, as (file, version, weak) in file order.</summary>
    public static List<(string File, string Version, bool Weak)> ListVersionNeeds(ReadOnlySpan<byte> elf)
    {
        var list = new List<(string, string, bool)>();
        foreach (var (file, version, flags, _) in Walk(elf)) list.Add((file, version, (flags & VerFlagWeak) != 0));
        return list;
    }

    private static int FindVersionNeed(ReadOnlySpan<byte> elf, string fromFile, string versionName)
    {
        foreach (var (file, version, _, auxOffset) in Walk(elf))
            if (file == fromFile && version == versionName) return auxOffset;
        return -1;
    }

    /// <summary>Every Vernaux entry: the file it is needed from, its name, flags and file offset.</summary>
    private static List<(string File, string Version, ushort Flags, int AuxOffset)> Walk(ReadOnlySpan<byte> elf)
    {
        var result = new List<(string, string, ushort, int)>();
        if (elf.Length < ElfHeaderBytes || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (magic 7F 'ELF' missing)");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"ELF class {elf[4]} / data encoding {elf[5]}: only ELF64 little-endian (2 / 1) is supported");
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        if (shnum == 0) return result; // no section headers: nothing to patch
        if (shentsize != SectionHeaderBytes)
            throw new InvalidDataException($"ELF section header size {shentsize}, expected {SectionHeaderBytes}");
        Range(elf, shoff, (ulong)shnum * SectionHeaderBytes, "section header table");

        for (int s = 0; s < shnum; s++)
        {
            var sh = elf.Slice((int)shoff + s * SectionHeaderBytes, SectionHeaderBytes);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(sh[32..]);
            uint link = BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]);
            Range(elf, offset, size, "section .gnu.version_r");
            if (link >= shnum) throw new InvalidDataException($".gnu.version_r links to section {link} of {shnum}");
            var strSh = elf.Slice((int)shoff + (int)link * SectionHeaderBytes, SectionHeaderBytes);
            ulong strOffset = BinaryPrimitives.ReadUInt64LittleEndian(strSh[24..]);
            ulong strSize = BinaryPrimitives.ReadUInt64LittleEndian(strSh[32..]);
            Range(elf, strOffset, strSize, "string table of .gnu.version_r");
            var strings = elf.Slice((int)strOffset, (int)strSize);

            ulong need = 0;
            for (uint n = 0; n < count; n++)
            {
                if (need + VerneedBytes > size) throw new InvalidDataException($"Verneed entry {n} at {need} lies outside .gnu.version_r ({size} bytes)");
                var vn = elf.Slice((int)(offset + need), VerneedBytes);
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string file = ReadString(strings, BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                ulong aux = need + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                for (int a = 0; a < cnt; a++)
                {
                    if (aux + VernauxBytes > size) throw new InvalidDataException($"Vernaux entry {a} of {file} at {aux} lies outside .gnu.version_r ({size} bytes)");
                    var va = elf.Slice((int)(offset + aux), VernauxBytes);
                    result.Add((file, ReadString(strings, BinaryPrimitives.ReadUInt32LittleEndian(va[8..])),
                        BinaryPrimitives.ReadUInt16LittleEndian(va[4..]), (int)(offset + aux)));
                    uint next = BinaryPrimitives.ReadUInt32LittleEndian(va[12..]);
                    if (next == 0) break;
                    aux += next;
                }
                uint vnNext = BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
                if (vnNext == 0) break;
                need += vnNext;
            }
        }
        return result;
    }

    private static void Range(ReadOnlySpan<byte> elf, ulong offset, ulong size, string what)
    {
        if (offset > (ulong)elf.Length || size > (ulong)elf.Length - offset)
            throw new InvalidDataException($"ELF {what} at {offset} ({size} bytes) lies outside the file ({elf.Length} bytes)");
    }

    private static string ReadString(ReadOnlySpan<byte> table, uint index)
    {
        if (index >= table.Length) throw new InvalidDataException($"ELF string index {index} outside its table ({table.Length} bytes)");
        var s = table[(int)index..];
        int end = s.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"ELF string at {index} is not terminated");
        return Encoding.ASCII.GetString(s[..end]);
    }
}
