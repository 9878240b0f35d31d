using System.Runtime.InteropServices;
using PercepNet.Cli.Commands.Info;
using PercepNet.Cli.Commands.Oracle;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli;

/// <summary>
/// The `percepnet` command line. Exit codes: 0 success, 1 failure (a file that cannot be read or
/// written, bad audio), 2 usage error (unknown verb or option, invalid arguments), 3 interrupted
/// (SIGINT, SIGTERM, SIGHUP: unfinished outputs removed).
/// </summary>
public static class Program
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static int Main(string[] args)
    {
        // With `denoise - -` (raw audio on stdout), messages and progress go to stderr so they never mix with the audio.
        var console = args.Contains("-") && args.FirstOrDefault() == "denoise"
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            : AnsiConsole.Console;
        // SIGINT, SIGTERM and SIGHUP stop the run at the next chunk: temporary files are removed,
        // earlier outputs kept, and the exit code is Interrupted. A second signal ends the process at once.
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext ctx)
        {
            if (stop.IsCancellationRequested) return;
            ctx.Cancel = true;
            // Said at once: a run blocked on a pipe only sees the request when more input comes.
            Console.Error.WriteLine($"percepnet: {ctx.Signal} received; stopping at the next chunk (again to end at once)");
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        return Run(args, console, stop.Token);
    }

    /// <summary>
    /// What a lone "-" argument (stdin/stdout) becomes before parsing: the argument parser would take
    /// "-" for an option without a name.
    /// </summary>
    public const string StdioToken = "<stdio>";

    /// <summary>
    /// Exit code of a run stopped by SIGINT, SIGTERM or SIGHUP (it cleaned up and exited; codes of
    /// 128 and above are left to processes killed by a signal).
    /// </summary>
    public const int Interrupted = 3;

    /// <summary>Runs the command line with an explicit console (the tests pass a recording one).</summary>
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default)
    {
        args = args.Select(a => a == "-" ? StdioToken : a).ToArray();
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.ConfigureConsole(console);
            Configure(c);
        });
        try
        {
            return app.Run(args, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]interrupted:[/] stopped; unfinished outputs were removed, finished ones kept.");
            return Interrupted;
        }
        catch (CommandAppException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            console.MarkupLine("Run [bold]percepnet --help[/] (or [bold]percepnet VERB --help[/]) for usage.");
            return UsageError;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            // FileNotFoundException and DirectoryNotFoundException are IOExceptions; messages name the file.
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return Failure;
        }
    }

    /// <summary>Registers every verb.</summary>
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("percepnet");
        config.PropagateExceptions();
        config.AddCommand<InfoCommand>("info")
            .WithDescription("Show the format, duration, peak and RMS level of WAV files.")
            .WithExample("info", "speech.wav");
        config.AddCommand<Commands.Model.ModelCommand>("model")
            .WithDescription("Show what a model file holds (layer sizes, weights, feature floor), or write a copy with another feature floor.")
            .WithExample("model")
            .WithExample("model", "small-18.pnnm", "--feature-floor", "-66", "--output", "small-18-floor66.pnnm");
        config.AddCommand<Commands.Denoise.DenoiseCommand>("denoise")
            .WithDescription("Remove noise and reverberation from speech: WAV files (any rate, channels, format), folders, or raw 16-bit 48 kHz mono PCM with -.")
            .WithExample("denoise", "noisy.wav", "clean.wav")
            .WithExample("denoise", "recordings/", "denoised/", "--attenuation-limit", "20")
            .WithExample("denoise", "-", "-", "--model", "my.pnnm");
        config.AddCommand<Commands.Spectrogram.SpectrogramCommand>("spectrogram")
            .WithDescription("Draw a spectrogram (PNG) of a WAV file, to see what denoising did.")
            .WithExample("spectrogram", "denoised.wav", "denoised.png");
        config.AddCommand<OracleCommand>("oracle")
            .WithDescription("Enhance NOISY with ideal (oracle) parameters computed from CLEAN: what the signal model can reach.")
            .WithExample("oracle", "clean.wav", "noisy.wav", "out.wav", "--stage", "4");
        config.AddBranch("corpus", corpus =>
        {
            corpus.SetDescription("Training corpus tools.");
            corpus.AddCommand<Commands.Corpus.CorpusBuildCommand>("build")
                .WithDescription("Measure speech, noise and room files (rate, duration, bandwidth, background level) and write a manifest with a train/validation split by speaker.")
                .WithExample("corpus", "build", "--speech", "speech/", "--noise", "noise/", "--rir", "rooms/", "--debian", "-o", "corpus.tsv");
            corpus.AddCommand<Commands.Corpus.CorpusShardsCommand>("shards")
                .WithDescription("Synthesise noisy/clean training sequences from a manifest and precompute features and targets into shard files.")
                .WithExample("corpus", "shards", "-m", "corpus.tsv", "-o", "shards", "--train-hours", "20");
            corpus.AddCommand<Commands.Corpus.CorpusMixturesCommand>("mixtures")
                .WithDescription("Write synthesised noisy/clean WAV pairs (default: held-out validation speakers and noises) as a development set for `percepnet eval`.")
                .WithExample("corpus", "mixtures", "-m", "corpus.tsv", "-o", "devset", "--count", "40");
        });
        config.AddCommand<Commands.Eval.EvalCommand>("eval")
            .WithDescription("Score enhanced speech against clean references: PESQ, STOI, ESTOI, SI-SDR, DNSMOS.")
            .WithExample("eval", "--clean", "clean/", "--enhanced", "enhanced/", "--noisy", "noisy/", "--csv", "scores.csv");
        config.AddCommand<Commands.Eval.PassthroughCommand>("passthrough")
            .WithDescription("Speech preservation: how much of clean speech a system deleted (share of 0.5 s speech windows more than 6 dB down, mean change, worst window).")
            .WithExample("passthrough", "--clean", "clean/", "--processed", "denoised-clean/", "--csv", "kept.csv");
        config.AddCommand<Commands.Bench.BenchCommand>("bench")
            .WithDescription("Time the denoiser (network alone and whole pipeline, float and int8, shipped model and presets) beside the comparison peers, in one run.")
            .WithExample("bench")
            .WithExample("bench", "noisy.wav", "--seconds", "60", "--markdown", "bench.md");
        config.AddCommand<Commands.Diagnose.DiagnoseCommand>("diagnose")
            .WithDescription("Compare a model's band gains, strengths and speech probability with the oracle targets on clean/noisy pairs: residual noise vs muffled speech.")
            .WithExample("diagnose", "clean/", "noisy/", "--model", "my.pnnm", "--json", "diag.json");
        config.AddCommand<Commands.Train.TrainCommand>("train")
            .WithDescription("Train the network on feature shards (resumes from the newest checkpoint in the output folder).")
            .WithExample("train", "--config", "train.json");
    }
}
