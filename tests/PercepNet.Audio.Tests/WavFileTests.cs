using NAudio.Wave;

namespace PercepNet.Audio.Tests;

public sealed class WavFileTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>Random samples that the format represents exactly, so write -> read must be lossless.</summary>
    private static float[][] ExactSamples(WavFormat f, int frames, int seed)
    {
        var rng = new Random(seed);
        var ch = new float[f.Channels][];
        for (int c = 0; c < ch.Length; c++)
        {
            ch[c] = new float[frames];
            for (int i = 0; i < frames; i++)
                ch[c][i] = (f.Encoding, f.BitsPerSample) switch
                {
                    (WavEncoding.Pcm, 32) => rng.Next(-(1 << 23), 1 << 23) / 8388608f, // 24 significant bits: exact in float
                    (WavEncoding.Pcm, var b) => rng.Next(-(1 << (b - 1)), 1 << (b - 1)) / (float)(1 << (b - 1)),
                    _ => (float)(rng.NextDouble() * 4 - 2), // float files may exceed +-1
                };
            // Include the extremes of the integer range.
            if (f.Encoding == WavEncoding.Pcm && frames >= 2) { ch[c][0] = -1f; ch[c][1] = 1f - 1f / (1 << Math.Min(f.BitsPerSample - 1, 23)); }
        }
        return ch;
    }

    public static TheoryData<WavEncoding, int, int, int, bool> Formats() => new()
    {
        { WavEncoding.Pcm, 8, 8000, 1, false },
        { WavEncoding.Pcm, 16, 48000, 1, false },
        { WavEncoding.Pcm, 16, 44100, 2, false },
        { WavEncoding.Pcm, 24, 96000, 2, false },
        { WavEncoding.Pcm, 24, 22050, 3, true },
        { WavEncoding.Pcm, 32, 16000, 2, false },
        { WavEncoding.Pcm, 32, 12345, 1, true },
        { WavEncoding.IeeeFloat, 32, 48000, 6, false },
        { WavEncoding.IeeeFloat, 32, 11025, 2, true },
        { WavEncoding.IeeeFloat, 64, 32000, 1, false },
        { WavEncoding.IeeeFloat, 64, 24000, 2, true },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void WriteThenRead_IsLossless_AndKeepsFormat(WavEncoding enc, int bits, int rate, int channels, bool extensible)
    {
        var f = new WavFormat(enc, bits, rate, channels, extensible, extensible ? 0x3Fu >> (6 - Math.Min(channels, 6)) : 0);
        var samples = ExactSamples(f, 1001, seed: bits * 7 + channels); // odd length: exercises the pad byte for 8-bit mono
        string path = _tmp.File("x.wav");
        AudioFile.Write(path, new AudioData(rate, samples), f);

        var back = AudioFile.Read(path);
        Assert.Equal(f, back.SourceFormat);
        Assert.Equal(rate, back.SampleRate);
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < samples[c].Length; i++)
                Assert.True(samples[c][i] == back.Channels[c][i], $"{f}: channel {c} frame {i}: wrote {samples[c][i]}, read {back.Channels[c][i]}");

        // Writing what was read reproduces the file byte for byte.
        string again = _tmp.File("y.wav");
        AudioFile.Write(again, back);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void NAudioReadsWhatWeWrite(int bits)
    {
        // Independent check of our headers: NAudio's parser sees the same format and samples.
        var f = bits == 32 ? WavFormat.Float32(44100, 2) : new WavFormat(WavEncoding.Pcm, bits, 44100, 2);
        var samples = ExactSamples(f, 500, seed: bits);
        string path = _tmp.File("n.wav");
        AudioFile.Write(path, new AudioData(44100, samples), f);
        using var r = new WaveFileReader(path);
        Assert.Equal(bits, r.WaveFormat.BitsPerSample);
        Assert.Equal(2, r.WaveFormat.Channels);
        Assert.Equal(500, r.SampleCount);
        var sp = r.ToSampleProvider();
        var buf = new float[1000];
        Assert.Equal(1000, sp.Read(buf.AsSpan()));
        for (int i = 0; i < 500; i++)
            for (int c = 0; c < 2; c++)
                Assert.True(Math.Abs(buf[2 * i + c] - samples[c][i]) <= 1e-7f, $"frame {i} ch {c}: NAudio {buf[2 * i + c]}, ours {samples[c][i]}");
    }

    [Fact]
    public void ReadsNAudio24BitFile()
    {
        string path = _tmp.File("n24.wav");
        var rng = new Random(5);
        var ints = Enumerable.Range(0, 300).Select(_ => rng.Next(-(1 << 23), 1 << 23)).ToArray();
        using (var w = new WaveFileWriter(path, new WaveFormat(22050, 24, 1)))
            foreach (int v in ints) w.Write([(byte)v, (byte)(v >> 8), (byte)(v >> 16)], 0, 3);
        var a = AudioFile.Read(path);
        Assert.Equal(new WavFormat(WavEncoding.Pcm, 24, 22050, 1), a.SourceFormat);
        for (int i = 0; i < ints.Length; i++) Assert.Equal(ints[i] / 8388608f, a.Channels[0][i]);
    }

    [Fact]
    public void HandBuiltExtensible24Bit_WithOddChunks_IsRead()
    {
        // 3 channels of 24-bit PCM in WAVE_FORMAT_EXTENSIBLE, preceded by an odd-sized chunk (pad byte)
        // and a LIST chunk, followed by a trailing chunk after the data.
        int[] values = [0, 1, -1, 8388607, -8388608, 123456, -654321, 42, -42];
        var data = new List<byte>();
        foreach (int v in values) data.AddRange(new[] { (byte)v, (byte)(v >> 8), (byte)(v >> 16) });
        var bytes = HandWav.Riff(
            HandWav.Chunk("JUNK", new byte[5]),
            HandWav.Chunk("LIST", "INFOISFT\x04\0\0\0abc\0"u8.ToArray()),
            HandWav.Chunk("fmt ", HandWav.FmtExtensible(1, 3, 44100, 24, 24, 0x7)),
            HandWav.Chunk("data", data.ToArray()),
            HandWav.Chunk("id3 ", new byte[7]));
        string path = _tmp.File("ext.wav");
        File.WriteAllBytes(path, bytes);

        var a = AudioFile.Read(path);
        Assert.Equal(new WavFormat(WavEncoding.Pcm, 24, 44100, 3, Extensible: true, ChannelMask: 7), a.SourceFormat);
        Assert.Equal(3, a.Length);
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(values[i] / 8388608f, a.Channels[i % 3][i / 3]);
    }

    [Fact]
    public void HandBuiltExtensible_24ValidBitsIn32BitContainer_AndFloatSubformat()
    {
        // 24 valid bits left-justified in a 32-bit container decode as 32-bit PCM.
        int[] v24 = [8388607, -8388608, 1000];
        var data = v24.SelectMany(v => BitConverter.GetBytes(v << 8)).ToArray();
        string p1 = _tmp.File("e32.wav");
        File.WriteAllBytes(p1, HandWav.Riff(HandWav.Chunk("fmt ", HandWav.FmtExtensible(1, 1, 48000, 32, 24, 4)), HandWav.Chunk("data", data)));
        var a = AudioFile.Read(p1);
        Assert.Equal(32, a.SourceFormat!.BitsPerSample);
        for (int i = 0; i < v24.Length; i++) Assert.Equal(v24[i] / 8388608f, a.Channels[0][i]);

        float[] fl = [0.5f, -2f, 1e-3f, 0f];
        string p2 = _tmp.File("ef.wav");
        File.WriteAllBytes(p2, HandWav.Riff(
            HandWav.Chunk("fmt ", HandWav.FmtExtensible(3, 2, 8000, 32, 32, 3)),
            HandWav.Chunk("fact", BitConverter.GetBytes(2u)),
            HandWav.Chunk("data", fl.SelectMany(BitConverter.GetBytes).ToArray())));
        var b = AudioFile.Read(p2);
        Assert.Equal(new WavFormat(WavEncoding.IeeeFloat, 32, 8000, 2, true, 3), b.SourceFormat);
        Assert.Equal([0.5f, 1e-3f], b.Channels[0]);
        Assert.Equal([-2f, 0f], b.Channels[1]);
    }

    [Fact]
    public void DataSizeFFFFFFFF_MeansToEndOfFile_AndPartialFrameIsIgnored()
    {
        var data = new short[] { 1, 2, 3, 4, 5 }.SelectMany(BitConverter.GetBytes).Concat(new byte[] { 9 }).ToArray();
        var bytes = HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 16000, 16, 2)), HandWav.Chunk("data", data));
        // Patch the data size (last chunk header: 8 bytes before the 11 data bytes + pad byte) to 0xFFFFFFFF.
        int sizePos = bytes.Length - 12 - 4;
        BitConverter.GetBytes(uint.MaxValue).CopyTo(bytes, sizePos);
        string path = _tmp.File("ff.wav");
        File.WriteAllBytes(path, bytes[..^1]); // drop the pad byte too: the data just runs to the end
        var a = AudioFile.Read(path);
        Assert.Equal([1 / 32768f, 2 / 32768f, 3 / 32768f, 4 / 32768f, 5 / 32768f], a.Channels[0]);
    }

    [Fact]
    public void PcmWriting_RoundsToNearest_AndClips()
    {
        const float Lsb = 1f / 32768;
        float[] x = [1.5f, -1.5f, 1f, -1f, 0.4f * Lsb, 0.6f * Lsb, -0.6f * Lsb, 2.5f * Lsb, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        short[] expect = [32767, -32768, 32767, -32768, 0, 1, -1, 2 /* ties to even */, 0, 32767, -32768];
        string path = _tmp.File("clip.wav");
        AudioFile.Write(path, new AudioData(48000, [x]), 16);
        var raw = File.ReadAllBytes(path);
        var data = raw.AsSpan(raw.Length - 2 * x.Length);
        for (int i = 0; i < x.Length; i++)
            Assert.True(expect[i] == BitConverter.ToInt16(data[(2 * i)..]), $"input {x[i]}: expected {expect[i]}, got {BitConverter.ToInt16(data[(2 * i)..])}");

        // 24-bit and 8-bit clip the same way.
        AudioFile.Write(path, new AudioData(48000, [[2f, -2f]]), 24);
        Assert.Equal([1f - 1f / 8388608, -1f], AudioFile.Read(path).Channels[0]);
        AudioFile.Write(path, new AudioData(48000, [[2f, -2f]]), 8);
        Assert.Equal([127 / 128f, -1f], AudioFile.Read(path).Channels[0]);
    }

    [Fact]
    public void StreamingRead_InRandomChunks_EqualsWholeRead()
    {
        var f = new WavFormat(WavEncoding.Pcm, 24, 44100, 2);
        var samples = ExactSamples(f, 100_000, 3); // longer than the reader's 64 KiB buffer
        string path = _tmp.File("s.wav");
        AudioFile.Write(path, new AudioData(44100, samples), f);
        var rng = new Random(11);
        using var r = new WavReader(path);
        Assert.Equal(100_000, r.FrameCount);
        var got = new[] { new float[100_000], new float[100_000] };
        int pos = 0, n;
        while ((n = r.Read(got, pos, Math.Min(rng.Next(1, 30_000), 100_000 - pos))) > 0) pos += n;
        Assert.Equal(100_000, pos);
        Assert.Equal(samples[0], got[0]);
        Assert.Equal(samples[1], got[1]);
        r.Seek(99_990);
        Assert.Equal(10, r.Read(got, 0, 1000));
        Assert.Equal(samples[1][99_995], got[1][5]);
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound_NamingThePath()
    {
        string path = _tmp.File("nope.wav");
        var e = Assert.Throws<FileNotFoundException>(() => AudioFile.Read(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
    }

    public static TheoryData<string, byte[], string> BadFiles()
    {
        var pcm = HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 16000, 16, 2));
        var data = HandWav.Chunk("data", new byte[100]);
        var full = HandWav.Riff(pcm, data);
        return new()
        {
            { "empty", [], "too short" },
            { "text", "hello world, this is not audio"u8.ToArray(), "not a WAV file" },
            { "truncated data", full[..^40], "truncated" },
            { "header only", full[..20], "fmt chunk of 16 bytes is cut off" },
            { "riff only", full[..12], "no fmt or data chunk" },
            { "no data", HandWav.Riff(pcm), "no data chunk" },
            { "adpcm", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(2, 1, 16000, 4, 256)), data), "unsupported encoding (format tag 0x0002, Microsoft ADPCM)" },
            { "mu-law", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(7, 1, 8000, 8, 1)), data), "mu-law" },
            { "float16", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(3, 1, 8000, 16, 2)), data), "16-bit IEEE float is not supported" },
            { "zero channels", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 0, 8000, 16, 2)), data), "0 channels" },
            { "rf64", "RF64"u8.ToArray().Concat(full[4..]).ToArray(), "RF64" },
            { "short fmt", HandWav.Riff(HandWav.Chunk("fmt ", new byte[10]), data), "too small" },
            { "16 bits in 4 bytes", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 16000, 16, 4)), data), "block align 4 does not match 1 channel(s) of 16 bits (expected 2)" },
            { "65535 channels", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 65535, 48000, 16, 65534)), data), "65535 channels; at most 64" },
            { "1 Hz", HandWav.Riff(HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 1, 16, 2)), data), "sample rate 1 Hz; supported: 1000 to 768000 Hz" },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFiles_ThrowInvalidData_NamingFileAndProblem(string name, byte[] bytes, string problem)
    {
        string path = _tmp.File(name + ".wav");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => AudioFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Writer_RefusesToOverwriteItsInput()
    {
        string path = _tmp.File("in.wav");
        AudioFile.Write(path, new AudioData(16000, [[0.5f, 0.25f]]), 16);
        var before = File.ReadAllBytes(path);
        var a = AudioFile.Read(path);
        var e = Assert.Throws<ArgumentException>(() => AudioFile.Write(path, a));
        Assert.Contains("input", e.Message);
        Assert.Throws<ArgumentException>(() => new WavWriter(Path.Combine(_tmp.Path, ".", "in.wav"), a.SourceFormat!, path));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Writer_WithoutComplete_LeavesNoFile_AndKeepsOldContentUntilComplete()
    {
        string path = _tmp.File("out.wav");
        var one = new[] { new float[] { 0.5f } };
        using (var w = new WavWriter(path, WavFormat.Pcm16(8000, 1)))
            w.Write(one, 0, 1); // no Complete: e.g. an exception in the middle of processing
        Assert.Empty(Directory.GetFiles(_tmp.Path));

        AudioFile.Write(path, new AudioData(8000, [[0.25f]]), 16);
        var old = File.ReadAllBytes(path);
        using (var w = new WavWriter(path, WavFormat.Pcm16(8000, 1)))
        {
            w.Write(one, 0, 1);
            Assert.Equal(old, File.ReadAllBytes(path)); // destination untouched while writing
            w.Complete();
        }
        Assert.Equal([0.5f], AudioFile.Read(path).Channels[0]);
        Assert.Single(Directory.GetFiles(_tmp.Path)); // no temporary left behind
    }

    [Fact]
    public void FmtAfterData_IsFound()
    {
        var data = new short[] { 100, -200 }.SelectMany(BitConverter.GetBytes).ToArray();
        string path = _tmp.File("late.wav");
        File.WriteAllBytes(path, HandWav.Riff(HandWav.Chunk("data", data), HandWav.Chunk("fmt ", HandWav.Fmt(1, 1, 8000, 16, 2))));
        Assert.Equal([100 / 32768f, -200 / 32768f], AudioFile.Read(path).Channels[0]);
    }

    [Fact]
    public void AudioData_Resample_KeepsSourceFormatAndPath()
    {
        string path = _tmp.File("r.wav");
        AudioFile.Write(path, new AudioData(16000, [Signal.Sine(1600, 1000, 16000), Signal.Sine(1600, 500, 16000)]), 24);
        var a = AudioFile.Read(path);
        var b = a.Resample(48000);
        Assert.Equal(4800, b.Length);
        Assert.Equal(2, b.ChannelCount);
        Assert.Same(a.SourcePath, b.SourcePath);
        Assert.Same(a, a.Resample(16000));
        string out48 = _tmp.File("r48.wav");
        AudioFile.Write(out48, b);
        Assert.Equal(new WavFormat(WavEncoding.Pcm, 24, 48000, 2), AudioFile.Read(out48).SourceFormat);
        Assert.Throws<ArgumentException>(() => AudioFile.Write(path, b));
    }

    [Fact]
    public void Writer_FailingRename_LeavesNoTemporaryFile()
    {
        string folderInTheWay = _tmp.File("taken.wav");
        Directory.CreateDirectory(folderInTheWay);
        var w = new WavWriter(folderInTheWay, WavFormat.Pcm16(8000, 1));
        w.Write([[0.1f]], 0, 1);
        Assert.ThrowsAny<IOException>(w.Complete);
        w.Dispose();
        Assert.Empty(Directory.GetFiles(_tmp.Path));
    }

    [Fact]
    public void Mono_IsTheMeanOfTheChannels()
    {
        var a = new AudioData(8000, [[1f, 0f], [0f, -1f], [0.5f, 0.5f]]);
        Assert.Equal([0.5f, -0.5f / 3], a.Mono());
        var m = new AudioData(8000, [[1f]]);
        Assert.Same(m.Channels[0], m.Mono());
    }
}
