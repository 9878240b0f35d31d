using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using PercepNet.Audio;
using PercepNet.Cli.Infrastructure;
using PercepNet.Dsp;
using PercepNet.Nn;
using PercepNet.Training.Data;
using PercepNet.Training.Evaluation;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;

namespace PercepNet.Lab.Commands.Diagnose;

/// <summary>`percepnet-lab diagnose CLEAN NOISY [--model FILE] [--json FILE]`.</summary>
public sealed class DiagnoseCommand : Command<DiagnoseCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<CLEAN>")]
        [Description("Clean reference speech (WAV), or a folder of them (then NOISY is a folder; files pair by name).")]
        public string Clean { get; init; } = "";

        [CommandArgument(1, "<NOISY>")]
        [Description("Noisy version of the same speech (WAV, time-aligned with CLEAN), or a folder.")]
        public string Noisy { get; init; } = "";

        [CommandOption("-m|--model <FILE>")]
        [Description("Model file (.pnnm). Default: the built-in model.")]
        public string? Model { get; init; }

        [CommandOption("--json <FILE>")]
        [Description("Also write the numbers per file and overall as JSON.")]
        public string? Json { get; init; }
    }

    private readonly IAnsiConsole _console;

    public DiagnoseCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        ModelFile model = ModelChoice.Resolve(s.Model).File;
        var pairs = Pairs(s.Clean, s.Noisy);
        var results = new (string Name, GainStats Stats)[pairs.Length];
        ProgressReporter.Run(_console, $"diagnose: {pairs.Length} pair(s)", progress =>
        {
            int done = 0;
            Parallel.For(0, pairs.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var (clean, noisy) = pairs[i];
                results[i] = (Path.GetFileName(noisy), Diagnose(model, clean, noisy));
                progress((double)Interlocked.Increment(ref done) / pairs.Length);
            });
            return 0;
        });
        var total = new GainStats();
        foreach (var r in results) total.Add(r.Stats);

        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("file", "cells", "√g err", "noise dB", "in pauses", "in speech", "speech g", "strength", "VAD");
        foreach (var (name, st) in results.Append(("all", total)))
            table.AddRow(Path.GetFileNameWithoutExtension(name), st.Cells.ToString(CultureInfo.InvariantCulture), F(st.MeanSqrtGainError, "F3"),
                $"{F(st.NoiseTargetDb, "F1")}/{F(st.NoisePredictedDb, "F1")}",
                $"{F(st.PauseNoiseTargetDb, "F1")}/{F(st.PauseNoisePredictedDb, "F1")}", $"{F(st.SpeechFrameNoiseTargetDb, "F1")}/{F(st.SpeechFrameNoisePredictedDb, "F1")}",
                $"{F(st.SpeechTargetGain, "F2")}/{F(st.SpeechPredictedGain, "F2")}",
                $"{F(st.StrengthTarget, "F2")}/{F(st.StrengthPredicted, "F2")}", F(st.VadAgreement, "P0"));
        _console.Write(table);
        _console.WriteLine("Columns: ideal/network. noise dB: mean gain of the noise-dominated cells (ideal gain < 0.2; network above ideal = residual noise), "
            + $"{F(total.NoiseCellShare, "P0")} of all cells, split into those in frames without speech (in pauses, {F(total.PauseShareOfNoiseCells, "P0")} of them) and with speech; speech g: speech-dominated cells (ideal > 0.7; network below = muffled speech), "
            + $"{F(total.SpeechCellShare, "P0")}; strength: comb filter; VAD: frames agreeing on speech presence.");
        if (s.Json != null) WriteJson(s.Json, results, total);
        return Program.Success;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static (string Clean, string Noisy)[] Pairs(string clean, string noisy)
    {
        if (!Directory.Exists(noisy))
        {
            if (!File.Exists(noisy)) throw new FileNotFoundException($"{noisy}: no such file or folder");
            if (!File.Exists(clean)) throw new FileNotFoundException($"{clean}: no such file (NOISY is a file, so CLEAN must be one)");
            return [(clean, noisy)];
        }
        if (!Directory.Exists(clean)) throw new DirectoryNotFoundException($"{clean}: NOISY is a folder, so CLEAN must be a folder too.");
        var pairs = Directory.GetFiles(noisy, "*.wav").Order(StringComparer.Ordinal)
            .Select(f => (Clean: Path.Combine(clean, Path.GetFileName(f)), Noisy: f)).Where(p => File.Exists(p.Clean)).ToArray();
        if (pairs.Length == 0) throw new FileNotFoundException($"{noisy}: no WAV file with a partner in {clean}");
        return pairs;
    }

    /// <summary>Both files mixed to mono at 48 kHz; the bandwidth is what the lower rate can carry.</summary>
    private static GainStats Diagnose(ModelFile model, string cleanPath, string noisyPath)
    {
        var clean = AudioFile.Read(cleanPath);
        var noisy = AudioFile.Read(noisyPath);
        var x = Resampler.Resample(clean.Mono(), clean.SampleRate, FrameLayout.SampleRate);
        var y = Resampler.Resample(noisy.Mono(), noisy.SampleRate, FrameLayout.SampleRate);
        double bandwidth = Synthesizer.ResampledBandwidthHz(Math.Min(clean.SampleRate, noisy.SampleRate));
        return GainDiagnostics.Run(model, y, x, bandwidth);
    }

    private static void WriteJson(string path, (string Name, GainStats Stats)[] results, GainStats total)
    {
        static object Row(string name, GainStats s) => new
        {
            file = name, cells = s.Cells, frames = s.Frames, sqrt_gain_error = s.MeanSqrtGainError,
            noise_cell_share = s.NoiseCellShare, noise_target_db = s.NoiseTargetDb, noise_predicted_db = s.NoisePredictedDb,
            pause_share_of_noise_cells = s.PauseShareOfNoiseCells, pause_noise_target_db = s.PauseNoiseTargetDb, pause_noise_predicted_db = s.PauseNoisePredictedDb,
            speech_frame_noise_target_db = s.SpeechFrameNoiseTargetDb, speech_frame_noise_predicted_db = s.SpeechFrameNoisePredictedDb,
            speech_cell_share = s.SpeechCellShare, speech_target_gain = s.SpeechTargetGain, speech_predicted_gain = s.SpeechPredictedGain,
            strength_target = s.StrengthTarget, strength_predicted = s.StrengthPredicted, vad_agreement = s.VadAgreement,
        };
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(new { files = results.Select(r => Row(r.Name, r.Stats)), all = Row("all", total) },
            new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }
}
