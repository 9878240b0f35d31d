// FROZEN COPY of Denoiser.ProcessFrame as of commit c974eeb (before the DSP speed work), split into
// its stages so the benchmark can time them. Do not edit.
using PercepNet.Dsp;
using PercepNet.Nn;

namespace PercepNet.Frozen;

/// <summary>The old per-frame pipeline of <see cref="PercepNet.Denoiser"/>, stage by stage.</summary>
internal sealed class FrozenDenoiser
{
    private readonly IPercepNetNetwork? _network;
    private readonly SignalAnalyzer _analyzer = new();
    private readonly SignalSynthesizer _synth = new();
    private readonly FrameSpectrum _newest = new(), _delayed = new();
    private readonly float[] _features = new float[FeatureExtractor.Count];
    private readonly float[] _gains = new float[FrameLayout.BandCount];
    private readonly float[] _strengths = new float[FrameLayout.BandCount];
    private readonly float[] _input = new float[FrameLayout.FrameSize];
    private readonly float _gainFloor;
    private readonly bool _postfilter;
    private PitchResult _tracked;

    /// <summary>With a network (as the Denoiser), or without (<paramref name="model"/> null: fixed gains 0.5, strengths 0.5).</summary>
    public FrozenDenoiser(PercepNetModel? model, DenoiserOptions? options = null)
    {
        options ??= new DenoiserOptions();
        if (model != null)
            _network = options.UseInt8 ? new PercepNetNetworkInt8(model.Quantized) : new PercepNetNetwork(model.File);
        _gainFloor = options.AttenuationLimitDb is { } limit ? (float)Math.Pow(10, -limit / 20) : 0f;
        _postfilter = options.Postfilter;
        Array.Fill(_gains, 0.5f);
        Array.Fill(_strengths, 0.5f);
    }

    public float[] Features => _features;
    public FrameSpectrum Newest => _newest;
    public FrameSpectrum Delayed => _delayed;

    public float ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
    {
        Push(input);
        NewestAndFeatures();
        float vad = 0f;
        if (_network != null)
        {
            _network.Process(_features, _gains, _strengths, out vad);
            for (int b = 0; b < FrameLayout.BandCount; b++)
            {
                float g = _gains[b], r = _strengths[b];
                _gains[b] = float.IsFinite(g) ? g : 1f;
                _strengths[b] = float.IsFinite(r) ? r : 0f;
            }
        }
        DelayedAnalysis();
        Synthesis(output);
        return float.IsFinite(vad) ? vad : 0f;
    }

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

    public void Synthesis(Span<float> output) => _synth.Synthesize(_delayed, _gains, _strengths, _postfilter, output, _gainFloor);

    public void Reset()
    {
        _analyzer.Reset();
        _synth.Reset();
        _network?.Reset();
    }
}
