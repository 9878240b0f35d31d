using System.ComponentModel;
using PercepNet.Nn;
using PercepNet.Training.Training;
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

        [CommandOption("--to <SIZES>")]
        [Description("Target sizes: medium, paper, or the input's sizes with some changed, as conv=448,gru=416,gain=416,strength=128 (conv: both convolutions; gru: the shared GRUs; gain, strength: those GRUs). The input layer, kernels, GRU count and look-ahead must match the input's.")]
        public string To { get; init; } = "";

        [CommandOption("--features <N>")]
        [Description("Input features of the result: 104 adds the 34 band levels above a tracked noise floor, with zero weights (needs --shards). Default: the input's.")]
        public int? Features { get; init; }

        [CommandOption("--shards <DIR>")]
        [Description("Feature shards (a folder of *.pnfs) to compute the new inputs' normalisation from, with the model's feature floor.")]
        public string? Shards { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the new units' random incoming weights.")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("-o|--output <FILE>")]
        [Description("The model file to write (never the input).")]
        public string Output { get; init; } = "";

        public override ValidationResult Validate()
        {
            if (To != "" && NetworkShape.FromPreset(To) is null && ParseSizes(To, NetworkShape.Small) is null)
                return ValidationResult.Error($"--to must be medium, paper or sizes such as conv=448,gru=416 (got '{To}')");
            if (To == "" && Features is null) return ValidationResult.Error("give --to PRESET, --features N or both");
            if (Features is { } f && f != PercepNet.Features.FeatureExtractor.Count && f != PercepNet.Features.FeatureExtractor.ExtendedCount)
                return ValidationResult.Error($"--features must be {PercepNet.Features.FeatureExtractor.Count} or {PercepNet.Features.FeatureExtractor.ExtendedCount} (got {f})");
            if (Shards != null && !Directory.Exists(Shards)) return ValidationResult.Error($"{Shards}: shard folder not found");
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output FILE is required");
            if (!File.Exists(Input)) return ValidationResult.Error($"{Input}: model file not found");
            return ValidationResult.Success();
        }

        /// <summary>
        /// <paramref name="from"/> with the sizes of <paramref name="text"/> ("conv=448,gru=416,gain=416,strength=128",
        /// any subset, each 1..<see cref="NetworkShape.MaxWidth"/>), or null if the text is not such a list.
        /// </summary>
        internal static NetworkShape? ParseSizes(string text, NetworkShape from)
        {
            NetworkShape shape = from;
            foreach (string part in text.Split(','))
            {
                string[] kv = part.Split('=');
                if (kv.Length != 2 || !int.TryParse(kv[1], out int n) || n < 1 || n > NetworkShape.MaxWidth) return null;
                switch (kv[0].Trim())
                {
                    case "conv": shape = shape with { Conv1Channels = n, Conv2Channels = n }; break;
                    case "gru": shape = shape with { SharedGru = n }; break;
                    case "gain": shape = shape with { GainGru = n }; break;
                    case "strength": shape = shape with { StrengthGru = n }; break;
                    default: return null;
                }
            }
            return shape;
        }
    }

    private readonly IAnsiConsole _console;

    public WidenCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        // Bad files and impossible targets throw with a message naming the file; the host prints it and exits non-zero.
        ModelFile input = ModelFile.Load(s.Input);
        NetworkShape target = s.To == "" ? input.Shape
            : NetworkShape.FromPreset(s.To) is { } preset ? preset with { Features = input.Shape.Features }
            : Settings.ParseSizes(s.To, input.Shape)!;
        if (s.Features is { } f) target = target with { Features = f };
        FeatureNormalization? norm = null;
        if (target.Features > input.Shape.Features)
        {
            if (s.Shards == null) throw new ArgumentException($"{s.Input}: --features {target.Features} needs --shards DIR to compute the new inputs' normalisation");
            norm = ShardSet.Open(s.Shards, 0).WithFeatureFloor(input.FeatureFloorDbfs).ComputeNormalization(target.Features);
        }
        ModelFile wide = ModelWiden.Write(s.Input, target, s.Output, s.Seed, norm);
        _console.WriteLine($"{s.Output}: {s.Input} widened to {(s.To == "" ? "its sizes" : s.To)}, {wide.Shape.Features} input features ({wide.Shape.ParameterCount:N0} weights; same outputs)");
        return Program.Success;
    }
}
