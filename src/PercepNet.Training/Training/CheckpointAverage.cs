using System.Globalization;
using PercepNet.Training.Export;
using PercepNet.Training.Model;
using PercepNet.Training.TorchCompat;
using static TorchSharp.torch;

namespace PercepNet.Training.Training;

/// <summary>What <see cref="CheckpointAverage.Run"/> made.</summary>
public sealed record AverageResult
{
    /// <summary>The checkpoint folders averaged, oldest first.</summary>
    public required IReadOnlyList<string> Checkpoints { get; init; }

    /// <summary>Validation loss of the newest checkpoint alone (null without validation shards).</summary>
    public double? NewestValidationLoss { get; init; }

    /// <summary>Validation loss of the averaged weights (null without validation shards).</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>The exported model file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Largest difference of the exported file's float engine from TorchSharp.</summary>
    public float ExportError { get; init; }
}

/// <summary>
/// Checkpoint averaging: the mean of the weights of a run's last K checkpoints, exported as a
/// model file. Along the low-learning-rate end of a run the checkpoints scatter around a minimum;
/// their mean usually lies nearer to it than any one of them (the idea of stochastic weight
/// averaging), and it removes much of the step-to-step noise that makes two neighbouring
/// checkpoints score differently. The feature normalisation is the run's (the same in every
/// checkpoint); only the trainable weights are averaged.
/// </summary>
public static class CheckpointAverage
{
    /// <summary>The name the averaged model gets in the output folder when no path is given.</summary>
    public const string DefaultFileName = "average.pnnm";

    /// <summary>
    /// Averages the newest <paramref name="last"/> checkpoints of the run that <paramref name="config"/>
    /// describes (its output folder), measures the validation loss of the newest checkpoint and of the
    /// average, and writes the average to <paramref name="outputPath"/> (via a temporary file; checked
    /// against TorchSharp like every export).
    /// </summary>
    /// <exception cref="InvalidDataException">The run has no checkpoints or no resolved config, or a checkpoint does not fit.</exception>
    /// <exception cref="ArgumentException"><paramref name="last"/> &lt; 1.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked per validation batch and checkpoint); nothing is written.</exception>
    public static AverageResult Run(TrainConfig config, int last, string? outputPath, TextWriter log, CancellationToken cancellationToken = default)
    {
        if (last < 1) throw new ArgumentException($"the number of checkpoints to average is {last}, expected >= 1", nameof(last));
        var norm = Trainer.SavedNormalization(config)
            ?? throw new InvalidDataException($"{config.OutputDir}: no {Trainer.ResolvedConfigName} with the feature normalisation; has this run trained yet?");
        var all = Checkpoint.All(config.OutputDir);
        if (all.Count == 0) throw new InvalidDataException($"{Checkpoint.Folder(config.OutputDir)}: no checkpoints to average");
        var chosen = all.TakeLast(last).ToList();
        if (chosen.Count < last)
            log.WriteLine($"Only {chosen.Count} checkpoints in {Checkpoint.Folder(config.OutputDir)}; averaging those.");
        TorchRuntime.EnsureInitialized(config.Threads, log);
        var shape = config.ResolveShape();
        var train = ShardSet.Open(config.TrainDir, config.SequenceFrames).WithFeatureFloor(config.FeatureFloorDbfs);
        var validation = Trainer.OpenValidation(config, train);

        using var model = new PercepNetTorchModel(shape, norm.Mean, norm.Std) { FeatureFloorDbfs = config.FeatureFloorDbfs };
        using var scratch = new PercepNetTorchModel(shape, norm.Mean, norm.Std);
        // The newest checkpoint gives the buffers (normalisation) and the reference validation loss.
        Checkpoint.LoadWeights(chosen[^1], model);
        double? newestLoss = validation == null ? null : Trainer.Evaluate(model, config, validation, cancellationToken);
        using (no_grad())
        using (NewDisposeScope()) // the sums and the temporaries of the conversions
        {
            var sums = model.named_parameters().ToDictionary(p => p.name, p => zeros_like(p.parameter, dtype: ScalarType.Float64));
            foreach (string folder in chosen)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Checkpoint.LoadWeights(folder, scratch);
                foreach (var (name, p) in scratch.named_parameters()) sums[name].add_(p.to_type(ScalarType.Float64));
            }
            foreach (var (name, p) in model.named_parameters()) p.copy_((sums[name] / chosen.Count).to_type(p.dtype));
        }
        double? averageLoss = validation == null ? null : Trainer.Evaluate(model, config, validation, cancellationToken);

        cancellationToken.ThrowIfCancellationRequested();
        string path = outputPath ?? Path.Combine(config.OutputDir, DefaultFileName);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, "." + Path.GetFileName(path) + ".tmp");
        float err;
        try
        {
            err = ModelExporter.ExportAndVerify(tmp, model, Trainer.ExportSample(validation ?? train, shape.Features));
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Averaged {chosen.Count} checkpoints ({Path.GetFileName(chosen[0])} .. {Path.GetFileName(chosen[^1])}): validation loss {Format(newestLoss)} (newest) -> {Format(averageLoss)} (average); wrote {path} (float engine within {err:E1} of TorchSharp)."));
        return new AverageResult { Checkpoints = chosen, NewestValidationLoss = newestLoss, ValidationLoss = averageLoss, ModelPath = path, ExportError = err };
    }

    private static string Format(double? v) => v is { } x ? x.ToString("F4", CultureInfo.InvariantCulture) : "-";
}
