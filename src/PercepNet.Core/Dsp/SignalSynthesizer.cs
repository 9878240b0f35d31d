using System.Diagnostics;
using System.Numerics;

namespace PercepNet.Dsp;

/// <summary>
/// The synthesis half of the signal model: per-band mix of the noisy spectrum Y with its
/// comb-filtered version P by strengths r_b, energy renormalisation of each band back to Y's
/// energy, band gains g_b (optionally through the envelope postfilter), inverse STFT and
/// overlap-add. One instance per stream; allocates nothing after construction.
/// </summary>
internal sealed class SignalSynthesizer
{
    private readonly Stft _stft = new();
    private readonly float[] _z = new float[Stft.SpectrumLength];
    private readonly float[] _rBins = new float[FrameLayout.BinCount];
    private readonly float[] _gBins = new float[FrameLayout.BinCount];
    private readonly float[] _ez = new float[FrameLayout.BandCount];
    private readonly float[] _g = new float[FrameLayout.BandCount];
    private readonly float[] _target = new float[FrameLayout.BandCount];
    private readonly float[] _norm = new float[FrameLayout.BandCount];

    /// <summary>Delay of the synthesised samples relative to the analysed window's second half.</summary>
    public const int LatencySamples = Stft.LatencySamples;

    /// <summary>Postfilter gain G of the last frame (1 when the postfilter is off).</summary>
    public float LastPostfilterGain { get; private set; } = 1f;

    /// <summary>
    /// Z_b = (1 - r_b) Y_b + r_b P_b per band (interpolated per bin), each band rescaled to Y's
    /// energy, then multiplied by the band gains; writes 480 output samples.
    /// </summary>
    /// <param name="y">The analysed noisy frame (X and P of the noisy signal, with energies).</param>
    /// <param name="gains">34 band gains g_b in [0, 1].</param>
    /// <param name="strengths">34 comb strengths r_b in [0, 1].</param>
    /// <param name="postfilter">Apply the envelope postfilter to the gains.</param>
    /// <param name="output">480 samples.</param>
    /// <param name="gainFloor">Lowest final band gain (after the postfilter): an attenuation limit; 0 for none.</param>
    /// <param name="postfilterStrength">Exponent of the postfilter's extra attenuation (1 = the paper's).</param>
    public void Synthesize(FrameSpectrum y, ReadOnlySpan<float> gains, ReadOnlySpan<float> strengths, bool postfilter, Span<float> output,
        float gainFloor = 0f, float postfilterStrength = EnvelopePostfilter.PaperStrength)
    {
        Mix(y, gains, strengths, postfilter, _z, gainFloor, postfilterStrength);
        _stft.Synthesize(_z, output);
    }

    /// <summary>
    /// The spectral part of <see cref="Synthesize"/>: writes the output spectrum (962 floats) to
    /// <paramref name="spectrum"/> without synthesising it.
    /// </summary>
    public void Mix(FrameSpectrum y, ReadOnlySpan<float> gains, ReadOnlySpan<float> strengths, bool postfilter, Span<float> spectrum,
        float gainFloor = 0f, float postfilterStrength = EnvelopePostfilter.PaperStrength)
    {
        Debug.Assert(gains.Length >= FrameLayout.BandCount && strengths.Length >= FrameLayout.BandCount);
        Debug.Assert(spectrum.Length >= Stft.SpectrumLength);
        ErbBands.Interpolate(strengths, _rBins);
        MixBins(y.X, y.P, _rBins, spectrum);
        gains[..FrameLayout.BandCount].CopyTo(_g);
        LastPostfilterGain = postfilter ? EnvelopePostfilter.Apply(_g, y.Ex, postfilterStrength) : 1f;
        if (gainFloor > 0)
            for (int b = 0; b < FrameLayout.BandCount; b++) _g[b] = Math.Max(_g[b], gainFloor);
        // Renormalise each mixed band to the noisy band's energy times g_b^2. Gains reach the bins
        // through overlapping triangles, so one pass leaves errors where neighbouring bands need
        // very different factors (measured: up to -1.7 dB where the harmonics end and r = 1);
        // a second pass on the result brings them within a few percent.
        for (int b = 0; b < FrameLayout.BandCount; b++) _target[b] = _g[b] * _g[b] * y.Ex[b];
        for (int pass = 0; pass < 2; pass++)
        {
            ErbBands.Energy(spectrum, _ez);
            for (int b = 0; b < FrameLayout.BandCount; b++)
                _norm[b] = _ez[b] > 1e-20f ? MathF.Sqrt(_target[b] / _ez[b]) : (pass == 0 ? _g[b] : 1f);
            ErbBands.Interpolate(_norm, _gBins);
            ScaleBins(spectrum, _gBins);
        }
    }

    // OPT: the per-bin loops below run on Vector<float>; a bin's value is duplicated into its (re, im)
    // lanes with integer widening, so every product and sum is the scalar loop's, bit for bit.

    /// <summary>spectrum = (1 - r) x + r p per bin.</summary>
    private static void MixBins(ReadOnlySpan<float> x, ReadOnlySpan<float> p, ReadOnlySpan<float> r, Span<float> spectrum)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; k <= FrameLayout.BinCount - w; k += w)
            {
                Duplicate(r.Slice(k, w), out Vector<float> lo, out Vector<float> hi);
                int i = 2 * k;
                ((Vector<float>.One - lo) * new Vector<float>(x.Slice(i, w)) + lo * new Vector<float>(p.Slice(i, w))).CopyTo(spectrum.Slice(i, w));
                ((Vector<float>.One - hi) * new Vector<float>(x.Slice(i + w, w)) + hi * new Vector<float>(p.Slice(i + w, w))).CopyTo(spectrum.Slice(i + w, w));
            }
        }
        for (; k < FrameLayout.BinCount; k++)
        {
            float rk = r[k];
            spectrum[2 * k] = (1 - rk) * x[2 * k] + rk * p[2 * k];
            spectrum[2 * k + 1] = (1 - rk) * x[2 * k + 1] + rk * p[2 * k + 1];
        }
    }

    /// <summary>Multiplies each bin of <paramref name="spectrum"/> by <paramref name="gains"/>[k].</summary>
    private static void ScaleBins(Span<float> spectrum, ReadOnlySpan<float> gains)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; k <= FrameLayout.BinCount - w; k += w)
            {
                Duplicate(gains.Slice(k, w), out Vector<float> lo, out Vector<float> hi);
                Span<float> a = spectrum.Slice(2 * k, w), b = spectrum.Slice(2 * k + w, w);
                (new Vector<float>(a) * lo).CopyTo(a);
                (new Vector<float>(b) * hi).CopyTo(b);
            }
        }
        for (; k < FrameLayout.BinCount; k++)
        {
            spectrum[2 * k] *= gains[k];
            spectrum[2 * k + 1] *= gains[k];
        }
    }

    /// <summary>(v0, v0, v1, v1, ...) of the first and second half of <paramref name="values"/> (one vector long).</summary>
    private static void Duplicate(ReadOnlySpan<float> values, out Vector<float> lo, out Vector<float> hi)
    {
        Vector.Widen(Vector.AsVectorUInt32(new Vector<float>(values)), out Vector<ulong> a, out Vector<ulong> b);
        lo = Vector.AsVectorSingle(a | (a << 32));
        hi = Vector.AsVectorSingle(b | (b << 32));
    }

    /// <summary>Synthesises an arbitrary spectrum (e.g. per-bin oracle magnitudes); 480 output samples.</summary>
    public void SynthesizeSpectrum(ReadOnlySpan<float> spectrum, Span<float> output) => _stft.Synthesize(spectrum, output);

    /// <summary>Starts a new stream.</summary>
    public void Reset()
    {
        _stft.Reset();
        LastPostfilterGain = 1f;
    }
}
