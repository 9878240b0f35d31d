using System.Numerics;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet;

/// <summary>
/// One denoising stream: feed 480-sample frames of 48 kHz mono audio, get 480 enhanced samples
/// back, <see cref="LatencySamples"/> (1440 = 30 ms) later. Not thread-safe; create one per stream
/// (they may share one <see cref="PercepNetModel"/>). Allocates nothing per frame.
/// </summary>
/// <remarks>
/// Per frame: the pitch tracker and the analysis advance by one frame; the network gets the
/// features of the newest frame (analysed without look-ahead) and returns gains and strengths for
/// the frame two frames back, which the synthesis then renders from that frame's look-ahead
/// analysis (tracked pitch, comb filter with future taps). Non-finite input samples are replaced by
/// 0 and the input is limited to [-2, 2], so NaN, Inf or wild levels cannot poison the state.
/// After <see cref="DenoiserOptions.SilenceResetSeconds"/> of digital silence the stream starts
/// afresh, so what follows a long mute or a burst of NaN comes out as from a new stream.
/// </remarks>
public sealed class Denoiser : IFrameProcessor
{
    /// <summary>Samples per frame (10 ms at 48 kHz).</summary>
    public const int FrameSize = FrameLayout.FrameSize;

    /// <summary>Sample rate the denoiser runs at.</summary>
    public const int SampleRate = FrameLayout.SampleRate;

    private readonly IPercepNetNetwork _network;
    private readonly SignalAnalyzer _analyzer = new();
    private readonly SignalSynthesizer _synth = new();
    private readonly FrameSpectrum _newest = new(), _delayed = new();
    private readonly float[] _features = new float[FeatureExtractor.Count];
    private readonly float[] _gains = new float[FrameLayout.BandCount];
    private readonly float[] _strengths = new float[FrameLayout.BandCount];
    private readonly float[] _input = new float[FrameSize];
    private readonly float _gainFloor;
    private int _silentFrames;
    private readonly int _silenceResetFrames;
    private readonly float[] _featureFloor;
    private readonly bool _postfilter;
    private readonly float _postfilterStrength;

    /// <summary>
    /// Shortest <see cref="DenoiserOptions.SilenceResetSeconds"/>: 0.1 s, longer than every buffer
    /// of the signal path, so a reset never drops sound still in the analysis.
    /// </summary>
    public const double MinSilenceResetSeconds = 0.1;

    /// <summary>Creates a stream for <paramref name="model"/>.</summary>
    public Denoiser(PercepNetModel model, DenoiserOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new DenoiserOptions();
        if (options.AttenuationLimitDb is { } db && !(db >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), $"AttenuationLimitDb must be >= 0 dB (got {db})");
        if (!(options.PostfilterStrength >= 0 && options.PostfilterStrength <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"PostfilterStrength must be within [0, 1] (got {options.PostfilterStrength})");
        Model = model;
        Options = options;
        _network = options.UseInt8 ? new PercepNetNetworkInt8(model.Quantized) : new PercepNetNetwork(model.File);
        _gainFloor = options.AttenuationLimitDb is { } limit ? (float)Math.Pow(10, -limit / 20) : 0f;
        _postfilter = options.Postfilter;
        if (options.FeatureNoiseFloorDbfs is { } nf && !(nf <= 0 && nf >= -200))
            throw new ArgumentOutOfRangeException(nameof(options), $"FeatureNoiseFloorDbfs must be within [-200, 0] dBFS (got {nf})");
        if (!(options.SilenceResetSeconds >= MinSilenceResetSeconds || options.SilenceResetSeconds == 0) || !double.IsFinite(options.SilenceResetSeconds))
            throw new ArgumentOutOfRangeException(nameof(options), $"SilenceResetSeconds must be 0 (never) or at least {MinSilenceResetSeconds} s (got {options.SilenceResetSeconds})");
        _silenceResetFrames = options.SilenceResetSeconds == 0 ? int.MaxValue : (int)Math.Ceiling(options.SilenceResetSeconds * SampleRate / FrameSize);
        _featureFloor = (options.FeatureNoiseFloorDbfs ?? model.File.FeatureFloorDbfs) is { } f ? FeatureExtractor.NoiseFloorEnergies(f) : [];
        _postfilterStrength = (float)options.PostfilterStrength;
    }

    /// <summary>The model this stream runs.</summary>
    public PercepNetModel Model { get; }

    /// <summary>The options this stream was created with.</summary>
    public DenoiserOptions Options { get; }

    /// <summary>
    /// Output delay in samples: the 2-frame look-ahead plus the overlap-add frame, 1440 samples
    /// (30 ms). Output sample n corresponds to input sample n - LatencySamples.
    /// </summary>
    public int LatencySamples => SignalAnalyzer.LookaheadSamples + Stft.LatencySamples;

    /// <summary>
    /// Denoises one frame. <paramref name="input"/> and <paramref name="output"/> hold
    /// <see cref="FrameSize"/> samples of 48 kHz mono audio nominally in [-1, 1]; they may be the
    /// same span (in place). Returns the speech-presence probability in [0, 1] of the output frame.
    /// </summary>
    /// <exception cref="ArgumentException">A span is not 480 samples long.</exception>
    public float ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != FrameSize || output.Length != FrameSize)
            throw new ArgumentException($"ProcessFrame takes exactly {FrameSize} input and output samples (got {input.Length} and {output.Length})");
        Sanitize(input, _input);
        // After DenoiserOptions.SilenceResetSeconds of digital silence (a muted or gated input, or NaN replaced by 0)
        // every signal buffer holds zeros: starting afresh at the first sound makes what follows
        // come out exactly as from a new stream, whatever the network made of the silence and of
        // the hours before it.
        if (_input.AsSpan().IndexOfAnyExcept(0f) < 0)
        {
            if (_silentFrames < _silenceResetFrames) _silentFrames++;
        }
        else
        {
            if (_silentFrames == _silenceResetFrames) Reset();
            _silentFrames = 0;
        }
        _analyzer.AnalyzeFrame(_input, _newest, _delayed);
        FeatureExtractor.Extract(_newest, _features, _featureFloor);
        _network.Process(_features, _gains, _strengths, out float vad);
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            // A non-finite network output (which finite inputs cannot produce) would leave the band as it is.
            float g = _gains[b], r = _strengths[b];
            _gains[b] = float.IsFinite(g) ? g : 1f;
            _strengths[b] = float.IsFinite(r) ? r : 0f;
        }
        _synth.Synthesize(_delayed, _gains, _strengths, _postfilter, output, _gainFloor, _postfilterStrength);
        return float.IsFinite(vad) ? vad : 0f;
    }

    /// <summary>dst = input limited to [-2, 2], non-finite samples replaced by 0.</summary>
    private static void Sanitize(ReadOnlySpan<float> input, Span<float> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // v - v is 0 exactly for finite v and NaN for NaN and +-Inf.
            int w = Vector<float>.Count;
            var lo = new Vector<float>(-2f);
            var hi = new Vector<float>(2f);
            for (; i <= input.Length - w; i += w)
            {
                var v = new Vector<float>(input.Slice(i, w));
                Vector<int> finite = Vector.Equals(v - v, Vector<float>.Zero);
                Vector.ConditionalSelect(finite, Vector.Min(Vector.Max(v, lo), hi), Vector<float>.Zero).CopyTo(dst.Slice(i, w));
            }
        }
        for (; i < input.Length; i++)
        {
            float v = input[i];
            dst[i] = float.IsFinite(v) ? Math.Clamp(v, -2f, 2f) : 0f;
        }
    }

    void IFrameProcessor.ProcessFrame(ReadOnlySpan<float> input, Span<float> output) => ProcessFrame(input, output);

    /// <summary>Starts a new stream with the same model: the output is then bit-identical to a new instance's.</summary>
    public void Reset()
    {
        _silentFrames = 0;
        _analyzer.Reset();
        _synth.Reset();
        _network.Reset();
    }
}
