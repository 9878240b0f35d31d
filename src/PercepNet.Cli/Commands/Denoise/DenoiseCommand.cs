using System.ComponentModel;
using PercepNet.Audio;
using PercepNet.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli.Commands.Denoise;

/// <summary>`percepnet denoise IN OUT`: files, folders, or raw PCM pipes.</summary>
public sealed class DenoiseCommand : Command<DenoiseCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")]
        [Description("Input WAV file, a folder of WAV files, or - for raw 16-bit PCM on stdin (48 kHz mono unless --rate and --channels say otherwise).")]
        public string Input { get; init; } = "";

        [CommandArgument(1, "<OUT>")]
        [Description("Output WAV file (same rate, channels, format and length as IN, time-aligned), a folder (created if needed), or - for raw PCM on stdout.")]
        public string Output { get; init; } = "";

        [CommandOption("-m|--model <FILE>")]
        [Description("Model file (.pnnm) written by `percepnet-lab train`. Default: the built-in model.")]
        public string? Model { get; init; }

        [CommandOption("-a|--attenuation-limit <DB>")]
        [Description("Never attenuate any band by more than this many dB (keeps some background; e.g. 20).")]
        public double? AttenuationLimit { get; init; }

        [CommandOption("--float")]
        [Description("Run the network in float instead of 8-bit (slower; for comparisons).")]
        public bool Float { get; init; }

        [CommandOption("--postfilter-strength <S>")]
        [Description("Strength of the postfilter's extra attenuation, 0..1 (1: the paper's; 0.5 measured better, docs/results.md).")]
        [DefaultValue(0.5)]
        public double PostfilterStrength { get; init; } = 0.5;

        [CommandOption("--gain-release <MS>")]
        [Description("Let no band's output fall faster than 60 dB in MS milliseconds (10..10000; RNNoise's limit is 135): keeps the ends of words the network would cut. 0 = off (default).")]
        public double? GainRelease { get; init; }

        /// <summary>The release time the denoiser gets: null (off) for 0 or no option.</summary>
        public double? GainReleaseMs => GainRelease is > 0 ? GainRelease : null;

        [CommandOption("--feature-floor <DBFS>")]
        [Description("Noise floor of the network's energy features in dBFS (e.g. -76): speech after digital silence is kept. Changes only what the network sees.")]
        public double? FeatureFloor { get; init; }

        [CommandOption("--silence-reset <SECONDS>")]
        [Description("Start afresh after this much digital silence (0 = never; default 0.5).")]
        [DefaultValue(0.5)]
        public double SilenceReset { get; init; } = 0.5;

        [CommandOption("--vad-gate <THRESHOLD>")]
        [Description("Mute the output while the speech probability stays below THRESHOLD (0..1, e.g. 0.6) for longer than --vad-hold.")]
        public double? VadGate { get; init; }

        [CommandOption("--vad-hold <SECONDS>")]
        [Description("With --vad-gate: how long the gate stays open after speech (0..10 s).")]
        [DefaultValue(0.3)]
        public double VadHold { get; init; } = 0.3;

        [CommandOption("--warm-up <SECONDS>")]
        [Description("WAV files: first run the denoiser over the file's first SECONDS (all of it if shorter) and discard that, so the file's start is denoised by a network that has already heard its noise (default 10; 0 = off, each file starts cold as a stream does). Not for - - or a WAV from a pipe, which start cold.")]
        public double? WarmUp { get; init; }

        /// <summary>The warm-up of files when --warm-up is not given: the shipped configuration (docs/results.md, rule v8).</summary>
        public const double DefaultWarmUpSeconds = 10;

        /// <summary>The warm-up files get: --warm-up, or <see cref="DefaultWarmUpSeconds"/>.</summary>
        public double WarmUpSeconds => WarmUp ?? DefaultWarmUpSeconds;

        [CommandOption("--rate <HZ>")]
        [Description("With - -: the raw stream's sample rate (default 48000); it is resampled to 48 kHz and back.")]
        public int? Rate { get; init; }

        [CommandOption("--channels <N>")]
        [Description("With - -: the raw stream's channel count, samples interleaved (default 1); each channel is denoised on its own.")]
        public int? Channels { get; init; }

        [CommandOption("--no-postfilter")]
        [Description("Turn off the perceptual envelope postfilter.")]
        public bool NoPostfilter { get; init; }

        public override ValidationResult Validate()
        {
            if (!(PostfilterStrength >= 0 && PostfilterStrength <= 1)) return ValidationResult.Error($"--postfilter-strength must be within 0..1 (got {PostfilterStrength})");
            if (!(SilenceReset == 0 || SilenceReset >= Denoiser.MinSilenceResetSeconds) || !double.IsFinite(SilenceReset))
                return ValidationResult.Error($"--silence-reset must be 0 or at least {Denoiser.MinSilenceResetSeconds} s (got {SilenceReset})");
            if (VadGate is { } vg && !(vg >= 0 && vg <= 1)) return ValidationResult.Error($"--vad-gate must be within 0..1 (got {vg})");
            if (!(VadHold >= 0 && VadHold <= 10)) return ValidationResult.Error($"--vad-hold must be within 0..10 s (got {VadHold})");
            if (GainRelease is { } gr && !(gr == 0 || (gr >= 10 && gr <= 10000))) return ValidationResult.Error($"--gain-release must be 0 (off) or within 10..10000 ms (got {gr})");
            if (FeatureFloor is { } ff && !(ff <= 0 && ff >= -200)) return ValidationResult.Error($"--feature-floor must be within -200..0 dBFS (got {ff})");
            if (WarmUp is { } wu && !(wu >= 0 && wu <= 600)) return ValidationResult.Error($"--warm-up must be within 0..600 s (got {wu})");
            if (WarmUp > 0 && Input == Program.StdioToken) return ValidationResult.Error("--warm-up needs a WAV file or folder to read twice, not a raw stream (- -)");
            if (AttenuationLimit is { } al && !(al >= 0 && double.IsFinite(al))) return ValidationResult.Error($"--attenuation-limit must be a number >= 0 dB (got {AttenuationLimit})");
            if ((Input == Program.StdioToken) != (Output == Program.StdioToken))
                return ValidationResult.Error("raw PCM (-) must be used for both IN and OUT");
            if ((Rate != null || Channels != null) && Input != Program.StdioToken)
                return ValidationResult.Error("--rate and --channels describe a raw stream: use them with - - (a WAV file says its own)");
            if (Rate is { } r && (r < WavReader.MinSampleRate || r > WavReader.MaxSampleRate))
                return ValidationResult.Error($"--rate must be within {WavReader.MinSampleRate}..{WavReader.MaxSampleRate} Hz (got {r})");
            if (Channels is { } ch && (ch < 1 || ch > WavReader.MaxChannels))
                return ValidationResult.Error($"--channels must be within 1..{WavReader.MaxChannels} (got {ch})");
            if (Input != Program.StdioToken && Output != Program.StdioToken && (Path.GetFullPath(Input) == Path.GetFullPath(Output) || FileIdentity.Same(Input, Output)))
                return ValidationResult.Error(Directory.Exists(Input) ? $"{Output}: the output folder is the input folder; its files would be overwritten" : $"{Output}: the output must not overwrite the input");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public DenoiseCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var model = ModelChoice.Resolve(s.Model);
        var options = new DenoiserOptions { AttenuationLimitDb = s.AttenuationLimit, Postfilter = !s.NoPostfilter, PostfilterStrength = s.PostfilterStrength, GainReleaseMs = s.GainReleaseMs, UseInt8 = !s.Float, FeatureNoiseFloorDbfs = s.FeatureFloor, SilenceResetSeconds = s.SilenceReset, VadGateThreshold = s.VadGate, VadGateHoldSeconds = s.VadHold };
        if (s.Input == Program.StdioToken || s.Output == Program.StdioToken) return Pipe(s, model, options, cancellationToken);
        if (Directory.Exists(s.Input)) return Folder(s, model, options, cancellationToken);
        ProgressReporter.Run(_console, $"denoising {Path.GetFileName(s.Input)}", progress =>
        {
            AudioPipeline.ProcessFile(s.Input, s.Output, _ => new Denoiser(model, options), progress, s.WarmUpSeconds, cancellationToken);
            return 0;
        });
        _console.MarkupLineInterpolated($"{s.Output}: denoised with {model.Name}");
        return Program.Success;
    }

    private int Folder(Settings s, PercepNetModel model, DenoiserOptions options, CancellationToken ct)
    {
        var files = Directory.GetFiles(s.Input, "*.wav", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive }).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"{s.Input}: no .wav files in this folder");
        Directory.CreateDirectory(s.Output);
        int done = 0, failed = 0;
        ProgressReporter.Run(_console, $"denoising {files.Length} files", progress =>
        {
            Parallel.ForEach(files, new ParallelOptions { CancellationToken = ct }, f =>
            {
                try
                {
                    if (FileIdentity.IsSpecial(f)) throw new IOException($"{f}: not a regular file (a FIFO, socket or device); skipped");
                    AudioPipeline.ProcessFile(f, Path.Combine(s.Output, Path.GetFileName(f)), _ => new Denoiser(model, options), warmUpSeconds: s.WarmUpSeconds, cancellationToken: ct);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
                {
                    lock (_console) _console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                    Interlocked.Increment(ref failed);
                }
                progress((double)Interlocked.Increment(ref done) / files.Length);
            });
            return 0;
        });
        _console.MarkupLineInterpolated($"{s.Output}: {files.Length - failed} of {files.Length} files denoised with {model.Name}");
        return failed == 0 ? Program.Success : Program.Failure;
    }

    /// <summary>
    /// Raw 16-bit little-endian PCM in and out (48 kHz mono unless --rate and --channels say
    /// otherwise; channels interleaved), processed as it arrives in constant memory
    /// (<see cref="AudioPipeline.ProcessRaw"/>). The output is as long as the input and time-aligned
    /// with it: the first LatencySamples outputs are dropped and the end is flushed with zeros.
    /// </summary>
    private int Pipe(Settings s, PercepNetModel model, DenoiserOptions options, CancellationToken ct)
    {
        // Validation guarantees both sides are "-".
        using Stream input = Console.OpenStandardInput();
        // Console's own stdout stream ignores EPIPE, so a pipe whose reader went away would be fed
        // for ever; a FileStream on descriptor 1 reports it.
        using Stream output = OperatingSystem.IsWindows()
            ? Console.OpenStandardOutput()
            : new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        int channels = s.Channels ?? 1;
        var progress = new AudioPipeline.RawProgress();
        try
        {
            AudioPipeline.ProcessRaw(input, output, s.Rate ?? Denoiser.SampleRate, channels, _ => new Denoiser(model, options), progress, ct);
        }
        catch (IOException e) when (!ct.IsCancellationRequested)
        {
            _console.MarkupLineInterpolated($"[red]error:[/] the output pipe was closed by its reader after {progress.FramesWritten} samples ({e.Message}); stopped.");
            return Program.Failure;
        }
        if (progress.TrailingBytes > 0)
            _console.MarkupLine(channels == 1
                ? "[yellow]warning:[/] the input ended with an odd byte (half a 16-bit sample); it was dropped."
                : $"[yellow]warning:[/] the input ended with {progress.TrailingBytes} bytes, less than a whole frame of {channels} 16-bit samples; they were dropped.");
        return Program.Success;
    }
}
