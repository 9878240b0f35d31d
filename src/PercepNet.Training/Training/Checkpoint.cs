using System.Globalization;
using System.Text.Json;
using PercepNet.Training.Model;
using TorchSharp.Modules;

namespace PercepNet.Training.Training;

/// <summary>Where training stands: the next step to run is batch <see cref="Batch"/> of epoch <see cref="Epoch"/>.</summary>
public sealed record TrainingState
{
    /// <summary>Optimizer steps taken so far.</summary>
    public long Step { get; init; }

    /// <summary>0-based epoch of the next step.</summary>
    public int Epoch { get; init; }

    /// <summary>0-based batch index within <see cref="Epoch"/> of the next step.</summary>
    public int Batch { get; init; }

    /// <summary>Validation loss after the last finished epoch, if any.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Lowest validation loss so far (the model in best.pnnm).</summary>
    public double? BestValidationLoss { get; init; }
}

/// <summary>
/// Checkpoints under OUTPUT/checkpoints/step-NNNNNNNNN/: model.dat (TorchSharp state dict,
/// including the feature normalisation buffers), optimizer.dat (AdamW moments and step counts) and
/// state.json. A checkpoint is written to a ".tmp" folder and renamed when complete, so a crash
/// never leaves a half checkpoint that looks finished.
/// </summary>
public static class Checkpoint
{
    private const string Prefix = "step-";

    public static string Folder(string outputDir) => Path.Combine(outputDir, "checkpoints");

    /// <summary>Writes a checkpoint and deletes all but the newest <paramref name="keep"/>.</summary>
    /// <exception cref="InvalidOperationException">A weight is not finite (nothing is written).</exception>
    public static string Save(string outputDir, PercepNetTorchModel model, AdamW optimizer, TrainingState state, int keep)
    {
        // A checkpoint is what a run resumes from: never one with a non-finite weight.
        if (NonFinite.FirstBadWeight(model) is { } bad)
            throw new InvalidOperationException($"not saving a checkpoint at step {state.Step}: {bad}");
        string root = Folder(outputDir);
        Directory.CreateDirectory(root);
        string final = Path.Combine(root, Prefix + state.Step.ToString("D9", CultureInfo.InvariantCulture));
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        model.save(Path.Combine(tmp, "model.dat"));
        optimizer.save_state_dict(Path.Combine(tmp, "optimizer.dat"));
        File.WriteAllText(Path.Combine(tmp, "state.json"), JsonSerializer.Serialize(state, TrainConfig.Json));
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(tmp, final);
        foreach (string old in Complete(root).SkipLast(keep)) Directory.Delete(old, true);
        return final;
    }

    /// <summary>Every complete checkpoint folder of a run, oldest first (empty when there are none).</summary>
    public static IReadOnlyList<string> All(string outputDir)
    {
        string root = Folder(outputDir);
        return Directory.Exists(root) ? Complete(root).ToList() : [];
    }

    /// <summary>The newest complete checkpoint folder, or null.</summary>
    public static string? Latest(string outputDir)
    {
        string root = Folder(outputDir);
        return Directory.Exists(root) ? Complete(root).LastOrDefault() : null;
    }

    /// <summary>Loads <paramref name="folder"/> into the model and optimizer; returns its state.</summary>
    /// <exception cref="InvalidDataException">The state file is unreadable.</exception>
    public static TrainingState Load(string folder, PercepNetTorchModel model, AdamW optimizer)
    {
        string statePath = Path.Combine(folder, "state.json");
        TrainingState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), TrainConfig.Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath}: {e.Message}", e);
        }
        if (state == null) throw new InvalidDataException($"{statePath}: empty");
        try
        {
            model.load(Path.Combine(folder, "model.dat"));
            optimizer.load_state_dict(Path.Combine(folder, "optimizer.dat"));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{folder}: checkpoint does not fit this model ({e.Message}); was the output folder used with other layer sizes?", e);
        }
        return state;
    }

    /// <summary>
    /// Resolves a warm-start source: a checkpoint folder (with model.dat) or a run's output folder
    /// (its newest checkpoint). Returns the checkpoint folder and the run's resolved config path
    /// (which holds the feature normalisation).
    /// </summary>
    /// <exception cref="InvalidDataException">Neither a checkpoint nor a run folder with one.</exception>
    public static (string Checkpoint, string RunConfig) ResolveInit(string source)
    {
        string full = Path.GetFullPath(source);
        if (File.Exists(Path.Combine(full, "model.dat")))
        {
            string run = Path.GetDirectoryName(Path.GetDirectoryName(full)!)!;
            return (full, Path.Combine(run, Trainer.ResolvedConfigName));
        }
        if (Latest(full) is { } latest) return (latest, Path.Combine(full, Trainer.ResolvedConfigName));
        throw new InvalidDataException($"{source}: initFrom is neither a checkpoint folder (with model.dat) nor a run folder with checkpoints");
    }

    /// <summary>Loads only the weights (and normalisation buffers) of a checkpoint folder into the model.</summary>
    /// <exception cref="InvalidDataException">The checkpoint does not fit the model.</exception>
    public static void LoadWeights(string folder, PercepNetTorchModel model)
    {
        try
        {
            model.load(Path.Combine(folder, "model.dat"));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{folder}: checkpoint does not fit this model ({e.Message}); does initFrom have the same layer sizes?", e);
        }
    }

    private static IEnumerable<string> Complete(string root) =>
        Directory.GetDirectories(root, Prefix + "*")
            .Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal) && File.Exists(Path.Combine(d, "state.json")))
            .OrderBy(d => d, StringComparer.Ordinal);
}
