using PercepNet.TestSupport;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Oracle;

namespace PercepNet.Tests;

public class AllocationTests
{
    [Fact]
    public void SignalModelAllocatesNothingPerFrame()
    {
        var analyzer = new SignalAnalyzer();
        var synth = new SignalSynthesizer();
        var fs = new FrameSpectrum();
        var oracle = new OracleProcessor();
        var g = new float[FrameLayout.BandCount];
        var r = new float[FrameLayout.BandCount];
        var frame = new float[FrameLayout.FrameSize];
        var output = new float[FrameLayout.FrameSize];
        var rng = new Random(1);
        void Step(int f)
        {
            for (int i = 0; i < frame.Length; i++) frame[i] = (float)(Math.Sin(0.02 * (f * 480 + i)) + 0.1 * (rng.NextDouble() - 0.5));
            analyzer.AnalyzeFrame(frame, null, fs);
            OracleTargets.Compute(fs, fs, g, r);
            synth.Synthesize(fs, g, r, postfilter: true, output);
            oracle.ProcessFrame(frame, frame, (OracleStage)(1 + f % 4), output);
        }
        for (int f = 0; f < 20; f++) Step(f); // warm-up (JIT, tiered compilation)
        Assert.Equal(0, Allocations.BestOf(3, () =>
        {
            for (int f = 0; f < 1000; f++) Step(f);
        }));
    }
}
