using PercepNet.Cli;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Lab;

/// <summary>
/// The `percepnet-lab` command line: the research verbs (corpus, training, scoring, diagnosis,
/// oracle, spectrograms), with the host, exit codes and signal handling of `percepnet`
/// (<see cref="Program"/>).
/// </summary>
public static class LabProgram
{
    /// <summary>This tool's name.</summary>
    public const string Name = "percepnet-lab";

    public static int Main(string[] args) => Program.Host(args, Name, Configure);

    /// <summary>Runs the `percepnet-lab` command line with an explicit console (the tests pass a recording one).</summary>
    public static int Run(string[] args, IAnsiConsole console, CancellationToken cancellationToken = default) =>
        Program.Run(args, console, Name, Configure, cancellationToken);

    /// <summary>Registers the research verbs.</summary>
    public static void Configure(IConfigurator config)
    {
        config.AddCommand<Commands.Spectrogram.SpectrogramCommand>("spectrogram")
            .WithDescription("Draw a spectrogram (PNG) of a WAV file, to see what denoising did.")
            .WithExample("spectrogram", "denoised.wav", "denoised.png");
        config.AddCommand<Commands.Oracle.OracleCommand>("oracle")
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
                .WithDescription("Write synthesised noisy/clean WAV pairs (default: held-out validation speakers and noises) as a development set for `percepnet-lab eval`.")
                .WithExample("corpus", "mixtures", "-m", "corpus.tsv", "-o", "devset", "--count", "40");
        });
        config.AddCommand<Commands.Eval.EvalCommand>("eval")
            .WithDescription("Score enhanced speech against clean references: PESQ, STOI, ESTOI, SI-SDR, DNSMOS.")
            .WithExample("eval", "--clean", "clean/", "--enhanced", "enhanced/", "--noisy", "noisy/", "--csv", "scores.csv");
        config.AddCommand<Commands.Eval.PassthroughCommand>("passthrough")
            .WithDescription("Speech preservation: how much of clean speech a system deleted (share of 0.5 s speech windows more than 6 dB down, mean change, worst window).")
            .WithExample("passthrough", "--clean", "clean/", "--processed", "denoised-clean/", "--csv", "kept.csv");
        config.AddCommand<Commands.Diagnose.DiagnoseCommand>("diagnose")
            .WithDescription("Compare a model's band gains, strengths and speech probability with the oracle targets on clean/noisy pairs: residual noise vs muffled speech.")
            .WithExample("diagnose", "clean/", "noisy/", "--model", "my.pnnm", "--json", "diag.json");
        config.AddCommand<Commands.Train.TrainCommand>("train")
            .WithDescription("Train the network on feature shards (resumes from the newest checkpoint in the output folder).")
            .WithExample("train", "--config", "train.json");
        config.AddCommand<Commands.Train.BlendCommand>("blend")
            .WithDescription("Write the weights (1 - W) A + W B of two models from one start: the points between two runs without training.")
            .WithExample("blend", "protective.pnnm", "aggressive.pnnm", "--weight", "0.5", "-o", "halfway.pnnm");
        config.AddCommand<Commands.Train.WidenCommand>("widen")
            .WithDescription("Write a wider model (more units per layer) that computes exactly what the input model does: a warm start for a larger network.")
            .WithExample("widen", "small.pnnm", "--to", "medium", "-o", "medium-init.pnnm");
    }
}
