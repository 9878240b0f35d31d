using PercepNet.Audio;
using PercepNet.Metrics;

using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Eval;

/// <summary>Metric values of one processed (or noisy) file against its clean reference; NaN = not computed.</summary>
internal sealed record EvalRow(
    string File, string Signal, double DurationSeconds,
    double PesqWb, double PesqNb, double Stoi, double Estoi, double SiSdr,
    double DnsmosSig, double DnsmosBak, double DnsmosOvrl, double DnsmosP808, double PauseDb, string Note)
{
    /// <summary>STOI per one-third-octave band (<see cref="Stoi.BandCount"/> values; NaN where STOI is); empty when not computed.</summary>
    public IReadOnlyList<double> StoiBands { get; init; } = [];
}

/// <summary>The metric columns, in report order, with how to read each from a row.</summary>
internal static class EvalColumns
{
    public static readonly (string Name, Func<EvalRow, double> Get)[] All =
    [
        ("pesq_wb", r => r.PesqWb), ("pesq_nb", r => r.PesqNb),
        ("stoi", r => r.Stoi), ("estoi", r => r.Estoi), ("si_sdr", r => r.SiSdr),
        ("dnsmos_sig", r => r.DnsmosSig), ("dnsmos_bak", r => r.DnsmosBak),
        ("dnsmos_ovrl", r => r.DnsmosOvrl), ("dnsmos_p808", r => r.DnsmosP808), ("pause_db", r => r.PauseDb),
    ];
}

/// <summary>Scores one file against its clean reference with the project's one policy (<see cref="Scoring"/>).</summary>
internal static class EvalScorer
{
    public static EvalRow Score(string name, string signal, AudioData clean, AudioData test, ScoringOptions options)
    {
        var s = Scoring.Score(clean.Mono(), clean.SampleRate, test.Mono(), test.SampleRate, options, signal);
        return new EvalRow(name, signal, s.DurationSeconds, s.PesqWb, s.PesqNb, s.Stoi, s.Estoi, s.SiSdr,
            s.DnsmosSig, s.DnsmosBak, s.DnsmosOvrl, s.DnsmosP808, s.PauseDb, string.Join("; ", s.Notes))
        {
            StoiBands = s.StoiBands,
        };
    }
}
