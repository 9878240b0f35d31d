using Xunit.Abstractions;

namespace PercepNet.Audio.Tests;

public sealed class StreamingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void OneHourFile_IsCopiedInConstantMemory()
    {
        // 1 h of 8 kHz mono 16-bit (58 MB): written, copied and scanned chunk by chunk. After the
        // first chunk nothing is allocated, so memory cannot grow with the length.
        const int Rate = 8000, Chunk = 8000;
        const long Frames = 3600L * Rate;
        var chunk = new[] { Signal.Sine(Chunk, 1000, Rate, 0.5) }; // 1 kHz: whole periods per chunk
        string src = _tmp.File("hour.wav"), dst = _tmp.File("copy.wav");
        using (var w = new WavWriter(src, WavFormat.Pcm16(Rate, 1)))
        {
            for (long i = 0; i < Frames; i += Chunk) w.Write(chunk, 0, Chunk);
            w.Complete();
        }
        Assert.Equal(44 + 2 * Frames, new FileInfo(src).Length);

        long copyAllocated;
        using (var r = new WavReader(src))
        using (var w = new WavWriter(dst, r.Format, src))
        {
            Assert.Equal(Frames, r.FrameCount);
            var buf = new[] { new float[Chunk] };
            w.Write(buf, 0, r.Read(buf, 0, Chunk)); // warm-up chunk
            long before = GC.GetAllocatedBytesForCurrentThread();
            int n;
            while ((n = r.Read(buf, 0, Chunk)) > 0) w.Write(buf, 0, n);
            copyAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
            w.Complete();
        }
        Assert.Equal(0, copyAllocated);
        Assert.Equal(new FileInfo(src).Length, new FileInfo(dst).Length);

        long infoBefore = GC.GetAllocatedBytesForCurrentThread();
        var info = AudioInfo.Read(dst);
        long infoAllocated = GC.GetAllocatedBytesForCurrentThread() - infoBefore;
        output.WriteLine($"{info}; AudioInfo allocated {infoAllocated} bytes for 1 h");
        Assert.Equal(Frames, info.Frames);
        Assert.Equal(TimeSpan.FromHours(1), info.Duration);
        Assert.InRange(info.PeakDbfs[0], -6.03, -6.02);          // 0.5 = -6.02 dBFS
        Assert.InRange(info.RmsDbfs[0], -9.04, -9.02);           // 0.5 / sqrt 2 = -9.03 dBFS
        Assert.True(infoAllocated < 200_000, $"AudioInfo allocated {infoAllocated} bytes");
    }

    [Fact]
    public void AudioInfo_ReportsFormatAndLevelsPerChannel()
    {
        var f = new WavFormat(WavEncoding.Pcm, 24, 44100, 3, Extensible: true, ChannelMask: 7);
        float[] fullScaleSquare = Enumerable.Range(0, 4500).Select(i => i % 2 == 0 ? -1f : 1f - 1f / 8388608).ToArray();
        float[] sine = Signal.Sine(4500, 441, 44100, 0.1); // 45 whole periods: exact RMS
        string path = _tmp.File("i.wav");
        AudioFile.Write(path, new AudioData(44100, [fullScaleSquare, sine, new float[4500]]), f);
        var seen = new List<double>();
        var info = AudioInfo.Read(path, seen.Add);
        Assert.Equal(WavFormat.TagExtensible, info.FormatTag);
        Assert.Equal(24, info.BitsPerSample);
        Assert.Equal(44100, info.SampleRate);
        Assert.Equal(3, info.Channels);
        Assert.Equal(4500, info.Frames);
        Assert.Equal(4500 / 44100.0, info.Duration.TotalSeconds, 6);
        Assert.Equal(0, info.PeakDbfs[0], 5);
        Assert.Equal(0, info.RmsDbfs[0], 5);
        Assert.Equal(-20, info.PeakDbfs[1], 3);
        Assert.Equal(-20 - 3.0103, info.RmsDbfs[1], 3);
        Assert.Equal(double.NegativeInfinity, info.PeakDbfs[2]);
        Assert.Equal(double.NegativeInfinity, info.RmsDbfs[2]);
        Assert.Equal(1.0, seen[^1]);
        Assert.Contains("PCM 24-bit (extensible), 44100 Hz, 3 ch", info.ToString());
        Assert.Equal(0, info.NonFiniteSamples);
    }

    [Fact]
    public void AudioInfo_CountsNonFiniteSamples_AndLeavesThemOutOfTheLevels()
    {
        string path = _tmp.File("nan.wav");
        AudioFile.Write(path, new AudioData(8000, [[0.5f, float.NaN, -0.25f, float.NegativeInfinity]]), 32);
        var info = AudioInfo.Read(path);
        Assert.Equal(2, info.NonFiniteSamples);
        Assert.Equal(20 * Math.Log10(0.5), info.PeakDbfs[0], 9);
        Assert.Equal(10 * Math.Log10((0.25 + 0.0625) / 4), info.RmsDbfs[0], 9);
        Assert.Contains("2 NaN/infinite samples", info.ToString());
    }
}
