using PercepNet.Dsp;
using PercepNet.Features;

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

    /// <param name="pitchSource">Which signal's tracked pitch tunes the comb filter.</param>
    /// <param name="postfilterStrength">Stage 4's postfilter exponent (1 = the paper's).</param>
    public OracleProcessor(PitchSource pitchSource = PitchSource.Noisy, float postfilterStrength = Dsp.EnvelopePostfilter.PaperStrength)
    {
        _pitchSource = pitchSource;
        _postfilterStrength = postfilterStrength;
        _clean = new SignalAnalyzer(trackPitch: pitchSource == PitchSource.Clean);
        _noisy = new SignalAnalyzer(trackPitch: pitchSource == PitchSource.Noisy);
    }

    /// <summary>Processes one 480-sample frame of each signal; writes 480 output samples (delayed by <see cref="LatencySamples"/>).</summary>
    public void ProcessFrame(ReadOnlySpan<float> clean, ReadOnlySpan<float> noisy, OracleStage stage, Span<float> output)
    {
        // One side tracks the pitch, the other is analysed with it.
        if (_pitchSource == PitchSource.Clean) _noisy.AnalyzeFrame(noisy, _clean.AnalyzeFrame(clean, null, _cs), _ns);
        else _clean.AnalyzeFrame(clean, _noisy.AnalyzeFrame(noisy, null, _ns), _cs);
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
    }
}
