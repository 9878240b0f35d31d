using System.ComponentModel;
using System.Globalization;
using PercepNet.Training.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Train;

/// <summary>`percepnet-lab train --config FILE`: trains (or resumes training of) the network on feature shards.</summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("Training configuration (JSON): shard folders, output folder, model preset, schedule. See docs/training.md. Running again with the same output folder resumes from its newest checkpoint.")]
        public string Config { get; init; } = "";

        [CommandOption("--average-last <K>")]
        [Description("Do not train: average the weights of the run's newest K checkpoints, print the validation loss of the newest checkpoint and of the average, and export the average (see --output).")]
        public int? AverageLast { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("With --average-last: the model file to write (default: OUTPUT/average.pnnm of the run).")]
        public string? Output { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Config)) return ValidationResult.Error("--config FILE is required.");
            if (!File.Exists(Config)) return ValidationResult.Error($"{Config}: config file not found.");
            if (AverageLast is < 1) return ValidationResult.Error($"--average-last {AverageLast}: expected a number of checkpoints >= 1.");
            if (Output != null && AverageLast == null) return ValidationResult.Error("--output is only used with --average-last K.");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public TrainCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var config = TrainConfig.Load(settings.Config);
        if (settings.AverageLast is { } k)
        {
            AverageResult averaged;
            try
            {
                averaged = CheckpointAverage.Run(config, k, settings.Output, _console.Profile.Out.Writer, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _console.WriteLine("Stopped; nothing was written.");
                return Program.Interrupted;
            }
            _console.WriteLine($"Done: {averaged.Checkpoints.Count} checkpoints averaged into {averaged.ModelPath}");
            return Program.Success;
        }
        // On a terminal the trainer rewrites one progress line; elsewhere it prints plain lines.
        bool interactive = _console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        TextWriter log = interactive ? Console.Out : _console.Profile.Out.Writer;
        // SIGINT, SIGTERM and SIGHUP (the host's token) stop at the next step with a checkpoint; a
        // second signal ends the process.
        TrainResult result;
        try
        {
            result = new Trainer(log).Run(config, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            _console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return Program.Failure;
        }
        log.Flush();
        if (result.Cancelled)
        {
            _console.MarkupLineInterpolated($"Stopped at step {result.Steps}; run the same command again to resume.");
            return Program.Interrupted;
        }
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Done: {result.Steps} steps, training loss {Format(result.TrainLoss)}, validation loss {Format(result.ValidationLoss)}, model {result.ModelPath}"));
        return Program.Success;
    }

    private static string Format(double? loss) => loss is { } v && double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
