namespace PercepNet.Audio.Tests;

/// <summary>A fresh temporary folder per test, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "percepnet-audio-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Builds WAV files byte by byte, independently of WavWriter, for the reader tests.</summary>
internal static class HandWav
{
    public static byte[] Chunk(string id, byte[] body)
    {
        var b = new List<byte>();
        b.AddRange(System.Text.Encoding.ASCII.GetBytes(id));
        b.AddRange(BitConverter.GetBytes((uint)body.Length));
        b.AddRange(body);
        if (body.Length % 2 == 1) b.Add(0);
        return b.ToArray();
    }

    public static byte[] Fmt(ushort tag, int channels, int rate, int bits, int blockAlign)
    {
        var b = new List<byte>();
        b.AddRange(BitConverter.GetBytes(tag));
        b.AddRange(BitConverter.GetBytes((ushort)channels));
        b.AddRange(BitConverter.GetBytes((uint)rate));
        b.AddRange(BitConverter.GetBytes((uint)(rate * blockAlign)));
        b.AddRange(BitConverter.GetBytes((ushort)blockAlign));
        b.AddRange(BitConverter.GetBytes((ushort)bits));
        return b.ToArray();
    }

    public static byte[] FmtExtensible(ushort subTag, int channels, int rate, int containerBits, int validBits, uint mask)
    {
        var b = new List<byte>(Fmt(0xFFFE, channels, rate, containerBits, channels * containerBits / 8));
        b.AddRange(BitConverter.GetBytes((ushort)22));
        b.AddRange(BitConverter.GetBytes((ushort)validBits));
        b.AddRange(BitConverter.GetBytes(mask));
        // KSDATAFORMAT_SUBTYPE_xxx GUID, written out byte by byte as it appears in files.
        b.AddRange(BitConverter.GetBytes(subTag));
        b.AddRange(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 });
        return b.ToArray();
    }

    public static byte[] Riff(params byte[][] chunks)
    {
        var body = chunks.SelectMany(c => c).ToArray();
        var b = new List<byte>();
        b.AddRange("RIFF"u8.ToArray());
        b.AddRange(BitConverter.GetBytes((uint)(body.Length + 4)));
        b.AddRange("WAVE"u8.ToArray());
        b.AddRange(body);
        return b.ToArray();
    }
}
