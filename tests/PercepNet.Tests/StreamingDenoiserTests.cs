using PercepNet.Dsp;
using PercepNet.TestSupport;

namespace PercepNet.Tests;

public class StreamingDenoiserTests
{
    private static float[] Speechlike(int n, int rate, int seed, double noise = 0.02)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / rate, v = 0;
            // Harmonics below 0.4 x the rate: inside every resampler's flat passband.
            for (int h = 1; h * 160 < 0.4 * rate && h < 25; h++) v += Math.Sin(2 * Math.PI * (140 + 15 * Math.Sin(3 * t)) * h * t) / h;
            x[i] = (float)(0.2 * Math.Max(0, Math.Sin(2 * Math.PI * 2 * t)) * v + noise * (rng.NextDouble() * 2 - 1));
        }
        return x;
    }

    /// <summary>Runs interleaved audio through the wrapper in random block sizes (1 sample frame to 0.1 s).</summary>
    private static float[] RunBlocks(StreamingDenoiser s, float[] x, int seed, bool inPlace = false)
    {
        var y = inPlace ? (float[])x.Clone() : new float[x.Length];
        var rng = new Random(seed);
        int nch = s.ChannelCount;
        for (int pos = 0; pos < x.Length;)
        {
            int len = Math.Min(nch * rng.Next(1, s.SampleRate / 10), x.Length - pos);
            int n = inPlace ? s.Process(y.AsSpan(pos, len), y.AsSpan(pos, len)) : s.Process(x.AsSpan(pos, len), y.AsSpan(pos, len));
            Assert.Equal(len, n);
            pos += len;
        }
        return y;
    }

    [Fact]
    public void At48KHzItIsTheDenoiserDelayedByOneFrameOfBuffering()
    {
        var model = DenoiserTests.RandomModel(11);
        var x = Speechlike(48000 * 2, 48000, 1);
        var s = new StreamingDenoiser(model, 48000);
        Assert.Equal(FrameLayout.FrameSize - 1, s.BufferingSamples);
        Assert.Equal(1440 + 479, s.LatencySamples);
        var y = RunBlocks(s, x, 2);
        var d = new Denoiser(model);
        var reference = new float[x.Length / 480 * 480];
        for (int f = 0; f < reference.Length / 480; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), reference.AsSpan(f * 480, 480));
        for (int i = 0; i < s.BufferingSamples; i++) Assert.Equal(0f, y[i]);
        for (int i = s.BufferingSamples; i < reference.Length; i++) Assert.Equal(reference[i - s.BufferingSamples], y[i]);
    }

    [Theory]
    [InlineData(8000, 1)]
    [InlineData(16000, 1)]
    [InlineData(22050, 2)]
    [InlineData(44100, 2)]
    [InlineData(32000, 3)]
    [InlineData(96000, 1)]
    public void StreamingEqualsBatchForAnyBlockSizeAndChannelsAreIndependent(int rate, int channels)
    {
        var model = DenoiserTests.RandomModel(12);
        int n = rate * 3 / 2;
        var mono = Enumerable.Range(0, channels).Select(c => Speechlike(n, rate, 10 + c)).ToArray();
        var x = new float[n * channels];
        for (int i = 0; i < n; i++) for (int c = 0; c < channels; c++) x[i * channels + c] = mono[c][i];
        var a = RunBlocks(new StreamingDenoiser(model, rate, channels), x, 3);
        var b = new float[x.Length];
        Assert.Equal(x.Length, new StreamingDenoiser(model, rate, channels).Process(x, b));
        Assert.Equal(b, a);
        var inPlace = RunBlocks(new StreamingDenoiser(model, rate, channels), x, 4, inPlace: true);
        Assert.Equal(b, inPlace);
        // Channel c of the interleaved stream is what a mono stream makes of that channel alone.
        for (int c = 0; c < channels; c++)
        {
            var alone = new float[n];
            new StreamingDenoiser(model, rate).Process(mono[c], alone);
            for (int i = 0; i < n; i++) Assert.Equal(alone[i], b[i * channels + c]);
        }
        Assert.True(b.Skip(b.Length / 2).Any(v => v != 0), "the output is not all zeros");
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    [InlineData(24000)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void UnitGainsReturnTheInputDelayedByTheStatedLatency(int rate)
    {
        var s = new StreamingDenoiser(DenoiserTests.ConstantModel(30, -30), rate);
        double expected = s.LatencySeconds * rate;
        Assert.Equal(expected, s.LatencySamples, 1e-6); // whole samples at these rates
        var x = Speechlike(rate * 2, rate, 5, noise: 0); // white noise would reach the resamplers' transition band
        var y = RunBlocks(s, x, 6);
        int lag = s.LatencySamples;
        double err = 0, sig = 0;
        for (int i = lag + rate / 10; i < x.Length; i++)
        {
            err += Math.Pow(y[i] - x[i - lag], 2);
            sig += Math.Pow(x[i - lag], 2);
        }
        double snr = 10 * Math.Log10(sig / err);
        Assert.True(snr > 60, $"output vs input delayed by {lag}: {snr:F1} dB");
    }

    [Fact]
    public void ItAllocatesNothingPerCall()
    {
        var s = new StreamingDenoiser(DenoiserTests.RandomModel(13), 44100, 2);
        var x = Speechlike(44100, 44100, 7);
        var y = new float[x.Length];
        s.Process(x, y);
        long bytes = Allocations.BestOf(3, () =>
        {
            for (int pos = 0; pos + 882 <= x.Length; pos += 882) s.Process(x.AsSpan(pos, 882), y.AsSpan(pos, 882));
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void ResetGivesANewStreamsOutput()
    {
        var model = DenoiserTests.RandomModel(14);
        var x = Speechlike(16000, 16000, 8);
        var s = new StreamingDenoiser(model, 16000);
        var first = new float[x.Length];
        s.Process(x, first);
        s.Reset();
        var second = new float[x.Length];
        s.Process(x, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheirValues()
    {
        var model = DenoiserTests.RandomModel(15);
        Assert.Contains("7999", Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingDenoiser(model, 7999)).Message);
        Assert.Contains("65", Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingDenoiser(model, 48000, 65)).Message);
        var s = new StreamingDenoiser(model, 48000, 2);
        Assert.Contains("3 samples", Assert.Throws<ArgumentException>(() => s.Process(new float[3], new float[3])).Message);
        Assert.Throws<ArgumentException>(() => s.Process(new float[4], new float[2]));
    }
}

public class VadGateTests
{
    /// <summary>Unit gains, and a speech probability of sigmoid(vadBias) whatever the input.</summary>
    private static PercepNetModel Model(float vadBias) => DenoiserTests.ConstantModel(30, -30, vadBias: vadBias);

    private static float[] Run(Denoiser d, float[] x, List<float>? vads = null)
    {
        var y = new float[x.Length / 480 * 480];
        for (int f = 0; f < y.Length / 480; f++)
        {
            float v = d.ProcessFrame(x.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
            vads?.Add(v);
        }
        return y;
    }

    private static float[] Tone(int n) => Enumerable.Range(0, n).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 300 * i / 48000.0))).ToArray();

    [Fact]
    public void BelowTheThresholdTheOutputIsMutedAndAboveItPassesUnchanged()
    {
        var x = Tone(48000);
        // sigmoid(-5) = 0.0067: no speech; sigmoid(5) = 0.9933: speech.
        var quiet = Run(new Denoiser(Model(-5), new DenoiserOptions { VadGateThreshold = 0.5 }), x);
        Assert.All(quiet, v => Assert.Equal(0f, v));
        var open = Run(new Denoiser(Model(5), new DenoiserOptions { VadGateThreshold = 0.5 }), x);
        var ungated = Run(new Denoiser(Model(5)), x);
        // The stream starts gated: the first 1 ms fades in, then the output is the ungated output exactly.
        for (int i = 48; i < x.Length; i++) Assert.Equal(ungated[i], open[i]);
        Assert.True(Math.Abs(open[1]) <= Math.Abs(ungated[1]));
    }

    [Fact]
    public void TheGateHoldsThenFadesOutOverOneFrame()
    {
        var x = Tone(48000);
        var d = new Denoiser(Model(5), new DenoiserOptions { VadGateThreshold = 0.5, VadGateHoldSeconds = 0.2 });
        Assert.Equal(0.2, d.VadGateHoldSeconds, 1e-9);
        var y = new float[x.Length];
        int f = 0;
        for (; f < 30; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
        // Now speech ends (threshold above the model's probability): 20 frames of hold, then a 10 ms fade, then silence.
        d.SetVadGate(0.999, 0.2);
        var ungated = Run(new Denoiser(Model(5)), x);
        for (; f < 100; f++) d.ProcessFrame(x.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
        for (int i = 30 * 480; i < 49 * 480; i++) Assert.Equal(ungated[i], y[i]);
        // Frame 49 is the hold's last; frame 50 fades from 1 to 0.
        int fade = 50 * 480;
        for (int i = 0; i < 480; i++) Assert.Equal(ungated[fade + i] * (1 - (i + 1) / 480f), y[fade + i], 1e-6f);
        for (int i = 51 * 480; i < 100 * 480; i++) Assert.Equal(0f, y[i]);
    }

    [Fact]
    public void LiveControlsAreValidatedAndTakeEffectBetweenFrames()
    {
        var d = new Denoiser(DenoiserTests.ConstantModel(-30, -30));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.AttenuationLimitDb = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.PostfilterStrength = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.SetVadGate(1.5, 0.3));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.SetVadGate(0.5, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoiser(Model(0), new DenoiserOptions { VadGateThreshold = double.NaN }));
        // Setting the limit live gives what a stream created with it gives.
        var x = Tone(48000);
        d.AttenuationLimitDb = 12;
        var live = Run(d, x);
        var made = Run(new Denoiser(DenoiserTests.ConstantModel(-30, -30), new DenoiserOptions { AttenuationLimitDb = 12 }), x);
        Assert.Equal(made, live);
    }
}
