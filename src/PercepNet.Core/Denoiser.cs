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

    private readonly NetworkRunner _network;
    private readonly SignalAnalyzer _analyzer = new();
    private readonly SignalSynthesizer _synth = new();
    private readonly FrameSpectrum _newest = new(), _delayed = new();
    private readonly float[] _gains = new float[FrameLayout.BandCount];
    private readonly float[] _strengths = new float[FrameLayout.BandCount];
    private readonly float[] _input = new float[FrameSize];
    private float _gainFloor;
    private double? _attenuationLimitDb;
    private int _silentFrames;
    private readonly int _silenceResetFrames;
    private readonly bool _postfilter;
    private float _postfilterStrength;
    private double? _gateThreshold;
    private int _gateHoldFrames, _gateHold;
    private float _gateGain;
    private readonly GainRelease _release = new(GainRelease.MaxReleaseMs);
    private bool _releaseOn;

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
        Model = model;
        Options = options;
        AttenuationLimitDb = options.AttenuationLimitDb;
        PostfilterStrength = options.PostfilterStrength;
        GainReleaseMs = options.GainReleaseMs;
        SetVadGate(options.VadGateThreshold, options.VadGateHoldSeconds);
        _gateHold = 0; // a new stream starts gated
        _gateGain = 0f;
        _postfilter = options.Postfilter;
        if (options.FeatureNoiseFloorDbfs is { } nf && !(nf <= 0 && nf >= -200))
            throw new ArgumentOutOfRangeException(nameof(options), $"FeatureNoiseFloorDbfs must be within [-200, 0] dBFS (got {nf})");
        if (!(options.SilenceResetSeconds >= MinSilenceResetSeconds || options.SilenceResetSeconds == 0) || !double.IsFinite(options.SilenceResetSeconds))
            throw new ArgumentOutOfRangeException(nameof(options), $"SilenceResetSeconds must be 0 (never) or at least {MinSilenceResetSeconds} s (got {options.SilenceResetSeconds})");
        _silenceResetFrames = options.SilenceResetSeconds == 0 ? int.MaxValue : (int)Math.Ceiling(options.SilenceResetSeconds * SampleRate / FrameSize);
        _network = new NetworkRunner(model, options.UseInt8, options.FeatureNoiseFloorDbfs);
    }

    /// <summary>The model this stream runs.</summary>
    public PercepNetModel Model { get; }

    /// <summary>The options this stream was created with (the controls below may have changed since).</summary>
    public DenoiserOptions Options { get; }

    /// <summary>
    /// The attenuation limit in dB (<see cref="DenoiserOptions.AttenuationLimitDb"/>); may be changed
    /// between frames (a live control). Null: no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or NaN.</exception>
    public double? AttenuationLimitDb
    {
        get => _attenuationLimitDb;
        set
        {
            if (value is { } db && !(db >= 0))
                throw new ArgumentOutOfRangeException(nameof(value), $"AttenuationLimitDb must be >= 0 dB (got {db})");
            _attenuationLimitDb = value;
            _gainFloor = value is { } limit ? (float)Math.Pow(10, -limit / 20) : 0f;
        }
    }

    /// <summary>
    /// The postfilter strength in [0, 1] (<see cref="DenoiserOptions.PostfilterStrength"/>); may be
    /// changed between frames. Has no effect when the stream was created without the postfilter.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, 1].</exception>
    public double PostfilterStrength
    {
        get => _postfilterStrength;
        set
        {
            if (!(value >= 0 && value <= 1))
                throw new ArgumentOutOfRangeException(nameof(value), $"PostfilterStrength must be within [0, 1] (got {value})");
            _postfilterStrength = (float)value;
        }
    }

    /// <summary>
    /// The gain release time in ms (<see cref="DenoiserOptions.GainReleaseMs"/>); may be changed
    /// between frames. Each band gain g_b is raised where needed so that the band's output falls
    /// by at most a factor a = 10^(-30 / T) per 10 ms frame: g_b(t) &gt;= a min(1, g_b(t-1)
    /// sqrt(E_b(t-1) / E_b(t))), E_b the band's input energy. Where the input falls, the output may
    /// fall with it; a louder input lowers the bound, so it never lets a band's output rise. Null: no limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [10, 10000] ms.</exception>
    public double? GainReleaseMs
    {
        get => _releaseOn ? _release.ReleaseMs : null;
        set
        {
            if (value is { } ms)
            {
                _release.ReleaseMs = ms; // validates
                // Turned on: the bound starts from the next frame's gains (its state was not kept while off).
                if (!_releaseOn) _release.Reset();
            }
            _releaseOn = value is not null;
        }
    }

    /// <summary>The VAD gate's threshold (<see cref="DenoiserOptions.VadGateThreshold"/>); null: no gate.</summary>
    public double? VadGateThreshold => _gateThreshold;

    /// <summary>The VAD gate's hold time in seconds (<see cref="DenoiserOptions.VadGateHoldSeconds"/>).</summary>
    public double VadGateHoldSeconds => _gateHoldFrames / (double)FrameLayout.FramesPerSecond;

    /// <summary>
    /// Sets the VAD gate between frames: <paramref name="threshold"/> in [0, 1] or null (off), hold
    /// time 0 to 10 s (rounded up to whole 10 ms frames). An open gate stays open for its new hold time.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public void SetVadGate(double? threshold, double holdSeconds)
    {
        if (threshold is { } t && !(t >= 0 && t <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), $"VadGateThreshold must be within [0, 1] (got {t})");
        if (!(holdSeconds >= 0 && holdSeconds <= 10))
            throw new ArgumentOutOfRangeException(nameof(holdSeconds), $"VadGateHoldSeconds must be within [0, 10] s (got {holdSeconds})");
        bool wasOff = _gateThreshold is null;
        _gateThreshold = threshold;
        _gateHoldFrames = (int)Math.Ceiling(holdSeconds * FrameLayout.FramesPerSecond - 1e-9);
        _gateHold = Math.Min(_gateHold, _gateHoldFrames);
        // Turning the gate on mid-stream starts it open (no cut in the middle of a word); a new stream starts gated.
        if (wasOff && threshold is not null) { _gateGain = 1f; _gateHold = _gateHoldFrames; }
    }

    /// <summary>
    /// Output delay in samples: the 2-frame look-ahead plus the overlap-add frame, 1440 samples
    /// (30 ms). Output sample n corresponds to input sample n - LatencySamples.
    /// </summary>
    public int LatencySamples => FrameLayout.LatencySamples;

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
        float vad = _network.Process(_newest, _gains, _strengths);
        if (_releaseOn) _release.Apply(_gains, _delayed.Ex);
        _synth.Synthesize(_delayed, _gains, _strengths, _postfilter, output, _gainFloor, _postfilterStrength);
        if (_gateThreshold is { } threshold) Gate(vad >= threshold, output);
        return vad;
    }

    /// <summary>Samples of the gate's fade in (1 ms) and fade out (one frame, 10 ms).</summary>
    private const int GateFadeInSamples = 48, GateFadeOutSamples = FrameSize;

    /// <summary>The VAD gate: open while speech was seen within the hold time, with short linear fades.</summary>
    private void Gate(bool speech, Span<float> output)
    {
        // _gateHold: frames the gate stays open after the last frame with speech.
        bool open = speech || _gateHold > 0;
        if (speech) _gateHold = _gateHoldFrames;
        else if (_gateHold > 0) _gateHold--;
        float target = open ? 1f : 0f, from = _gateGain;
        _gateGain = target;
        if (from == 1f && target == 1f) return;
        if (from == target) { output.Clear(); return; }
        int fade = target > from ? GateFadeInSamples : GateFadeOutSamples;
        for (int i = 0; i < output.Length; i++)
            output[i] *= i < fade ? from + (target - from) * (i + 1) / fade : target;
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
        _gateHold = 0;
        _gateGain = 0f;
        _analyzer.Reset();
        _synth.Reset();
        _network.Reset();
        _release.Reset();
    }
}
