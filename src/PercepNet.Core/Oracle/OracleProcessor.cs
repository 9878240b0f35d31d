using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Oracle;

/// <summary>The four oracle stages of the PercepNet study (what the representation can reach).</summary>
public enum OracleStage
{
    /// <summary>Ideal per-bin magnitudes |X| with the noisy phase (480 numbers per frame).</summary>
    BinMagnitudes = 1,
    /// <summary>Ideal 34 band gains only.</summary>
    BandGains = 2,
    /// <summary>Band gains plus the comb filter mixed with ideal strengths r_b.</summary>
    BandGainsComb = 3,
    /// <summary>Stage 3 plus the envelope postfilter.</summary>
    BandGainsCombPostfilter = 4,
}

/// <summary>Where the oracle takes the pitch period from.</summary>
public enum PitchSource
{
    /// <summary>Tracked on the noisy input, as the real system must (default).</summary>
    Noisy,
    /// <summary>Tracked on the clean speech (an upper bound for the comb filter).</summary>
    Clean,
}

/// <summary>
/// Which of the oracle's parameters a network supplies instead (a hybrid oracle, stages 3 and 4):
/// it measures what each half of the network's output costs against the ideal.
/// </summary>
public enum NetworkPart
{
    /// <summary>Both ideal (the plain oracle).</summary>
    None,
    /// <summary>The network's band gains, ideal comb strengths.</summary>
    Gains,
    /// <summary>Ideal band gains, the network's comb strengths.</summary>
    Strengths,
    /// <summary>Both from the network: what <see cref="Denoiser"/> does with the same model.</summary>
    Both,
    /// <summary>max(network gain, ideal gain) per band, ideal strengths: only the network's excess gain (residual noise) is kept.</summary>
    Excess,
    /// <summary>min(network gain, ideal gain) per band, ideal strengths: only the network's deficit (over-suppression, speech cut) is kept.</summary>
    Deficit,
}

/// <summary>
/// Runs an oracle stage over whole 48 kHz signals. The output has the noisy input's length and is
/// time-aligned with it (the pipeline's <see cref="LatencySamples"/> are removed).
/// </summary>
internal sealed class OracleProcessor
{
    /// <summary>Pipeline delay: look-ahead (2 frames) + overlap-add (1 frame) = 1440 samples (30 ms).</summary>
    public const int LatencySamples = SignalAnalyzer.LookaheadSamples + Stft.LatencySamples;

    private readonly SignalAnalyzer _clean;
    private readonly SignalAnalyzer _noisy;
    private readonly SignalSynthesizer _synth = new();
    private readonly FrameSpectrum _cs = new(), _ns = new();
    private readonly float[] _g = new float[FrameLayout.BandCount];
    private readonly float[] _r = new float[FrameLayout.BandCount];
    private readonly float[] _bins = new float[Stft.SpectrumLength];
    private readonly PitchSource _pitchSource;

    private readonly float _postfilterStrength;

    // Hybrid oracle (NetworkPart): the network runs on the noisy input exactly as in Denoiser.
    private readonly NetworkPart _part;
    private readonly NetworkRunner? _network;
    private readonly FrameSpectrum _newest = new();
    private readonly float[] _gNet = new float[FrameLayout.BandCount];
    private readonly float[] _rNet = new float[FrameLayout.BandCount];

    /// <param name="pitchSource">Which signal's tracked pitch tunes the comb filter.</param>
    /// <param name="postfilterStrength">Stage 4's postfilter exponent (1 = the paper's).</param>
    /// <param name="model">With <paramref name="part"/> other than None: the network that supplies that part (int8, at the model's own feature floor, as <see cref="Denoiser"/> runs it).</param>
    /// <param name="part">Which parameters come from <paramref name="model"/> (stages 3 and 4 only).</param>
    public OracleProcessor(PitchSource pitchSource = PitchSource.Noisy, float postfilterStrength = Dsp.EnvelopePostfilter.PaperStrength,
        PercepNetModel? model = null, NetworkPart part = NetworkPart.None)
    {
        _pitchSource = pitchSource;
        _postfilterStrength = postfilterStrength;
        _clean = new SignalAnalyzer(trackPitch: pitchSource == PitchSource.Clean);
        _noisy = new SignalAnalyzer(trackPitch: pitchSource == PitchSource.Noisy);
        _part = part;
        if (part != NetworkPart.None)
        {
            if (model is null) throw new ArgumentNullException(nameof(model), $"NetworkPart.{part} needs a model");
            // The network must see what it sees in Denoiser: features of the noisy input with its own tracked pitch.
            if (pitchSource != PitchSource.Noisy) throw new ArgumentException("a hybrid oracle tracks the pitch on the noisy input", nameof(pitchSource));
            _network = new NetworkRunner(model, useInt8: true);
        }
    }

    /// <summary>Processes one 480-sample frame of each signal; writes 480 output samples (delayed by <see cref="LatencySamples"/>).</summary>
    public void ProcessFrame(ReadOnlySpan<float> clean, ReadOnlySpan<float> noisy, OracleStage stage, Span<float> output)
    {
        // One side tracks the pitch, the other is analysed with it.
        if (_pitchSource == PitchSource.Clean) _noisy.AnalyzeFrame(noisy, _clean.AnalyzeFrame(clean, null, _cs), _ns);
        else _clean.AnalyzeFrame(clean, _noisy.AnalyzeFrame(noisy, _network is null ? null : _newest, _ns), _cs);
        if (_network is not null)
        {
            if (stage is OracleStage.BinMagnitudes or OracleStage.BandGains)
                throw new ArgumentException($"a hybrid oracle ({_part}) runs stages 3 and 4 only", nameof(stage));
            _network.Process(_newest, _gNet, _rNet);
        }
        switch (stage)
        {
            case OracleStage.BinMagnitudes:
                for (int k = 0; k < FrameLayout.BinCount; k++)
                {
                    float xr = _cs.X[2 * k], xi = _cs.X[2 * k + 1], yr = _ns.X[2 * k], yi = _ns.X[2 * k + 1];
                    float my = MathF.Sqrt(yr * yr + yi * yi), mx = MathF.Sqrt(xr * xr + xi * xi);
                    float ratio = my > 1e-9f ? mx / my : 0f;
                    _bins[2 * k] = yr * ratio;
                    _bins[2 * k + 1] = yi * ratio;
                }
                _synth.SynthesizeSpectrum(_bins, output);
                break;
            case OracleStage.BandGains:
                // Stage 2 uses the plain amplitude ratio (no comb, so no harmonicity correction).
                for (int b = 0; b < FrameLayout.BandCount; b++)
                {
                    _g[b] = OracleTargets.IdealGain(_cs.Ex[b], _ns.Ex[b]);
                    _r[b] = 0f;
                }
                _synth.Synthesize(_ns, _g, _r, postfilter: false, output);
                break;
            default:
                OracleTargets.Compute(_cs, _ns, _g, _r);
                if (_part is NetworkPart.Gains or NetworkPart.Both) _gNet.CopyTo(_g, 0);
                else if (_part == NetworkPart.Excess) for (int b = 0; b < _g.Length; b++) _g[b] = MathF.Max(_g[b], _gNet[b]);
                else if (_part == NetworkPart.Deficit) for (int b = 0; b < _g.Length; b++) _g[b] = MathF.Min(_g[b], _gNet[b]);
                if (_part is NetworkPart.Strengths or NetworkPart.Both) _rNet.CopyTo(_r, 0);
                _synth.Synthesize(_ns, _g, _r, postfilter: stage == OracleStage.BandGainsCombPostfilter, output,
                    postfilterStrength: _postfilterStrength);
                break;
        }
    }

    /// <summary>
    /// Runs a whole pair (same length, 48 kHz); returns the output time-aligned with
    /// <paramref name="noisy"/>. <paramref name="progress"/> receives the fraction done.
    /// </summary>
    public float[] Run(ReadOnlySpan<float> clean, ReadOnlySpan<float> noisy, OracleStage stage, Action<double>? progress = null)
    {
        if (clean.Length != noisy.Length) throw new ArgumentException("clean and noisy must have the same length");
        Reset();
        const int n = FrameLayout.FrameSize;
        int total = noisy.Length + LatencySamples;
        int frames = (total + n - 1) / n;
        var output = new float[frames * n];
        Span<float> cf = stackalloc float[n], nf = stackalloc float[n];
        for (int f = 0; f < frames; f++)
        {
            int start = f * n;
            cf.Clear(); nf.Clear();
            if (start < clean.Length)
            {
                int len = Math.Min(n, clean.Length - start);
                clean.Slice(start, len).CopyTo(cf);
                noisy.Slice(start, len).CopyTo(nf);
            }
            ProcessFrame(cf, nf, stage, output.AsSpan(start, n));
            if (progress != null && (f & 255) == 0) progress((double)f / frames);
        }
        progress?.Invoke(1.0);
        return output.AsSpan(LatencySamples, noisy.Length).ToArray();
    }

    /// <summary>Starts a new pair of streams.</summary>
    public void Reset()
    {
        _clean.Reset();
        _noisy.Reset();
        _synth.Reset();
        _network?.Reset();
    }
}
