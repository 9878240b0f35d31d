using PercepNet.Metrics.Dsp;

namespace PercepNet.Cli.Commands.Eval;

/// <summary>PESQ scores (MOS-LQO) of one pair; NaN where not computed.</summary>
public readonly record struct PesqResult(double WideBand, double NarrowBand)
{
    public static readonly PesqResult Absent = new(double.NaN, double.NaN);
}

/// <summary>Signature of PercepNet.Metrics.Pesq.Pesq.WideBand / NarrowBand: MOS-LQO of <paramref name="degraded"/> against <paramref name="reference"/>.</summary>
public delegate double PesqFunction(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate);

/// <summary>The two PESQ entry points the eval command calls.</summary>
public sealed record PesqBackend(PesqFunction WideBand, PesqFunction NarrowBand);

/// <summary>
/// Where the eval command reaches PESQ (ITU-T P.862.2 wide-band, P.862 + P.862.1 narrow-band,
/// PercepNet.Metrics.Pesq). Tests may swap the backend; with none, the pesq columns are NaN with a note.
/// </summary>
public static class PesqSeam
{
    /// <summary>The PESQ implementation (settable so tests can plug in a stand-in; null disables PESQ).</summary>
    public static PesqBackend? Backend { get; set; } = new(Metrics.Pesq.Pesq.WideBand, Metrics.Pesq.Pesq.NarrowBand);

    /// <summary>Why pesq columns are empty, for reports.</summary>
    public const string AbsentNote = "PESQ not computed: no PESQ backend configured";

    /// <summary>
    /// Scores a time-aligned, equal-length pair. P.862 runs at 8 or 16 kHz: 16 kHz input is used as is
    /// for both modes, 8 kHz input gets narrow-band only, any other rate is resampled to 16 kHz first
    /// with SciPy resample_poly's filter, the one behind the dfn48k PESQ reference values (PESQ is
    /// resampler-dependent, so this keeps those values reproducible end to end).
    /// </summary>
    internal static PesqResult Compute(float[] reference, float[] degraded, int sampleRate)
    {
        var backend = Backend;
        if (backend == null) return PesqResult.Absent;
        if (sampleRate == 8000)
            return new PesqResult(double.NaN, backend.NarrowBand(reference, degraded, 8000));
        if (sampleRate != 16000)
        {
            reference = KaiserResampler.Resample(reference, sampleRate, 16000, KaiserDesign.ScipyResamplePoly);
            degraded = KaiserResampler.Resample(degraded, sampleRate, 16000, KaiserDesign.ScipyResamplePoly);
        }
        return new PesqResult(backend.WideBand(reference, degraded, 16000), backend.NarrowBand(reference, degraded, 16000));
    }
}
