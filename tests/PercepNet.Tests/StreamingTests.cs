using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Tests;

public class StreamingTests
{
    /// <summary>The whole signal model (pitch, comb, bands, mix, postfilter) with fixed parameters.</summary>
    private sealed class FixedParameterModel : IFrameProcessor
    {
        private readonly SignalAnalyzer _analyzer = new();
        private readonly SignalSynthesizer _synth = new();
        private readonly FrameSpectrum _fs = new();
        private readonly float[] _g = Enumerable.Range(0, FrameLayout.BandCount).Select(b => 0.3f + 0.02f * b).ToArray();
        private readonly float[] _r = Enumerable.Range(0, FrameLayout.BandCount).Select(b => 0.8f - 0.02f * b).ToArray();
        public int LatencySamples => SignalAnalyzer.LookaheadSamples + Stft.LatencySamples;
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            _analyzer.AnalyzeFrame(input, null, _fs);
            _synth.Synthesize(_fs, _g, _r, postfilter: true, output);
        }
        public void Reset() { _analyzer.Reset(); _synth.Reset(); }
    }

    private static float[] Run(float[] x, Func<Random, int> chunk)
    {
        var adapter = new FrameAdapter(new FixedParameterModel());
        var y = new float[x.Length];
        var rng = new Random(42);
        for (int pos = 0; pos < x.Length;)
        {
            int len = Math.Min(chunk(rng), x.Length - pos);
            adapter.Process(x.AsSpan(pos, len), y.AsSpan(pos, len));
            pos += len;
        }
        return y;
    }

    [Fact]
    public void SignalModelStreamingEqualsBatchForAnyChunking()
    {
        var rng = new Random(3);
        var x = new float[48000 * 2];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (150 + 20 * Math.Sin(i / 9000.0)) * i / 48000.0) + 0.05 * (rng.NextDouble() * 2 - 1));
        float[] whole = Run(x, _ => x.Length);
        Assert.Equal(whole, Run(x, _ => 480));
        Assert.Equal(whole, Run(x, _ => 1));
        Assert.Equal(whole, Run(x, r => r.Next(1, 3000)));
        Assert.Contains(whole, v => Math.Abs(v) > 0.01f);
    }
}
