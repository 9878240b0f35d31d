using BenchmarkDotNet.Attributes;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Bench;

/// <summary>
/// Per-frame cost of the DSP around the network in <see cref="Denoiser.ProcessFrame"/>, stage by
/// stage: pitch tracking (Push), the newest frame's no-look-ahead analysis plus the features, the
/// delayed frame's look-ahead analysis, and the synthesis. Baseline: the whole-frame DSP; the last
/// method times the whole Denoiser frame with the small int8 network (random weights). (The speed
/// work's before/after table in docs/performance.md was measured against a frozen copy of the code
/// before it, which lived in tests/Shared/FrozenDsp until the golden hashes of DspGoldenTests
/// replaced it; check out an earlier commit to run those rows again.)
/// Each stage method runs on the state the full pipeline left (a 180 Hz tone plus noise); Push
/// advances the stream by itself, the others repeat the analysis of the current state.
/// Run: nice -n 10 dotnet run -c Release --project bench/PercepNet.Bench -- --filter '*DenoiserDsp*' --job short
/// </summary>
[MemoryDiagnoser]
public class DenoiserDspBenchmark
{
    private readonly float[] _signal = new float[48000];
    private readonly float[] _out = new float[FrameLayout.FrameSize];
    private CurrentPipeline _current = null!;
    private Denoiser _denoiser = null!;
    private int _pos;

    /// <summary>The current DSP in the shape of <see cref="Denoiser.ProcessFrame"/>, without the network (fixed gains 0.5, strengths 0.5).</summary>
    private sealed class CurrentPipeline
    {
        private readonly SignalAnalyzer _analyzer = new();
        private readonly SignalSynthesizer _synth = new();
        private readonly FrameSpectrum _newest = new(), _delayed = new();
        private readonly float[] _features = new float[FeatureExtractor.Count];
        private readonly float[] _gains = Enumerable.Repeat(0.5f, FrameLayout.BandCount).ToArray();
        private readonly float[] _strengths = Enumerable.Repeat(0.5f, FrameLayout.BandCount).ToArray();
        private readonly float[] _input = new float[FrameLayout.FrameSize];
        private PitchResult _tracked;

        public void Push(ReadOnlySpan<float> input)
        {
            for (int i = 0; i < FrameLayout.FrameSize; i++)
            {
                float v = input[i];
                _input[i] = float.IsFinite(v) ? Math.Clamp(v, -2f, 2f) : 0f;
            }
            _tracked = _analyzer.Push(_input);
        }

        public void NewestAndFeatures()
        {
            _analyzer.AnalyzeNewest(_newest);
            FeatureExtractor.Extract(_newest, _features);
        }

        public void DelayedAnalysis() => _analyzer.Analyze(_tracked.Period, _tracked.Correlation, _delayed);

        public void Synthesis(Span<float> output) => _synth.Synthesize(_delayed, _gains, _strengths, postfilter: true, output);

        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            Push(input);
            NewestAndFeatures();
            DelayedAnalysis();
            Synthesis(output);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (int i = 0; i < _signal.Length; i++)
            _signal[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 180 * i / 48000.0) + 0.1 * (rng.NextDouble() * 2 - 1));
        var model = PercepNetModel.FromFile(ModelFile.TorchInit(NetworkShape.Small, 1), "random-small");
        var options = new DenoiserOptions { UseInt8 = true };
        _current = new CurrentPipeline();
        _denoiser = new Denoiser(model, options);
        for (int f = 0; f < 50; f++)
        {
            var frame = NextFrame();
            _current.ProcessFrame(frame, _out);
            _denoiser.ProcessFrame(frame, _out);
        }
    }

    private ReadOnlySpan<float> NextFrame()
    {
        _pos = (_pos + FrameLayout.FrameSize) % _signal.Length;
        return _signal.AsSpan(_pos, FrameLayout.FrameSize);
    }

    [Benchmark(Baseline = true)]
    public void Frame() => _current.ProcessFrame(NextFrame(), _out);

    [Benchmark]
    public void Push() => _current.Push(NextFrame());

    [Benchmark]
    public void NewestAndFeatures() => _current.NewestAndFeatures();

    [Benchmark]
    public void Delayed() => _current.DelayedAnalysis();

    [Benchmark]
    public void Synthesis() => _current.Synthesis(_out);

    [Benchmark]
    public void DenoiserInt8Small() => _denoiser.ProcessFrame(NextFrame(), _out);
}
