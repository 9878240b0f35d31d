using System.ComponentModel;
using PercepNet.Audio;
using PercepNet.Cli.Infrastructure;
using PercepNet.Dsp;
using PercepNet.Oracle;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;

namespace PercepNet.Lab.Commands.Oracle;

/// <summary>`percepnet-lab oracle CLEAN NOISY OUT --stage 1|2|3|4`.</summary>
public sealed class OracleCommand : Command<OracleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<CLEAN>")]
        [Description("Clean reference speech (WAV), or a folder of them (then NOISY and OUT are folders; files pair by name).")]
        public string Clean { get; init; } = "";

        [CommandArgument(1, "<NOISY>")]
        [Description("Noisy version of the same speech (WAV, time-aligned with CLEAN).")]
        public string Noisy { get; init; } = "";

        [CommandArgument(2, "<OUT>")]
        [Description("Output WAV: same rate, channels, format and length as NOISY, time-aligned with it.")]
        public string Output { get; init; } = "";

        [CommandOption("-s|--stage <STAGE>")]
        [Description("1: ideal per-bin magnitudes with noisy phase; 2: ideal band gains; 3: band gains + comb filter with ideal strengths; 4: stage 3 + envelope postfilter.")]
        [DefaultValue(4)]
        public int Stage { get; init; } = 4;

        [CommandOption("--pitch <SOURCE>")]
        [Description("Where the comb filter's pitch comes from: noisy (what the real system sees) or clean.")]
        [DefaultValue(PitchSource.Noisy)]
        public PitchSource Pitch { get; init; } = PitchSource.Noisy;

        [CommandOption("--postfilter-strength <S>")]
        [Description("Stage 4: exponent s of the postfilter's extra attenuation sin(pi/2 g)^s; 1 is the paper's postfilter, 0.5 a milder one (docs/oracle.md).")]
        [DefaultValue(1.0f)]
        public float PostfilterStrength { get; init; } = 1f;

        [CommandOption("-m|--model <PNNM>")]
        [Description("Hybrid oracle (stages 3 and 4): the model whose network supplies the part named by --network-part, run int8 on the noisy input as `percepnet denoise` runs it.")]
        public string? Model { get; init; }

        [CommandOption("--network-part <PART>")]
        [Description("With --model: gains (the network's band gains, ideal strengths), strengths (ideal gains, the network's strengths), both (the network alone, as `denoise`), excess (max of network and ideal gain: only its residual noise) or deficit (min: only its over-suppression).")]
        [DefaultValue(NetworkPart.None)]
        public NetworkPart NetworkPart { get; init; } = NetworkPart.None;

        public override ValidationResult Validate()
        {
            if ((Model is null) != (NetworkPart == NetworkPart.None))
                return ValidationResult.Error("--model and --network-part go together: name the model and which part of its output to use (gains, strengths, both, excess or deficit).");
            if (Model is not null && Stage is not (3 or 4))
                return ValidationResult.Error($"a hybrid oracle (--model) runs stage 3 or 4 only (got --stage {Stage}).");
            if (Model is not null && Pitch != PitchSource.Noisy)
                return ValidationResult.Error("a hybrid oracle (--model) tracks the pitch on the noisy input, as the network does: drop --pitch clean.");
            if (Model is not null && !File.Exists(Model))
                return ValidationResult.Error($"{Model}: no such model file.");
            if (PostfilterStrength is < 0 or > 1) return ValidationResult.Error($"--postfilter-strength must be in [0, 1] (got {PostfilterStrength})");
            if (Stage is < 1 or > 4) return ValidationResult.Error($"--stage must be 1, 2, 3 or 4 (got {Stage}).");
            if (Path.GetFullPath(Output) == Path.GetFullPath(Noisy) || Path.GetFullPath(Output) == Path.GetFullPath(Clean) || FileIdentity.Same(Output, Noisy) || FileIdentity.Same(Output, Clean))
                return ValidationResult.Error($"{Output}: the output must not overwrite an input.");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public OracleCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (Directory.Exists(settings.Noisy)) return ExecuteFolder(settings, cancellationToken);
        return ExecuteFile(settings.Clean, settings.Noisy, settings.Output, settings);
    }

    /// <summary>Folders: every WAV in NOISY with a namesake in CLEAN goes to OUT (created if needed), in parallel.</summary>
    private int ExecuteFolder(Settings settings, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(settings.Clean))
            throw new DirectoryNotFoundException($"{settings.Clean}: NOISY is a folder, so CLEAN must be a folder too.");
        Directory.CreateDirectory(settings.Output);
        var noisyFiles = Directory.GetFiles(settings.Noisy, "*.wav").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        var missing = noisyFiles.Where(f => !File.Exists(Path.Combine(settings.Clean, Path.GetFileName(f)))).ToArray();
        foreach (string m in missing)
            _console.MarkupLineInterpolated($"[yellow]skipped:[/] {m} has no clean partner in {settings.Clean}");
        var pairs = noisyFiles.Except(missing).ToArray();
        if (pairs.Length == 0) throw new FileNotFoundException($"{settings.Noisy}: no WAV file with a partner in {settings.Clean}");
        int done = 0, failed = 0;
        var stage = (OracleStage)settings.Stage;
        var model = LoadModel(settings);
        ProgressReporter.Run(_console, $"oracle stage {settings.Stage}: {pairs.Length} files", progress =>
        {
            Parallel.ForEach(pairs, new ParallelOptions { CancellationToken = cancellationToken }, noisyPath =>
            {
                string name = Path.GetFileName(noisyPath);
                try
                {
                    var clean = AudioFile.Read(Path.Combine(settings.Clean, name));
                    var noisy = AudioFile.Read(noisyPath);
                    AudioFile.Write(Path.Combine(settings.Output, name), Process(clean, noisy, stage, settings.Pitch, _ => { }, settings.PostfilterStrength, model, settings.NetworkPart));
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    lock (_console) _console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                    Interlocked.Increment(ref failed);
                }
                progress((double)Interlocked.Increment(ref done) / pairs.Length);
            });
            return 0;
        });
        _console.MarkupLineInterpolated($"{settings.Output}: oracle stage {settings.Stage}, {pairs.Length - failed} of {pairs.Length} files written");
        return failed == 0 ? Program.Success : Program.Failure;
    }

    private int ExecuteFile(string cleanPath, string noisyPath, string outPath, Settings settings)
    {
        AudioData clean = AudioFile.Read(cleanPath);
        AudioData noisy = AudioFile.Read(noisyPath);
        var stage = (OracleStage)settings.Stage;
        var model = LoadModel(settings);
        var output = ProgressReporter.Run(_console, $"oracle stage {settings.Stage}", progress =>
            Process(clean, noisy, stage, settings.Pitch, progress, settings.PostfilterStrength, model, settings.NetworkPart));
        AudioFile.Write(outPath, output);
        _console.MarkupLineInterpolated($"{outPath}: oracle stage {settings.Stage} ({stage}), {noisy.ChannelCount} ch, {noisy.SampleRate} Hz, {noisy.DurationSeconds:F2} s");
        return Program.Success;
    }

    private static PercepNetModel? LoadModel(Settings settings) => settings.Model is null ? null : PercepNetModel.Load(settings.Model);

    /// <summary>
    /// Runs the oracle per channel at 48 kHz and converts back; the result has NOISY's rate,
    /// channels, format and length. CLEAN is cut or zero-padded to NOISY's length.
    /// </summary>
    public static AudioData Process(AudioData clean, AudioData noisy, OracleStage stage, PitchSource pitch, Action<double> progress,
        float postfilterStrength = EnvelopePostfilter.PaperStrength, PercepNetModel? model = null, NetworkPart part = NetworkPart.None)
    {
        if (clean.ChannelCount != 1 && clean.ChannelCount != noisy.ChannelCount)
            throw new InvalidDataException(
                $"{clean.SourcePath}: {clean.ChannelCount} channels, but {noisy.SourcePath} has {noisy.ChannelCount} (CLEAN must be mono or match NOISY).");
        var result = new float[noisy.ChannelCount][];
        var processor = new OracleProcessor(pitch, postfilterStrength, model, part);
        for (int c = 0; c < noisy.ChannelCount; c++)
        {
            float[] y48 = Resampler.Resample(noisy.Channels[c], noisy.SampleRate, FrameLayout.SampleRate);
            float[] x48 = FitLength(Resampler.Resample(clean.Channels[clean.ChannelCount == 1 ? 0 : c], clean.SampleRate, FrameLayout.SampleRate), y48.Length);
            int channel = c;
            float[] z48 = processor.Run(x48, y48, stage, f => progress((channel + f) / noisy.ChannelCount));
            result[c] = FitLength(Resampler.Resample(z48, FrameLayout.SampleRate, noisy.SampleRate), noisy.Length);
        }
        return new AudioData(noisy.SampleRate, result) { SourceFormat = noisy.SourceFormat, SourcePath = noisy.SourcePath };
    }

    private static float[] FitLength(float[] x, int length)
    {
        if (x.Length == length) return x;
        var y = new float[length];
        x.AsSpan(0, Math.Min(length, x.Length)).CopyTo(y);
        return y;
    }
}
