using System.Runtime.InteropServices;
using PercepNet.Cli.Commands.Info;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli;

/// <summary>
/// The `percepnet` command line (the user's verbs) and the host it shares with `percepnet-lab`. Exit codes: 0 success, 1 failure (a file that cannot be read or
/// written, bad audio), 2 usage error (unknown verb or option, invalid arguments), 3 interrupted
/// (SIGINT, SIGTERM, SIGHUP: unfinished outputs removed).
/// </summary>
public static class Program
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static int Main(string[] args) => Host(args, Name, Configure);

    /// <summary>This tool's name.</summary>
    public const string Name = "percepnet";

    /// <summary>The verbs of `percepnet-lab`, named when a user asks `percepnet` for one.</summary>
    public static IReadOnlyList<string> LabVerbs { get; } = ["spectrogram", "oracle", "corpus", "eval", "passthrough", "diagnose", "train"];

    /// <summary>
    /// Runs a command line as a process: console choice, signal handling and exit codes shared by
    /// `percepnet` and `percepnet-lab`.
    /// </summary>
    public static int Host(string[] args, string name, Action<IConfigurator> configure)
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
            Console.Error.WriteLine($"{name}: {ctx.Signal} received; stopping cleanly (again to end at once)");
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        return Run(args, console, name, configure, stop.Token);
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

    /// <summary>Runs the `percepnet` command line with an explicit console (the tests pass a recording one).</summary>
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default) =>
        Run(args, console, Name, Configure, cancellationToken);

    /// <summary>Runs a command line whose verbs <paramref name="configure"/> registers, with an explicit console.</summary>
    public static int Run(string[] args, IAnsiConsole console, string name, Action<IConfigurator> configure, CancellationToken cancellationToken = default)
    {
        args = args.Select(a => a == "-" ? StdioToken : a).ToArray();
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.ConfigureConsole(console);
            c.SetApplicationName(name);
            c.PropagateExceptions();
            configure(c);
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
            if (name == Name && args.Length > 0 && LabVerbs.Contains(args[0]))
                console.MarkupLineInterpolated($"[bold]{args[0]}[/] is a research verb: run [bold]percepnet-lab {args[0]}[/] (src/PercepNet.Lab).");
            console.MarkupLineInterpolated($"Run [bold]{name} --help[/] (or [bold]{name} VERB --help[/]) for usage.");
            return UsageError;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            // FileNotFoundException and DirectoryNotFoundException are IOExceptions; messages name the file.
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return Failure;
        }
    }

    /// <summary>Registers the user's verbs (the research verbs are in `percepnet-lab`).</summary>
    public static void Configure(IConfigurator config)
    {
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
        config.AddCommand<Commands.Bench.BenchCommand>("bench")
            .WithDescription("Time the denoiser (network alone and whole pipeline, float and int8, shipped model and presets) beside the comparison peers, in one run.")
            .WithExample("bench")
            .WithExample("bench", "noisy.wav", "--seconds", "60", "--markdown", "bench.md");
    }
}
