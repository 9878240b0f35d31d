using PercepNet.Dsp;
using Xunit.Abstractions;

namespace PercepNet.Audio.Tests;

public sealed class ResamplerTests(ITestOutputHelper output)
{
    public static readonly int[] Rates = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 96000];

    public static TheoryData<int> AllRates() => new(Rates);

    private static float[] Noise(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    [Fact]
    public void EqualRates_PassSamplesThroughExactly()
    {
        var x = Noise(10_000, 1);
        Assert.Equal(x, Resampler.Resample(x, 48000, 48000));
        var r = new Resampler(48000, 48000);
        Assert.Equal(0, r.LookaheadInputSamples);
        var y = new float[x.Length];
        Assert.Equal(7, r.Process(x.AsSpan(0, 7), y));
        Assert.Equal(x.Length - 7, r.Process(x.AsSpan(7), y.AsSpan(7)));
        Assert.Equal(0, r.Flush(Span<float>.Empty));
        Assert.Equal(x, y);
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 8000)]
    [InlineData(11025, 48000)]
    [InlineData(96000, 48000)]
    [InlineData(12345, 48000)]
    public void Streaming_WithRandomChunkSizes_EqualsBatch_BitForBit(int inRate, int outRate)
    {
        const int Seed = 42;
        var x = Noise(inRate / 5, Seed); // 0.2 s
        var batch = Resampler.Resample(x, inRate, outRate);
        Assert.Equal(Resampler.OutputLength(x.Length, inRate, outRate), batch.Length);

        var rng = new Random(Seed);
        var r = new Resampler(inRate, outRate);
        var y = new float[batch.Length];
        int pos = 0, written = 0;
        while (pos < x.Length)
        {
            // Chunk sizes from 0 to beyond the internal block size.
            int n = Math.Min(x.Length - pos, rng.Next(4) == 0 ? rng.Next(0, 3) : rng.Next(1, 6000));
            int expect = r.OutputLength(n);
            int got = r.Process(x.AsSpan(pos, n), y.AsSpan(written));
            Assert.Equal(expect, got);
            pos += n;
            written += got;
        }
        Assert.Equal(y.Length - written, r.FlushLength);
        written += r.Flush(y.AsSpan(written));
        Assert.Equal(batch.Length, written);
        for (int i = 0; i < y.Length; i++)
            Assert.True(batch[i] == y[i], $"seed {Seed}, {inRate}->{outRate}, index {i}: batch {batch[i]}, streamed {y[i]}");

        // Reset starts an identical new stream.
        r.Reset();
        var again = new float[batch.Length];
        int m = r.Process(x, again);
        r.Flush(again.AsSpan(m));
        Assert.Equal(batch, again);
    }

    [Fact]
    public void RoundTrip_44k1_48k_44k1_ThdN_Below90dB_AndTimeAligned()
    {
        var x = Signal.Sine(44100, 1000, 44100);
        var up = Resampler.Resample(x, 44100, 48000);
        var back = Resampler.Resample(up, 48000, 44100);
        Assert.Equal(48000, up.Length);
        Assert.Equal(x.Length, back.Length);
        var (amplitude, thdn) = Signal.FitSine(Signal.Middle(back), 1000, 44100);
        double alignedError = Signal.ErrorDb(Signal.Middle(back), Signal.Middle(x));
        output.WriteLine($"44.1->48->44.1 kHz, 1 kHz sine at -6 dBFS: THD+N {thdn:F1} dB, gain {20 * Math.Log10(amplitude / 0.5):F5} dB, "
                         + $"difference from the input {alignedError:F1} dB");
        Assert.True(thdn < -90, $"THD+N {thdn:F1} dB");
        // Same length and no delay: the round trip equals the input, not just a shifted sine.
        Assert.True(alignedError < -90, $"round-trip error {alignedError:F1} dB");
    }

    [Theory]
    [MemberData(nameof(AllRates))]
    public void RoundTrip_ViaDenoiserRate_ReturnsTheInput(int rate)
    {
        // A test signal inside the passband of both conversions: sines at 0.05, 0.21 and 0.45 x the
        // lower of the two rates (the passband edge is 0.4535 x).
        int n = rate / 4 + 1;
        int low = Math.Min(rate, 48000);
        var x = new float[n];
        foreach (double f in new[] { 0.05, 0.21, 0.45 })
        {
            var s = Signal.Sine(n, f * low, rate, 0.3, phase: f * 10);
            for (int i = 0; i < n; i++) x[i] += s[i];
        }
        var back = Resampler.Resample(Resampler.Resample(x, rate, 48000), 48000, rate);
        // ceil(ceil(n L/M) M/L) is n, or n + 1 when n L/M is not an integer; the extra sample is past
        // the end of the input (AudioPipeline trims it).
        Assert.InRange(back.Length, n, n + 1);
        back = back[..n];
        double err = Signal.ErrorDb(Signal.Middle(back), Signal.Middle(x));
        if (rate == 48000) Assert.Equal(x, back); // identity: exact
        output.WriteLine($"{rate} -> 48000 -> {rate} Hz: error {(rate == 48000 ? "none (identity)" : $"{err:F1} dB")}");
        Assert.True(err < -90, $"{rate} Hz round trip error {err:F1} dB");
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    [InlineData(48000, 48000)]
    [InlineData(16000, 48000)]
    [InlineData(48000, 16000)]
    public void Passband_IsFlatWithin0p1dB_UpTo0p4535TimesTheLowerRate(int inRate, int outRate)
    {
        double edge = 20000.0 / 44100 * Math.Min(inRate, outRate); // 20 kHz for 44.1 kHz
        double worst = 0, worstF = 0;
        for (double f = 20; f <= edge + 1e-9; f += f < 1000 ? 200 : edge / 40)
        {
            var x = Signal.Sine(inRate / 4, f, inRate);
            var y = Resampler.Resample(x, inRate, outRate);
            double gainDb = 20 * Math.Log10(Signal.FitSine(Signal.Middle(y), f, outRate).Amplitude / 0.5);
            if (Math.Abs(gainDb) > Math.Abs(worst)) (worst, worstF) = (gainDb, f);
        }
        var yEdge = Resampler.Resample(Signal.Sine(inRate / 4, edge, inRate), inRate, outRate);
        double edgeDb = 20 * Math.Log10(Signal.FitSine(Signal.Middle(yEdge), edge, outRate).Amplitude / 0.5);
        output.WriteLine($"{inRate}->{outRate}: passband 20 Hz..{edge:F0} Hz, largest deviation {worst:F5} dB at {worstF:F0} Hz; at the edge {edgeDb:F5} dB");
        Assert.True(Math.Abs(worst) < 0.1 && Math.Abs(edgeDb) < 0.1, $"deviation {worst} dB at {worstF} Hz, {edgeDb} dB at {edge} Hz");
    }

    [Theory]
    [InlineData(48000, 44100)]
    [InlineData(48000, 16000)]
    [InlineData(96000, 48000)]
    public void Downsampling_SuppressesEverythingAboveTheNewNyquist_By100dB(int inRate, int outRate)
    {
        // A sine above the output Nyquist frequency must vanish (else it aliases back into the band).
        double worst = double.NegativeInfinity, worstF = 0;
        for (double f = outRate / 2.0 + 50; f < inRate / 2.0; f += (inRate - outRate) / 23.0)
        {
            var x = Signal.Sine(inRate / 5, f, inRate);
            var y = Resampler.Resample(x, inRate, outRate);
            double db = Signal.RmsDb(Signal.Middle(y)) - Signal.RmsDb(x);
            if (db > worst) (worst, worstF) = (db, f);
        }
        output.WriteLine($"{inRate}->{outRate}: worst aliasing {worst:F1} dB (at {worstF:F0} Hz)");
        Assert.True(worst < -100, $"aliasing {worst:F1} dB at {worstF} Hz");
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(16000, 48000)]
    [InlineData(8000, 48000)]
    public void Upsampling_ImagesAreBelow100dB(int inRate, int outRate)
    {
        // Everything in the output besides the sine itself is imaging (plus float rounding).
        double worst = double.NegativeInfinity, worstF = 0;
        for (double f = 100; f <= 20000.0 / 44100 * inRate; f += inRate / 23.0)
        {
            var y = Resampler.Resample(Signal.Sine(inRate / 5, f, inRate), inRate, outRate);
            double res = Signal.FitSine(Signal.Middle(y), f, outRate).ResidualDb;
            if (res > worst) (worst, worstF) = (res, f);
        }
        output.WriteLine($"{inRate}->{outRate}: worst image + noise {worst:F1} dB (input at {worstF:F0} Hz)");
        Assert.True(worst < -100, $"images {worst:F1} dB at {worstF} Hz");
    }

    [Theory]
    [InlineData(44100, 48000)]
    [InlineData(48000, 44100)]
    public void FilterDesign_FrequencyResponse_InDoublePrecision(int inRate, int outRate)
    {
        // Naive reference: |H(f)| of the whole prototype (all phases, coefficients as stored) by direct
        // summation, f in cycles per input sample, normalised to DC.
        var r = new Resampler(inRate, outRate);
        var filter = ResamplerFilter.Get(r.UpFactor, r.DownFactor, inRate, outRate);
        int up = filter.Up, taps = filter.Taps;
        var time = new double[up * taps]; // tap positions in input samples
        for (int p = 0; p < up; p++)
            for (int k = 0; k < taps; k++) time[p * taps + k] = (double)p / up + taps / 2 - 1 - k;
        double Response(double f)
        {
            double re = 0, im = 0;
            for (int i = 0; i < time.Length; i++)
            {
                double c = filter.Coefficients[i];
                var (sin, cos) = Math.SinCos(2 * Math.PI * f * time[i]);
                re += c * cos;
                im -= c * sin;
            }
            return Math.Sqrt(re * re + im * im) / up;
        }
        double low = Math.Min(inRate, outRate) / (double)inRate; // lower rate in cycles per input sample
        double ripple = 0;
        for (double f = 0; f <= 0.4535 * low; f += 0.4535 * low / 20)
            ripple = Math.Max(ripple, Math.Abs(20 * Math.Log10(Response(f))));
        double stop = double.NegativeInfinity;
        // The Kaiser sidelobes are highest at the stopband edge and fall away from it: a grid finer than
        // the sidelobe spacing (1 / taps) next to the edge, a coarse one up to 3 x the lower rate.
        double top = Math.Max(inRate, outRate) / (double)inRate / 2 * up;
        for (double f = 0.5 * low; f <= 0.56 * low; f += 0.25 / taps)
            stop = Math.Max(stop, 20 * Math.Log10(Response(f)));
        for (double f = 0.56 * low; f <= Math.Min(top, 3 * low); f += low / 100)
            stop = Math.Max(stop, 20 * Math.Log10(Response(f)));
        output.WriteLine($"{inRate}->{outRate}: L/M = {up}/{filter.Down}, {taps} taps per phase, Kaiser beta {filter.Beta:F3}, "
                         + $"cutoff {filter.Cutoff * inRate:F0} Hz; passband ripple {ripple:F6} dB, stopband max {stop:F1} dB (to {Math.Min(top, 3 * low) * inRate:F0} Hz)");
        Assert.True(ripple < 0.01, $"ripple {ripple} dB");
        Assert.True(stop < -100, $"stopband {stop} dB");
    }

    [Fact]
    public void Process_AllocatesNothing()
    {
        var r = new Resampler(44100, 48000);
        var x = Noise(441, 3);
        var y = new float[1000];
        r.Process(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) r.Process(x, y);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void VectorWidth_FollowsTheRuntimeSwitches()
    {
        // The dot product uses Vector<float>; the suite passes with AVX2 (8 lanes), with
        // DOTNET_EnableAVX2=0 (4 lanes) and with DOTNET_EnableHWIntrinsic=0 (software fallback).
        // This checks that such a run really took the other path.
        output.WriteLine($"Vector<float>.Count = {System.Numerics.Vector<float>.Count}, accelerated: {System.Numerics.Vector.IsHardwareAccelerated}");
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.True(System.Numerics.Vector<float>.Count <= 4);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.False(System.Numerics.Vector.IsHardwareAccelerated);
    }

    [Fact]
    public void Errors_AreClear()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(0, 48000));
        var r = new Resampler(44100, 48000);
        var e = Assert.Throws<ArgumentException>(() => r.Process(new float[1000], new float[10]));
        Assert.Contains("produces", e.Message);
        r.Flush(new float[r.FlushLength]);
        Assert.Throws<InvalidOperationException>(() => r.Process(new float[1], new float[10]));
    }
}
