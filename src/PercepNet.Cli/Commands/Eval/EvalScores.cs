using PercepNet.Audio;
using PercepNet.Metrics;
using PercepNet.Metrics.Dsp;

namespace PercepNet.Cli.Commands.Eval;

/// <summary>Metric values of one processed (or noisy) file against its clean reference; NaN = not computed.</summary>
internal sealed record EvalRow(
    string File, string Signal, double DurationSeconds,
    double PesqWb, double PesqNb, double Stoi, double Estoi, double SiSdr,
    double DnsmosSig, double DnsmosBak, double DnsmosOvrl, double DnsmosP808, string Note);

/// <summary>The metric columns, in report order, with how to read each from a row.</summary>
internal static class EvalColumns
{
    public static readonly (string Name, Func<EvalRow, double> Get)[] All =
    [
        ("pesq_wb", r => r.PesqWb), ("pesq_nb", r => r.PesqNb),
        ("stoi", r => r.Stoi), ("estoi", r => r.Estoi), ("si_sdr", r => r.SiSdr),
        ("dnsmos_sig", r => r.DnsmosSig), ("dnsmos_bak", r => r.DnsmosBak),
        ("dnsmos_ovrl", r => r.DnsmosOvrl), ("dnsmos_p808", r => r.DnsmosP808),
    ];
}

/// <summary>Computes every metric for one file against its clean reference.</summary>
internal static class EvalScorer
{
    /// <summary>Length differences above this are noted in the report (10 ms).</summary>
    private const double LengthNoteSeconds = 0.010;

    /// <summary>
    /// Brings <paramref name="test"/> to the clean file's rate (Kaiser resampler) and both to the
    /// shorter length, then scores it. Intrusive metrics see the aligned pair; DNSMOS the test signal as is.
    /// </summary>
    /// <summary>A clean reference quieter than this (RMS, dBFS) holds no speech to score against.</summary>
    public const double SilentReferenceDbfs = -80;

    public static EvalRow Score(string name, string signal, AudioData clean, AudioData test, Dnsmos? dnsmos)
    {
        var notes = new List<string>();
        int rate = clean.SampleRate;
        float[] c = clean.Mono();
        float[] t = test.SampleRate == rate ? test.Mono() : KaiserResampler.Resample(test.Mono(), test.SampleRate, rate);
        if (test.SampleRate != rate) notes.Add($"{signal} resampled {test.SampleRate} -> {rate} Hz");
        int n = Math.Min(c.Length, t.Length);
        if (Math.Abs(c.Length - t.Length) > LengthNoteSeconds * rate)
            notes.Add($"lengths differ by {Math.Abs(c.Length - t.Length) * 1000.0 / rate:F0} ms: truncated to the shorter");
        var cs = c.AsSpan(0, n).ToArray();
        var ts = t.AsSpan(0, n).ToArray();
        double cleanPower = 0;
        foreach (float v in cs) cleanPower += (double)v * v;
        if (n == 0 || 10 * Math.Log10(cleanPower / Math.Max(1, n) + 1e-30) < SilentReferenceDbfs)
            throw new InvalidDataException($"{name}: the clean reference is silent (below {SilentReferenceDbfs} dBFS RMS); PESQ, STOI and SI-SDR cannot score against it");

        var (stoi, estoi) = Stoi.ComputeBoth(cs, ts, rate);
        double sisdr = SiSdr.Compute(cs, ts);
        PesqResult pesq;
        try { pesq = PesqSeam.Compute(cs, ts, rate); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // P.862 rejects some inputs (e.g. no speech found); keep the other metrics of the row.
            pesq = PesqResult.Absent;
            notes.Add("PESQ failed: " + e.Message);
        }
        var d = dnsmos?.Score(test.Mono(), test.SampleRate) ?? new DnsmosResult(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        return new EvalRow(name, signal, (double)n / rate, pesq.WideBand, pesq.NarrowBand, stoi, estoi, sisdr,
            d.Sig, d.Bak, d.Ovrl, d.P808, string.Join("; ", notes));
    }
}
