using BenchmarkDotNet.Attributes;
using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Bench;

/// <summary>
/// Per-frame cost of the signal model without the network: analysis (pitch, STFT, comb filter,
/// bands) and synthesis (mix, renormalisation, postfilter, inverse STFT). Baseline: the analysis.
/// Run: dotnet run -c Release --project bench/PercepNet.Bench -- --filter '*SignalModel*'
/// </summary>
[MemoryDiagnoser]
public class SignalModelBenchmark
{
    private readonly SignalAnalyzer _analyzer = new();
    private readonly SignalSynthesizer _synth = new();
    private readonly FrameSpectrum _fs = new();
    private readonly float[] _signal = new float[48000];
    private readonly float[] _g = new float[FrameLayout.BandCount];
    private readonly float[] _r = new float[FrameLayout.BandCount];
    private readonly float[] _out = new float[FrameLayout.FrameSize];
    private int _pos;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (int i = 0; i < _signal.Length; i++)
            _signal[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 180 * i / 48000.0) + 0.1 * (rng.NextDouble() * 2 - 1));
        for (int b = 0; b < _g.Length; b++) { _g[b] = 0.3f + 0.02f * b; _r[b] = 0.5f; }
    }

    private ReadOnlySpan<float> NextFrame()
    {
        _pos = (_pos + FrameLayout.FrameSize) % _signal.Length;
        return _signal.AsSpan(_pos, FrameLayout.FrameSize);
    }

    [Benchmark(Baseline = true)]
    public void Analysis()
    {
        var p = _analyzer.Push(NextFrame());
        _analyzer.Analyze(p.Period, p.Correlation, _fs);
    }

    [Benchmark]
    public void AnalysisAndSynthesis()
    {
        var p = _analyzer.Push(NextFrame());
        _analyzer.Analyze(p.Period, p.Correlation, _fs);
        _synth.Synthesize(_fs, _g, _r, postfilter: true, _out);
    }
}
