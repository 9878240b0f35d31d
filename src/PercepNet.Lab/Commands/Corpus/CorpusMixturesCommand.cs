using System.ComponentModel;
using PercepNet.Training.Corpus;
using PercepNet.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Corpus;

/// <summary>
/// `percepnet-lab corpus mixtures`: synthesised noisy/clean WAV pairs, by default from the validation
/// split: a development set to tune inference settings on without touching the evaluation pairs.
/// </summary>
public sealed class CorpusMixturesCommand : Command<CorpusMixturesCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--manifest <FILE>")]
        [Description("Manifest written by `corpus build`.")]
        public string Manifest { get; init; } = "corpus.tsv";

        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder: OUT/noisy/mix-NNNN.wav, OUT/clean/mix-NNNN.wav (48 kHz float) and OUT/mixtures.tsv. Existing pairs are kept.")]
        public string Out { get; init; } = "mixtures";

        [CommandOption("--split <NAME>")]
        [Description("Manifest split to draw speech, noise and rooms from (val = held-out speakers and sources).")]
        [DefaultValue("val")]
        public string Split { get; init; } = "val";

        [CommandOption("-n|--count <N>")]
        [Description("Number of pairs.")]
        [DefaultValue(40)]
        public int Count { get; init; } = 40;

        [CommandOption("--seconds <S>")]
        [Description("Length of each pair.")]
        [DefaultValue(6.0)]
        public double Seconds { get; init; } = 6;

        [CommandOption("--snr-skew <P>")]
        [Description("SNR = -5 + 45 u^P dB for uniform u (as `corpus shards`).")]
        [DefaultValue(1.5)]
        public double SnrSkew { get; init; } = 1.5;

        [CommandOption("--seed <N>")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        public override ValidationResult Validate()
        {
            if (!File.Exists(Manifest)) return ValidationResult.Error($"{Manifest}: manifest not found (run `percepnet-lab corpus build` first)");
            if (Count < 1 || !(Seconds >= 0.5 && Seconds <= 600) || !(SnrSkew > 0)) return ValidationResult.Error("--count >= 1, --seconds within [0.5, 600], --snr-skew > 0");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public CorpusMixturesCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var manifest = CorpusEntry.ReadManifest(s.Manifest);
        if (!manifest.Any(e => e.Kind == CorpusKind.Speech && e.Split == s.Split) || !manifest.Any(e => e.Kind == CorpusKind.Noise && e.Split == s.Split))
        {
            _console.MarkupLineInterpolated($"[red]{s.Manifest}: no speech or no noise in split '{s.Split}'[/]");
            return Program.Failure;
        }
        var options = new SynthesisOptions { Frames = (int)Math.Round(s.Seconds * 100), SnrSkew = s.SnrSkew };
        var lines = MixtureWriter.Write(manifest, s.Split, s.Out, s.Count, s.Seed, options, cancellationToken);
        _console.WriteLine($"{s.Out}: {lines.Count} pairs of {s.Seconds:F1} s from split '{s.Split}' ({Path.Combine(s.Out, "mixtures.tsv")} says how each was made)");
        return Program.Success;
    }
}
