using System.ComponentModel;
using System.Diagnostics;
using PercepNet.Cli.Infrastructure;
using PercepNet.Training.Corpus;
using PercepNet.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;

namespace PercepNet.Lab.Commands.Corpus;

/// <summary>`percepnet-lab corpus shards`: synthesises training sequences and precomputes features and targets.</summary>
public sealed class CorpusShardsCommand : Command<CorpusShardsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--manifest <FILE>")]
        [Description("Manifest written by `corpus build`.")]
        public string Manifest { get; init; } = "corpus.tsv";

        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder; shards go to OUT/train and OUT/val. Existing shards are kept (resume).")]
        public string Out { get; init; } = "shards";

        [CommandOption("--train-hours <H>")]
        [Description("Hours of training sequences to synthesise.")]
        [DefaultValue(10.0)]
        public double TrainHours { get; init; } = 10;

        [CommandOption("--val-hours <H>")]
        [Description("Hours of validation sequences.")]
        [DefaultValue(0.5)]
        public double ValHours { get; init; } = 0.5;

        [CommandOption("--frames <N>")]
        [Description("Frames (10 ms) per sequence.")]
        [DefaultValue(500)]
        public int Frames { get; init; } = 500;

        [CommandOption("--per-shard <N>")]
        [Description("Sequences per shard file.")]
        [DefaultValue(100)]
        public int PerShard { get; init; } = 100;

        [CommandOption("--snr-skew <P>")]
        [Description("SNR = -5 + 45 u^P dB for uniform u: 1 = uniform in dB, larger = more low-SNR mixtures.")]
        [DefaultValue(1.5)]
        public double SnrSkew { get; init; } = 1.5;

        [CommandOption("--speed-perturb <P>")]
        [Description("Probability that an utterance is played 0.89-1.14x as fast (pitch, formants, tempo): more voices. 0 = as before.")]
        [DefaultValue(0.5)]
        public double SpeedPerturb { get; init; } = 0.5;

        [CommandOption("--voice-shift <P>")]
        [Description("Probability that an utterance gets a new voice: pitch and formants moved together (-4..+8 semitones), then formants alone (x0.88-1.15), tempo kept. Such utterances are not speed-perturbed. 0 = as before.")]
        [DefaultValue(0.0)]
        public double VoiceShift { get; init; }

        [CommandOption("--pitch-range <LO,HI>")]
        [Description("Pitch shift range of --voice-shift in semitones, e.g. -4,12 (default -4,8). sox's `pitch 1000` is +10: higher voices than the corpus has (children, excited speech).")]
        public string? PitchRange { get; init; }

        [CommandOption("--speaker-balance <A>")]
        [Description("Pick a speaker with probability proportional to (its hours of speech)^A, then one of its files (0 = every speaker equally often). Default: uniform over files, as before.")]
        public double? SpeakerBalance { get; init; }

        [CommandOption("--noise-weight <B>")]
        [Description("Pick a recorded noise file with probability proportional to (its duration)^B (1 = every second of noise equally often). Default: uniform over files, as before: UrbanSound8K's thousands of 4 s events then outweigh the long ambient recordings.")]
        public double? NoiseWeight { get; init; }

        [CommandOption("--noise-envelope <P>")]
        [Description("Probability that a recorded or coloured noise surges: a slow random level envelope (0.05-2 Hz, 6-20 dB deep), as waves, wind and traffic do. Default 0.")]
        public double NoiseEnvelope { get; init; }

        [CommandOption("--noise-speed <P>")]
        [Description("Probability that a recorded noise is played 0.75-1.33 times as fast (every frequency moved by that factor): spectra the recordings do not have. Default 0.")]
        public double NoiseSpeed { get; init; }

        [CommandOption("--zero-pauses")]
        [Description("Gain targets of 0 in the pauses far from speech (200 ms from any frame within 30 dB of the sequence's loudest): the recordings' own room tone and hiss are not kept there. Off by default.")]
        public bool ZeroPauses { get; init; }

        [CommandOption("--zero-pauses-range <DB>")]
        [Description("With --zero-pauses: frames within this many dB of the sequence's loudest count as speech (default 30). 40 or more never clears a frame the speech-presence target calls speech.")]
        public double? ZeroPausesRange { get; init; }

        [CommandOption("--babble-min-snr <DB>")]
        [Description("Lowest SNR of babble noise (default: the general -5 dB): babble of a few talkers far above the speech teaches the network to keep only voices it knows.")]
        public double? BabbleMinSnr { get; init; }

        [CommandOption("--babble-talkers <MIN-MAX>")]
        [Description("Number of babble talkers, e.g. 5-10 (default 3-7).")]
        public string? BabbleTalkers { get; init; }

        [CommandOption("--babble-reverb <P>")]
        [Description("Probability that a babble talker is distant (through a random simulated room), as the voices of a cafe are. Default 0.")]
        [DefaultValue(0.0)]
        public double BabbleReverb { get; init; }

        [CommandOption("--background-talkers <P>")]
        [Description("Probability that a mixture also holds 1-3 distant talkers (each a stream of corpus utterances, as babble's are) 5-15 dB below the speech, on top of its noise, as the voices of a table or two in a cafe. Default 0.")]
        [DefaultValue(0.0)]
        public double BackgroundTalkers { get; init; }

        [CommandOption("--target-background <A>")]
        [Description("Remove the clean speech's own background (hiss, room noise) from the gain targets, with over-subtraction A (1.5 is typical; 0 = off, the default): pauses are then asked to be silent, not as noisy as the speech recording was. The mixtures do not change.")]
        [DefaultValue(0.0)]
        public double TargetBackground { get; init; }

        [CommandOption("--noise-types <R,C,B,T>")]
        [Description("Shares of the noise types: recorded, stationary coloured, babble, typing (default 0.7,0.1,0.12,0.08).")]
        public string? NoiseTypes { get; init; }

        [CommandOption("--gaps <P>")]
        [Description("Probability that a mixture gets 1-3 gaps of digital silence (0.2-2.5 s, input and target 0; the first at the start half of the time), as edited or gated recordings have. 0 = as before.")]
        [DefaultValue(0.0)]
        public double Gaps { get; init; }

        [CommandOption("--quiet-speech <P>")]
        [Description("Probability that a mixture's speech is quiet: active level -70..-45 dBFS instead of -45..-6 (distant or badly set microphones). 0 = as before.")]
        [DefaultValue(0.0)]
        public double QuietSpeech { get; init; }

        [CommandOption("--band-limit <P>")]
        [Description("Probability that a whole mixture passes through 8-32 kHz and back (as recordings at those rates do when resampled to 48 kHz).")]
        [DefaultValue(0.2)]
        public double BandLimit { get; init; } = 0.2;

        [CommandOption("--seed <N>")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("-j|--jobs <N>")]
        [Description("Parallel workers (default: all cores).")]
        public int? Jobs { get; init; }

        public override ValidationResult Validate()
        {
            if (!File.Exists(Manifest)) return ValidationResult.Error($"{Manifest}: manifest not found (run `percepnet-lab corpus build` first)");
            if (Frames < 10 || PerShard < 1 || TrainHours <= 0 || ValHours < 0 || !(SnrSkew > 0) || !(SpeedPerturb >= 0 && SpeedPerturb <= 1) || !(BandLimit >= 0 && BandLimit <= 1)
                || !(VoiceShift >= 0 && VoiceShift <= 1) || !(Gaps >= 0 && Gaps <= 1) || !(QuietSpeech >= 0 && QuietSpeech <= 1) || !(NoiseEnvelope >= 0 && NoiseEnvelope <= 1) || !(NoiseSpeed >= 0 && NoiseSpeed <= 1) || !(BabbleReverb >= 0 && BabbleReverb <= 1) || !(BackgroundTalkers >= 0 && BackgroundTalkers <= 1) || !(TargetBackground >= 0 && TargetBackground <= 4) || SpeakerBalance is { } a && !(a >= 0 && a <= 2) || NoiseWeight is { } b && !(b >= 0 && b <= 2))
                return ValidationResult.Error("--frames >= 10, --per-shard >= 1, --train-hours > 0, --val-hours >= 0, --snr-skew > 0, --speed-perturb, --voice-shift, --gaps, --quiet-speech, --noise-envelope, --noise-speed, --babble-reverb, --background-talkers and --band-limit within [0, 1], --speaker-balance and --noise-weight within [0, 2], --target-background within [0, 4]");
            if (PitchRange != null && ParsePitchRange(PitchRange) == null) return ValidationResult.Error($"--pitch-range {PitchRange}: expected LO,HI semitones with -12 <= LO <= HI <= 14");
            if (BabbleTalkers != null && ParseRange(BabbleTalkers) == null) return ValidationResult.Error($"--babble-talkers {BabbleTalkers}: expected MIN-MAX with 1 <= MIN <= MAX <= 20");
            if (ZeroPausesRange is { } zr && (!ZeroPauses || !(zr > 0 && zr <= 100)))
                return ValidationResult.Error($"--zero-pauses-range {zr}: needs --zero-pauses and a range of more than 0 and at most 100 dB");
            if (NoiseTypes != null && ParseShares(NoiseTypes) == null) return ValidationResult.Error($"--noise-types {NoiseTypes}: expected four shares R,C,B,T, each >= 0, adding up to more than 0");
            return ValidationResult.Success();
        }

        internal static double[]? ParseShares(string text)
        {
            var parts = text.Split(',');
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var w = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, inv, out w[i]) || !(w[i] >= 0)) return null;
            return w.Length == 4 && w.Sum() > 0 ? w : null;
        }

        internal static double[]? ParsePitchRange(string text)
        {
            var parts = text.Split(',');
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            return parts.Length == 2 && double.TryParse(parts[0], inv, out double lo) && double.TryParse(parts[1], inv, out double hi)
                && lo >= -12 && lo <= hi && hi <= 14 ? [lo, hi] : null;
        }

        internal static int[]? ParseRange(string text)
        {
            var parts = text.Split('-');
            return parts.Length == 2 && int.TryParse(parts[0], out int lo) && int.TryParse(parts[1], out int hi) && lo >= 1 && lo <= hi && hi <= 20 ? [lo, hi] : null;
        }
    }

    private readonly IAnsiConsole _console;

    public CorpusShardsCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var manifest = CorpusEntry.ReadManifest(s.Manifest);
        var options = new SynthesisOptions { Frames = s.Frames, SnrSkew = s.SnrSkew, SpeedPerturbProbability = s.SpeedPerturb, BandLimitProbability = s.BandLimit,
            VoiceShiftProbability = s.VoiceShift, SpeakerBalance = s.SpeakerBalance, NoiseDurationWeight = s.NoiseWeight, NoiseEnvelopeProbability = s.NoiseEnvelope, NoiseSpeedProbability = s.NoiseSpeed, BabbleMinSnrDb = s.BabbleMinSnr, GapProbability = s.Gaps, QuietSpeechProbability = s.QuietSpeech,
            BabbleReverbProbability = s.BabbleReverb, BackgroundTalkersProbability = s.BackgroundTalkers, TargetBackgroundRemoval = s.TargetBackground, ZeroPauseTargets = s.ZeroPauses };
        if (s.ZeroPausesRange is { } zr) options = options with { ZeroPauseRangeDb = zr };
        if (s.PitchRange != null) options = options with { PitchSemitones = Settings.ParsePitchRange(s.PitchRange)! };
        if (s.BabbleTalkers != null) options = options with { BabbleTalkers = Settings.ParseRange(s.BabbleTalkers)! };
        if (s.NoiseTypes != null) options = options with { NoiseTypeWeights = Settings.ParseShares(s.NoiseTypes)! };
        int jobs = s.Jobs ?? Environment.ProcessorCount;
        foreach (var (split, hours) in new[] { ("train", s.TrainHours), ("val", s.ValHours) })
        {
            if (hours <= 0) continue;
            int sequences = Math.Max(1, (int)Math.Round(hours * PercepNet.Dsp.FrameLayout.FramesPerHour / s.Frames));
            var sw = Stopwatch.StartNew();
            ProgressReporter.Run(_console, $"{split}: {sequences} sequences", progress =>
            {
                ShardGenerator.Generate(manifest, split, Path.Combine(s.Out, split), sequences, s.PerShard, s.Seed, options, jobs,
                    f => { progress(f); if (!Console.IsOutputRedirected) return; Console.WriteLine($"{split}: {f:P1} after {sw.Elapsed:hh\\:mm\\:ss}"); }, cancellationToken);
                return 0;
            });
            _console.WriteLine($"{split}: {sequences} sequences of {s.Frames} frames ({hours:F2} h) in {sw.Elapsed.TotalMinutes:F1} min");
        }
        return Program.Success;
    }
}
