using System.ComponentModel;
using PercepNet.Nn;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli.Commands.Model;

/// <summary>
/// `percepnet model [FILE]`: what a model file holds (layer sizes, weights, feature floor); with
/// `--feature-floor DB --output OUT` a copy with another feature floor (the same weights).
/// </summary>
public sealed class ModelCommand : Command<ModelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FILE]")]
        [Description("Model file (.pnnm). Default: the built-in model.")]
        public string? File { get; init; }

        [CommandOption("--feature-floor <DBFS>")]
        [Description("With --output: write a copy whose feature floor is DBFS (-200 = none), e.g. for a model trained before floors were stored.")]
        public double? FeatureFloor { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("Where the copy goes (never the input).")]
        public string? Output { get; init; }

        public override ValidationResult Validate()
        {
            if ((FeatureFloor == null) != (Output == null)) return ValidationResult.Error("--feature-floor and --output go together");
            if (FeatureFloor is { } f && !(f >= -200 && f <= 0)) return ValidationResult.Error($"--feature-floor must be within -200..0 dBFS (got {f})");
            if (Output != null && File != null && (Path.GetFullPath(Output) == Path.GetFullPath(File) || Audio.FileIdentity.Same(Output, File)))
                return ValidationResult.Error($"{Output}: the output must not overwrite the input");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public ModelCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var model = Infrastructure.ModelChoice.Resolve(s.File);
        var file = model.File;
        var sh = file.Shape;
        _console.WriteLine($"{model.Name}: {model.ParameterCount:N0} weights; input dense {sh.InputDense}, conv {sh.Conv1Channels}x{sh.Conv1Kernel} and {sh.Conv2Channels}x{sh.Conv2Kernel}, " +
            $"shared GRU {sh.SharedGruLayers}x{sh.SharedGru}, gain GRU {sh.GainGru}, strength GRU {sh.StrengthGru}, look-ahead {sh.LookaheadFrames} frames; " +
            $"feature floor {(file.FeatureFloorDbfs is { } f ? $"{f:0.#} dBFS" : "none")}");
        if (s.Output == null) return Program.Success;
        double? floor = s.FeatureFloor <= -200 ? null : s.FeatureFloor;
        var copy = file.WithFeatureFloor(floor);
        string tmp = s.Output + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write)) copy.WriteTo(fs);
        System.IO.File.Move(tmp, s.Output, overwrite: true);
        _console.WriteLine($"{s.Output}: the same weights, feature floor {(floor is { } g ? $"{g:0.#} dBFS" : "none")}");
        return Program.Success;
    }
}
