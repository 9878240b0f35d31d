using PercepNet.Dsp;
using PercepNet.Features;
using Frozen = PercepNet.Frozen;

namespace PercepNet.Tests;

/// <summary>
/// The optimised DSP against a frozen copy of the code before the speed work (tests/Shared/FrozenDsp,
/// commit c974eeb). Every optimisation so far keeps the arithmetic of each output (vectorised over
/// independent outputs, never reordering a sum), so everything is asserted bit-identical: pitch,
/// spectra, energies, features and the Denoiser output. A change that reorders float sums may relax
/// <see cref="Tolerance"/> (spectra and energies, relative to the frame's largest value) and
/// <see cref="OutputTolerance"/> (the Denoiser output), but not beyond 1e-5 for the output.
/// </summary>
public class FrozenEquivalenceTests
{
    private const double Tolerance = 0;
    private const double OutputTolerance = 0;

    /// <summary>Voiced vibrato with gaps, then digital silence, then white noise, then a loud chirp.</summary>
    private static float[] Signal(int seed)
    {
        var rng = new Random(seed);
        var x = new float[3 * 48000];
        for (int i = 0; i < x.Length; i++)
        {
            double t = i / 48000.0, v = 0;
            if (t < 1.2)
            {
                for (int h = 1; h < 30; h++) v += Math.Sin(2 * Math.PI * (120 + 25 * Math.Sin(4 * t)) * h * t) / h;
                v = 0.3 * Math.Max(0, Math.Sin(2 * Math.PI * 1.5 * t)) * v + 0.03 * (rng.NextDouble() * 2 - 1);
            }
            else if (t < 1.5) v = 0;
            else if (t < 2.2) v = 0.2 * (rng.NextDouble() * 2 - 1);
            else v = 0.9 * Math.Sin(2 * Math.PI * (80 + 400 * (t - 2.2)) * (t - 2.2)) + 0.01 * (rng.NextDouble() * 2 - 1);
            x[i] = (float)v;
        }
        return x;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relTol, string what, int frame)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, err = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            err = Math.Max(err, Math.Abs(expected[i] - actual[i]));
        }
        Assert.True(err <= relTol * scale, $"{what}, frame {frame}: max error {err:E3} at scale {scale:E3}");
    }

    private static void AssertSameSpectrum(Frozen.FrameSpectrum expected, FrameSpectrum actual, int frame)
    {
        Assert.Equal(expected.Period, actual.Period);
        Assert.Equal(expected.PitchCorrelation, actual.PitchCorrelation);
        Assert.Equal(expected.CombPowerGain, actual.CombPowerGain);
        AssertClose(expected.X, actual.X, Tolerance, "X", frame);
        AssertClose(expected.P, actual.P, Tolerance, "P", frame);
        AssertClose(expected.Ex, actual.Ex, Tolerance, "Ex", frame);
        AssertClose(expected.Ep, actual.Ep, Tolerance, "Ep", frame);
        AssertClose(expected.Exp, actual.Exp, Tolerance, "Exp", frame);
        AssertClose(expected.Coherence, actual.Coherence, Tolerance, "coherence", frame);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AnalysisMatchesTheFrozenCode(int seed)
    {
        var x = Signal(seed);
        var oldA = new Frozen.SignalAnalyzer();
        var newA = new SignalAnalyzer();
        Frozen.FrameSpectrum oldS = new(), oldD = new();
        FrameSpectrum newS = new(), newD = new();
        var oldF = new float[Frozen.FeatureExtractor.Count];
        var newF = new float[FeatureExtractor.Count];
        for (int f = 0; f < x.Length / 480; f++)
        {
            if (f == 150) { oldA.Reset(); newA.Reset(); }
            var frame = x.AsSpan(f * 480, 480);
            PitchResult po = oldA.Push(frame), pn = newA.Push(frame);
            Assert.Equal(po, pn);
            oldA.AnalyzeNewest(oldS);
            newA.AnalyzeNewest(newS);
            AssertSameSpectrum(oldS, newS, f);
            Frozen.FeatureExtractor.Extract(oldS, oldF);
            FeatureExtractor.Extract(newS, newF);
            for (int i = 0; i < oldF.Length; i++)
                Assert.True(Math.Abs(oldF[i] - newF[i]) <= Tolerance, $"feature {i}, frame {f}: {oldF[i]} vs {newF[i]}");
            oldA.Analyze(po.Period, po.Correlation, oldD);
            newA.Analyze(pn.Period, pn.Correlation, newD);
            AssertSameSpectrum(oldD, newD, f);
        }
    }

    [Fact]
    public void AnalysisWithoutTrackingMatchesTheFrozenCode()
    {
        // The oracle's clean side: no pitch tracking, no newest analysis, periods from elsewhere.
        var x = Signal(3);
        var oldA = new Frozen.SignalAnalyzer(trackPitch: false);
        var newA = new SignalAnalyzer(trackPitch: false);
        Frozen.FrameSpectrum oldD = new();
        FrameSpectrum newD = new();
        for (int f = 0; f < x.Length / 480; f++)
        {
            oldA.Push(x.AsSpan(f * 480, 480));
            newA.Push(x.AsSpan(f * 480, 480));
            int period = 60 + 37 * f % 700;
            oldA.Analyze(period, 0.5f, oldD);
            newA.Analyze(period, 0.5f, newD);
            AssertSameSpectrum(oldD, newD, f);
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void DenoiserOutputEqualsTheFrozenPipeline(bool int8, bool postfilter)
    {
        var model = DenoiserTests.RandomModel(7);
        var options = new DenoiserOptions { UseInt8 = int8, Postfilter = postfilter, PostfilterStrength = 1 };
        var oldD = new Frozen.FrozenDenoiser(model, options);
        var newD = new Denoiser(model, options);
        var x = Signal(4);
        // Hostile samples (NaN, +-Inf, out of range) in a few frames: the input sanitising must match too.
        for (int i = 250 * 480; i < 254 * 480; i++)
            x[i] = (i % 7) switch { 0 => float.NaN, 1 => float.PositiveInfinity, 2 => float.NegativeInfinity, 3 => 5f, 4 => -3f, 5 => -0f, _ => x[i] * 30 };
        var yo = new float[480];
        var yn = new float[480];
        double maxErr = 0, maxOut = 0;
        for (int f = 0; f < x.Length / 480; f++)
        {
            if (f == 200) { oldD.Reset(); newD.Reset(); }
            float vo = oldD.ProcessFrame(x.AsSpan(f * 480, 480), yo);
            float vn = newD.ProcessFrame(x.AsSpan(f * 480, 480), yn);
            Assert.True(Math.Abs(vo - vn) <= OutputTolerance, $"vad, frame {f}: {vo} vs {vn}");
            for (int i = 0; i < 480; i++)
            {
                maxErr = Math.Max(maxErr, Math.Abs(yo[i] - yn[i]));
                maxOut = Math.Max(maxOut, Math.Abs(yo[i]));
            }
        }
        Assert.True(maxOut > 0.05, "the model passes some signal");
        Assert.True(maxErr <= OutputTolerance, $"max output difference {maxErr:E3}");
    }
}
