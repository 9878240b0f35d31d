// FROZEN COPY of src/PercepNet.Core/Dsp/SignalSynthesizer.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// The synthesis half of the signal model: per-band mix of the noisy spectrum Y with its
/// comb-filtered version P by strengths r_b, energy renormalisation of each band back to Y's
/// energy, band gains g_b (optionally through the envelope postfilter), inverse STFT and
/// overlap-add. One instance per stream; allocates nothing after construction.
/// </summary>
public sealed class SignalSynthesizer
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
        float[] yx = y.X, p = y.P;
        for (int k = 0; k < FrameLayout.BinCount; k++)
        {
            float r = _rBins[k];
            spectrum[2 * k] = (1 - r) * yx[2 * k] + r * p[2 * k];
            spectrum[2 * k + 1] = (1 - r) * yx[2 * k + 1] + r * p[2 * k + 1];
        }
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
            for (int k = 0; k < FrameLayout.BinCount; k++)
            {
                spectrum[2 * k] *= _gBins[k];
                spectrum[2 * k + 1] *= _gBins[k];
            }
        }
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
