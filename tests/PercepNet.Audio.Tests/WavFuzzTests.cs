namespace PercepNet.Audio.Tests;

/// <summary>
/// Seeded fuzzing of the WAV reader (issue 15): thousands of mutants of valid files (bytes flipped,
/// header fields set to extremes, chunks cut, inserted or repeated). Each must either read or fail
/// with <see cref="InvalidDataException"/> naming the file; nothing else may escape, and reading
/// must stay within memory proportional to the file, not to its header.
/// </summary>
public sealed class WavFuzzTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static byte[][] Seeds()
    {
        var rng = new Random(5);
        byte[] Data(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }
        return
        [
            HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 16000, 16, 2)), HandWav.Chunk("data", Data(2000))),
            HandWav.Riff(HandWav.Chunk("LIST", Data(33)), HandWav.Chunk("fmt ", HandWav.Fmt(1, 2, 44100, 24, 6)), HandWav.Chunk("data", Data(3000))),
            HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(3, 1, 48000, 32, 4)), HandWav.Chunk("fact", Data(4)), HandWav.Chunk("data", Data(4000))),
            HandWav.Riff(HandWav.Chunk("fmt ", HandWav.FmtExtensible(1, 3, 96000, 32, 24, 7)), HandWav.Chunk("data", Data(1200))),
            HandWav.Riff(HandWav.Chunk("data", Data(800)), HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 8000, 8, 1))),
        ];
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var b = new List<byte>(seed);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits && b.Count > 0; e++)
        {
            int at = rng.Next(b.Count);
            switch (rng.Next(7))
            {
                case 0: b[at] = (byte)rng.Next(256); break;                                   // one byte
                case 1: b[at] ^= (byte)(1 << rng.Next(8)); break;                             // one bit
                case 2: b.RemoveRange(at, Math.Min(b.Count - at, 1 + rng.Next(64))); break;   // cut
                case 3: b.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(16)).Select(_ => (byte)rng.Next(256))); break;
                case 4:                                                                       // a 32-bit field to an extreme
                    if (at + 4 <= b.Count)
                    {
                        uint v = new[] { 0u, 1u, 0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 65535u, (uint)rng.Next() }[rng.Next(7)];
                        for (int k = 0; k < 4; k++) b[at + k] = (byte)(v >> (8 * k));
                    }
                    break;
                case 5:                                                                       // a 16-bit field (channels, align, bits)
                    if (at + 2 <= b.Count)
                    {
                        ushort v = new ushort[] { 0, 1, 3, 7, 64, 65, 65535, 32768 }[rng.Next(8)];
                        b[at] = (byte)v;
                        b[at + 1] = (byte)(v >> 8);
                    }
                    break;
                default: b.RemoveRange(at, b.Count - at); break;                             // truncate
            }
        }
        return b.ToArray();
    }

    [Fact]
    public void ThousandsOfMutantsReadOrFailCleanly()
    {
        const int Mutants = 4000;
        var rng = new Random(20261205);
        var seeds = Seeds();
        string path = _tmp.File("m.wav");
        int read = 0, refused = 0;
        long peak = 0;
        for (int i = 0; i < Mutants; i++)
        {
            byte[] bytes = Mutate(seeds[rng.Next(seeds.Length)], rng);
            File.WriteAllBytes(path, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using var r = new WavReader(path);
                var buf = new float[r.Channels][];
                for (int c = 0; c < buf.Length; c++) buf[c] = new float[1024];
                long frames = 0;
                int n;
                while ((n = r.Read(buf, 0, 1024)) > 0) frames += n;
                Assert.Equal(r.FrameCount, frames);
                Assert.True(frames * r.Format.BlockAlign <= bytes.Length, $"mutant {i}: {frames} frames from {bytes.Length} bytes");
                read++;
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith(path + ": ", e.Message);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutant {i} ({Convert.ToHexString(bytes.AsSpan(0, Math.Min(64, bytes.Length)))}...): {e.GetType().Name}: {e.Message}");
            }
            peak = Math.Max(peak, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        // Both outcomes happen; no mutant made the reader allocate more than a few buffers.
        Assert.InRange(read, Mutants / 20, Mutants);
        Assert.InRange(refused, Mutants / 20, Mutants);
        Assert.True(peak < 2_000_000, $"a mutant allocated {peak:N0} bytes");
    }
}
