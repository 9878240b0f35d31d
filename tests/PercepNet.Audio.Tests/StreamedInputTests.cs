using PercepNet.Dsp;
using System.Diagnostics;

namespace PercepNet.Audio.Tests;

/// <summary>WAV from pipes and FIFOs, and headers that claim more than any real file has (issue 15).</summary>
public sealed class StreamedInputTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A FIFO at <paramref name="path"/> that a background task fills with <paramref name="bytes"/> once opened.</summary>
    private static Task Fifo(string path, byte[] bytes)
    {
        using (var p = Process.Start("mkfifo", [path])!) p.WaitForExit();
        return Task.Run(() =>
        {
            using var w = new FileStream(path, FileMode.Open, FileAccess.Write);
            try { w.Write(bytes); }
            catch (IOException) { } // the reader may stop early (an error test)
        });
    }

    private static byte[] Pcm16(int frames, int channels, int seed)
    {
        var rng = new Random(seed);
        var b = new byte[frames * channels * 2];
        rng.NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(0x7FFFF000u)] // sox on a pipe: a large guess
    [InlineData(0xFFFFFFFFu)] // "unknown"
    [InlineData(0u)]          // some streaming writers
    [InlineData(8000u * 4)]   // the truth
    public async Task AFifoReadsLikeTheFileWhateverTheHeaderClaims(uint claimedDataBytes)
    {
        if (!OperatingSystem.IsLinux()) return;
        byte[] data = Pcm16(8000, 2, 1);
        byte[] file = HandWav.Riff(HandWav.Chunk("LIST", new byte[7]), HandWav.Chunk("fmt ", HandWav.Fmt(1, 2, 16000, 16, 4)), HandWav.Chunk("data", data));
        string regular = _tmp.File("x.wav");
        File.WriteAllBytes(regular, file);
        // The same bytes with the claimed size, plus a partial last frame.
        byte[] piped = [.. file, 0x12];
        int dataSizeAt = file.Length - data.Length - 4;
        BitConverter.GetBytes(claimedDataBytes).CopyTo(piped, dataSizeAt);
        string fifo = _tmp.File("f.wav");
        var writer = Fifo(fifo, piped);
        var a = AudioFile.Read(regular);
        using (var r = new WavReader(fifo))
        {
            Assert.True(r.Streamed);
            var buf = new[] { new float[3000], new float[3000] };
            var got = new[] { new List<float>(), new List<float>() };
            int n;
            while ((n = r.Read(buf, 0, 3000)) > 0)
                for (int c = 0; c < 2; c++) got[c].AddRange(buf[c].AsSpan(0, n).ToArray());
            Assert.Equal(8000, r.FrameCount);
            for (int c = 0; c < 2; c++) Assert.Equal(a.Channels[c], got[c].ToArray());
        }
        await writer;
    }

    [Fact]
    public async Task AFifoThroughThePipelineGivesTheFilesOutputAndLength()
    {
        if (!OperatingSystem.IsLinux()) return;
        byte[] file = HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 22050, 16, 2)), HandWav.Chunk("data", Pcm16(22050 + 77, 1, 2)));
        string regular = _tmp.File("x.wav");
        File.WriteAllBytes(regular, file);
        byte[] piped = (byte[])file.Clone();
        BitConverter.GetBytes(0xFFFFFFFFu).CopyTo(piped, 40);
        string fifo = _tmp.File("f.wav");
        var writer = Fifo(fifo, piped);
        AudioPipeline.ProcessFile(fifo, _tmp.File("from-fifo.wav"), _ => new Halver());
        await writer;
        AudioPipeline.ProcessFile(regular, _tmp.File("from-file.wav"), _ => new Halver());
        Assert.Equal(File.ReadAllBytes(_tmp.File("from-file.wav")), File.ReadAllBytes(_tmp.File("from-fifo.wav")));
        Assert.Equal(22050 + 77, AudioFile.Read(_tmp.File("from-fifo.wav")).Length);
    }

    private sealed class Halver : IFrameProcessor
    {
        public int LatencySamples => 100;
        public void Reset() { }
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            for (int i = 0; i < input.Length; i++) output[i] = 0.5f * input[i];
        }
    }

    [Fact]
    public async Task APipeWithTheFmtChunkAfterTheDataSaysSo()
    {
        if (!OperatingSystem.IsLinux()) return;
        byte[] file = HandWav.Riff(HandWav.Chunk("data", new byte[400]), HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 16000, 16, 2)));
        string fifo = _tmp.File("late.wav");
        var writer = Fifo(fifo, file);
        var e = Assert.Throws<InvalidDataException>(() => new WavReader(fifo));
        Assert.Contains("late.wav", e.Message);
        Assert.Contains("before the fmt chunk", e.Message);
        await writer;
    }

    [Theory]
    [InlineData(65535, 48000, "at most 64")]
    [InlineData(1, 1, "supported: 1000 to 768000 Hz")]
    [InlineData(2, 4_000_000, "supported: 1000 to 768000 Hz")]
    public void HeadersBeyondAnyRealFileAreRefusedBeforeAnythingIsAllocated(int channels, int rate, string expected)
    {
        int align = channels * 2;
        string path = _tmp.File("huge.wav");
        File.WriteAllBytes(path, HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, channels, rate, 16, align % 65536)), HandWav.Chunk("data", new byte[align % 65536 * 4])));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InvalidDataException>(() => new WavReader(path));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 10_000_000);
        Assert.Contains("huge.wav", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
