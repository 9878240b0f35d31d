using System.ComponentModel;
using PercepNet.Nn;
using PercepNet.Training.Export;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;

namespace PercepNet.Lab.Commands.Train;

/// <summary>
/// `percepnet-lab widen IN.pnnm --to medium -o OUT.pnnm`: the model with more units per layer that
/// computes exactly what IN does (<see cref="ModelWiden"/>), to warm-start a larger network.
/// </summary>
public sealed class WidenCommand : Command<WidenCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")]
        [Description("The model file to widen (.pnnm).")]
        public string Input { get; init; } = "";

        [CommandOption("--to <PRESET>")]
        [Description("Target sizes: medium or paper (the input layer, kernels, GRU count and look-ahead must match the input's).")]
        public string To { get; init; } = "";

        [CommandOption("--seed <N>")]
        [Description("Seed of the new units' random incoming weights.")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("-o|--output <FILE>")]
        [Description("The model file to write (never the input).")]
        public string Output { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (NetworkShape.FromPreset(To) is null) return ValidationResult.Error($"--to must be medium or paper (got '{To}')");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output FILE is required");
            if (!File.Exists(Input)) return ValidationResult.Error($"{Input}: model file not found");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public WidenCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        // Bad files and impossible targets throw with a message naming the file; the host prints it and exits non-zero.
        NetworkShape target = NetworkShape.FromPreset(s.To)!;
        ModelFile wide = ModelWiden.Write(s.Input, target, s.Output, s.Seed);
        _console.WriteLine($"{s.Output}: {s.Input} widened to {s.To} ({wide.Shape.ParameterCount:N0} weights; same outputs)");
        return Program.Success;
    }
}
