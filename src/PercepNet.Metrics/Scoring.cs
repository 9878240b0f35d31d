using PercepNet.Metrics.Dsp;

namespace PercepNet.Metrics;

/// <summary>Signature of <see cref="Pesq.Pesq.WideBand"/> / <see cref="Pesq.Pesq.NarrowBand"/>: MOS-LQO of <paramref name="degraded"/> against <paramref name="reference"/>.</summary>
public delegate double PesqFunction(ReadOnlySpan<float> reference, ReadOnlySpan<float> degraded, int sampleRate);

/// <summary>The two PESQ entry points scoring calls.</summary>
public sealed record PesqBackend(PesqFunction WideBand, PesqFunction NarrowBand)
{
    /// <summary>Our ITU-T P.862 / P.862.2 implementation (PercepNet.Metrics.Pesq).</summary>
    public static PesqBackend Itu { get; } = new(Pesq.Pesq.WideBand, Pesq.Pesq.NarrowBand);
}

/// <summary>What <see cref="Scoring.Score"/> computes besides STOI, ESTOI and SI-SDR.</summary>
public sealed record ScoringOptions
{
    /// <summary>PESQ implementation; null leaves the PESQ scores NaN.</summary>
    public PesqBackend? Pesq { get; init; } = PesqBackend.Itu;

    /// <summary>DNSMOS models (non-intrusive, on the test signal as it is); null leaves those scores NaN.</summary>
    public Dnsmos? Dnsmos { get; init; }
}

/// <summary>Scores of one signal against its clean reference; NaN where not computed.</summary>
/// <param name="Notes">What was done to make the pair comparable (resampling, truncation) or failed.</param>
public sealed record PairScores(
    double DurationSeconds, double PesqWb, double PesqNb, double Stoi, double Estoi, double SiSdr,
    double DnsmosSig, double DnsmosBak, double DnsmosOvrl, double DnsmosP808, IReadOnlyList<string> Notes)
{
    /// <summary>Level of the test signal in the reference's pauses, dB re its speech level (<see cref="Metrics.PauseLevel"/>); NaN without pauses.</summary>
    public double PauseDb { get; init; } = double.NaN;

    /// <summary>STOI per one-third-octave band (<see cref="StoiDetail.Bands"/>); empty when not computed.</summary>
    public IReadOnlyList<double> StoiBands { get; init; } = [];
}

/// <summary>
/// The one scoring policy of the project, used by `percepnet-lab eval` and by library users alike: the
/// test signal is brought to the reference's rate (Kaiser resampler) and both to the shorter length;
/// the intrusive metrics see that aligned pair, DNSMOS the test signal as it is. PESQ (P.862 runs
/// at 8 or 16 kHz) takes 16 kHz input as is, 8 kHz input narrow-band only, and any other rate
/// resampled to 16 kHz with SciPy resample_poly's filter, the one behind the dfn48k PESQ reference
/// values (PESQ depends on the resampler, so this keeps those values reproducible end to end).
/// </summary>
public static class Scoring
{
    /// <summary>A clean reference quieter than this (RMS, dBFS) holds no speech to score against.</summary>
    public const double SilentReferenceDbfs = -80;

    /// <summary>Length differences above this are noted (10 ms).</summary>
    public const double LengthNoteSeconds = 0.010;

    /// <summary>Scores <paramref name="test"/> (mono, <paramref name="testRate"/> Hz) against <paramref name="clean"/>.</summary>
    /// <param name="testLabel">How notes name the test signal (e.g. "enhanced", "noisy").</param>
    /// <exception cref="InvalidDataException">The clean reference is empty or silent (below <see cref="SilentReferenceDbfs"/>).</exception>
    public static PairScores Score(ReadOnlySpan<float> clean, int cleanRate, ReadOnlySpan<float> test, int testRate,
        ScoringOptions? options = null, string testLabel = "test")
    {
        options ??= new ScoringOptions();
        var notes = new List<string>();
        float[] t = testRate == cleanRate ? test.ToArray() : KaiserResampler.Resample(test.ToArray(), testRate, cleanRate);
        if (testRate != cleanRate) notes.Add($"{testLabel} resampled {testRate} -> {cleanRate} Hz");
        int n = Math.Min(clean.Length, t.Length);
        if (Math.Abs(clean.Length - t.Length) > LengthNoteSeconds * cleanRate)
            notes.Add($"lengths differ by {Math.Abs(clean.Length - t.Length) * 1000.0 / cleanRate:F0} ms: truncated to the shorter");
        var cs = clean[..n].ToArray();
        var ts = t.AsSpan(0, n).ToArray();
        double cleanPower = 0;
        foreach (float v in cs) cleanPower += (double)v * v;
        if (n == 0 || 10 * Math.Log10(cleanPower / Math.Max(1, n) + 1e-30) < SilentReferenceDbfs)
            throw new InvalidDataException($"the clean reference is silent (below {SilentReferenceDbfs} dBFS RMS); PESQ, STOI and SI-SDR cannot score against it");

        var stoi = Metrics.Stoi.ComputeDetailed(cs, ts, cleanRate);
        double sisdr = SiSdr.Compute(cs, ts);
        double wb = double.NaN, nb = double.NaN;
        if (options.Pesq is { } pesq)
        {
            try { (wb, nb) = ComputePesq(pesq, cs, ts, cleanRate); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // P.862 rejects some inputs (e.g. no speech found); keep the other metrics.
                notes.Add("PESQ failed: " + e.Message);
            }
        }
        var d = options.Dnsmos?.Score(test.ToArray(), testRate) ?? new DnsmosResult(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        return new PairScores((double)n / cleanRate, wb, nb, stoi.Stoi, stoi.Estoi, sisdr, d.Sig, d.Bak, d.Ovrl, d.P808, notes)
        {
            PauseDb = PauseLevel.Compute(cs, ts, cleanRate),
            StoiBands = stoi.Bands,
        };
    }

    private static (double WideBand, double NarrowBand) ComputePesq(PesqBackend backend, float[] reference, float[] degraded, int sampleRate)
    {
        if (sampleRate == 8000) return (double.NaN, backend.NarrowBand(reference, degraded, 8000));
        if (sampleRate != 16000)
        {
            reference = KaiserResampler.Resample(reference, sampleRate, 16000, KaiserDesign.ScipyResamplePoly);
            degraded = KaiserResampler.Resample(degraded, sampleRate, 16000, KaiserDesign.ScipyResamplePoly);
        }
        return (backend.WideBand(reference, degraded, 16000), backend.NarrowBand(reference, degraded, 16000));
    }
}
