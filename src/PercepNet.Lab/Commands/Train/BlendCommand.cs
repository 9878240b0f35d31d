using System.ComponentModel;
using PercepNet.Training.Export;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;

namespace PercepNet.Lab.Commands.Train;

/// <summary>
/// `percepnet-lab blend A.pnnm B.pnnm --weight W -o OUT.pnnm`: the weights (1 - W) A + W B of two
/// runs from one start (<see cref="ModelBlend"/>): the points between two losses without training.
/// </summary>
public sealed class BlendCommand : Command<BlendCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<A>")]
        [Description("First model file (.pnnm); its feature floor is kept.")]
        public string A { get; init; } = "";

        [CommandArgument(1, "<B>")]
        [Description("Second model file (.pnnm), from the same line of runs (same shape and feature normalisation).")]
        public string B { get; init; } = "";

        [CommandOption("-w|--weight <W>")]
        [Description("Share of B, 0..1 (0: A, 1: B).")]
        public double? Weight { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("The model file to write (never an input).")]
        public string Output { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (Weight is not { } w) return ValidationResult.Error("--weight W is required (the share of B, 0..1)");
            if (!(w >= 0 && w <= 1)) return ValidationResult.Error($"--weight must be within 0..1 (got {w})");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output FILE is required");
            foreach (var f in new[] { A, B })
                if (!File.Exists(f)) return ValidationResult.Error($"{f}: model file not found");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public BlendCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        // Bad files and mismatched models throw with a message naming them; the host prints it and exits non-zero.
        ModelBlend.Write(s.A, s.B, s.Weight!.Value, s.Output);
        _console.WriteLine($"{s.Output}: {1 - s.Weight:0.###} x {s.A} + {s.Weight:0.###} x {s.B}");
        return Program.Success;
    }
}
