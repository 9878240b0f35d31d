using System.Diagnostics;
using PercepNet.Dsp;
using Xunit.Abstractions;

namespace PercepNet.Tests;

[CollectionDefinition(nameof(PitchCostCollection), DisableParallelization = true)]
public sealed class PitchCostCollection;

/// <summary>
/// Indicative cost per frame, printed and not asserted (speed claims belong to benchmarks). Runs outside
/// the parallel test collections and reports the fastest of several repetitions, so that other tests
/// and other users of a shared machine disturb it less.
/// </summary>
[Collection(nameof(PitchCostCollection))]
public sealed class PitchCostTests(ITestOutputHelper output)
{
    [Fact]
    public void ReportsCostPerFrame()
    {
        const int n = FrameLayout.FrameSize, frames = 200, repeats = 7;
        double[] track = SyntheticVoice.VibratoTrack(150, 0.05, 5.0, 0.0, frames * n);
        float[] x = SyntheticVoice.Mix(SyntheticVoice.Voice(HarmonicShape.InverseK, track, 17),
                                       SyntheticVoice.Noise(NoiseKind.White, frames * n, 18), 10);
        var t = new PitchTracker();
        for (int c = 0; c < frames; c++) t.Process(x.AsSpan(c * n, n)); // JIT and tiering warm-up
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int c = 0; c < frames; c++) t.Process(x.AsSpan(c * n, n));
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds * 1000 / frames);
        }
        output.WriteLine($"PitchTracker.Process: {best:F1} us per 10 ms frame (best of {repeats} x {frames} frames; " +
                         $"{best / 100:F2}% of one core in real time)");
        Assert.True(best > 0);
    }
}
