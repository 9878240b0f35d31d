using System.Buffers.Binary;
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
        [Description("Input WAV file, a folder of WAV files, or - for raw 16-bit mono 48 kHz PCM on stdin.")]
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

        [CommandOption("--feature-floor <DBFS>")]
        [Description("Noise floor of the network's energy features in dBFS (e.g. -76): speech after digital silence is kept. Changes only what the network sees.")]
        public double? FeatureFloor { get; init; }

        [CommandOption("--silence-reset <SECONDS>")]
        [Description("Start afresh after this much digital silence (0 = never; default 0.5).")]
        [DefaultValue(0.5)]
        public double SilenceReset { get; init; } = 0.5;

        [CommandOption("--no-postfilter")]
        [Description("Turn off the perceptual envelope postfilter.")]
        public bool NoPostfilter { get; init; }

        public override ValidationResult Validate()
        {
            if (!(PostfilterStrength >= 0 && PostfilterStrength <= 1)) return ValidationResult.Error($"--postfilter-strength must be within 0..1 (got {PostfilterStrength})");
            if (!(SilenceReset == 0 || SilenceReset >= Denoiser.MinSilenceResetSeconds) || !double.IsFinite(SilenceReset))
                return ValidationResult.Error($"--silence-reset must be 0 or at least {Denoiser.MinSilenceResetSeconds} s (got {SilenceReset})");
            if (FeatureFloor is { } ff && !(ff <= 0 && ff >= -200)) return ValidationResult.Error($"--feature-floor must be within -200..0 dBFS (got {ff})");
            if (AttenuationLimit is { } al && !(al >= 0 && double.IsFinite(al))) return ValidationResult.Error($"--attenuation-limit must be a number >= 0 dB (got {AttenuationLimit})");
            if ((Input == Program.StdioToken) != (Output == Program.StdioToken))
                return ValidationResult.Error("raw PCM (-) must be used for both IN and OUT");
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
        var options = new DenoiserOptions { AttenuationLimitDb = s.AttenuationLimit, Postfilter = !s.NoPostfilter, PostfilterStrength = s.PostfilterStrength, UseInt8 = !s.Float, FeatureNoiseFloorDbfs = s.FeatureFloor, SilenceResetSeconds = s.SilenceReset };
        if (s.Input == Program.StdioToken || s.Output == Program.StdioToken) return Pipe(s, model, options, cancellationToken);
        if (Directory.Exists(s.Input)) return Folder(s, model, options, cancellationToken);
        ProgressReporter.Run(_console, $"denoising {Path.GetFileName(s.Input)}", progress =>
        {
            AudioPipeline.ProcessFile(s.Input, s.Output, _ => new Denoiser(model, options), progress, cancellationToken: cancellationToken);
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
                    AudioPipeline.ProcessFile(f, Path.Combine(s.Output, Path.GetFileName(f)), _ => new Denoiser(model, options), cancellationToken: ct);
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
    /// Raw 16-bit little-endian mono 48 kHz PCM in and out, frame by frame in constant memory. The
    /// output is as long as the input and time-aligned with it: the first LatencySamples outputs are
    /// dropped and the end is flushed with zeros.
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
        var d = new Denoiser(model, options);
        const int n = Denoiser.FrameSize;
        var inBytes = new byte[2 * n];
        var outBytes = new byte[2 * n];
        var frame = new float[n];
        var result = new float[n];
        int toSkip = d.LatencySamples;
        long written = 0, read = 0;
        bool oddByte = false;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                int got = input.ReadAtLeast(inBytes, inBytes.Length, throwOnEndOfStream: false);
                oddByte = (got & 1) != 0;
                got &= ~1;
                if (got == 0) break;
                for (int i = 0; i < n; i++)
                    frame[i] = 2 * i < got ? BinaryPrimitives.ReadInt16LittleEndian(inBytes.AsSpan(2 * i)) / 32768f : 0f;
                read += got / 2;
                d.ProcessFrame(frame, result);
                written += Emit(output, result, outBytes, ref toSkip, read - written);
                if (got < inBytes.Length) break;
            }
            // Flush: push zeros until every input sample has come out.
            Array.Clear(frame);
            while (written < read)
            {
                d.ProcessFrame(frame, result);
                written += Emit(output, result, outBytes, ref toSkip, read - written);
            }
            output.Flush();
        }
        catch (IOException e) when (!ct.IsCancellationRequested)
        {
            _console.MarkupLineInterpolated($"[red]error:[/] the output pipe was closed by its reader after {written} samples ({e.Message}); stopped.");
            return Program.Failure;
        }
        if (oddByte)
            _console.MarkupLine("[yellow]warning:[/] the input ended with an odd byte (half a 16-bit sample); it was dropped.");
        return Program.Success;
    }

    private static int Emit(Stream output, float[] frame, byte[] bytes, ref int toSkip, long remaining)
    {
        int start = Math.Min(toSkip, frame.Length);
        toSkip -= start;
        int count = (int)Math.Min(frame.Length - start, remaining);
        for (int i = 0; i < count; i++)
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), (short)Math.Clamp(MathF.Round(frame[start + i] * 32768f), -32768f, 32767f));
        output.Write(bytes, 0, 2 * count);
        return count;
    }
}
