using System.Text.Json;
using System.Text.Json.Serialization;
using PercepNet.Nn;
using PercepNet.Training.Model;

namespace PercepNet.Training.Training;

/// <summary>Per-feature normalisation: the model computes (x - Mean) / Std.</summary>
public sealed record FeatureNormalization
{
    public required float[] Mean { get; init; }
    public required float[] Std { get; init; }
}

/// <summary>
/// Everything a training run needs, read from JSON (camelCase names; see docs/training.md).
/// Relative folders are resolved against the folder of the JSON file.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>"small" or "paper"; ignored when <see cref="Shape"/> is given.</summary>
    public string Preset { get; init; } = "small";

    /// <summary>
    /// Input features per frame (<see cref="NetworkShape.Features"/>): null = the shape's (70);
    /// 104 = also the band levels above a tracked noise floor (<see cref="PercepNet.Features.NoiseFloorTracker"/>).
    /// </summary>
    public int? Features { get; init; }

    /// <summary>Explicit layer sizes; overrides <see cref="Preset"/>.</summary>
    public NetworkShape? Shape { get; init; }

    /// <summary>Folder of training shards (*.pnfs, searched recursively).</summary>
    public string TrainDir { get; init; } = "";

    /// <summary>Folder of validation shards; empty for none.</summary>
    public string ValidationDir { get; init; } = "";

    /// <summary>Where checkpoints, the resolved config, the log and the exported model go.</summary>
    public string OutputDir { get; init; } = "";

    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 32;

    /// <summary>Frames per training sequence; shard sequences are cut into pieces of this length. 0 = the shards' length.</summary>
    public int SequenceFrames { get; init; }

    /// <summary>
    /// Carry each batch row's final GRU states and convolution context into the same row of the next
    /// batch (detached: gradients stop at the boundary), as RNNoise's trainer does, instead of starting
    /// every sequence from zero. The rows are unrelated mixtures, so the network learns to start from
    /// whatever state another noise left. Zero at each epoch's start and on resume; validation always
    /// starts from zero.
    /// </summary>
    public bool CarryStates { get; init; }

    /// <summary>
    /// Also keep each epoch's model as OUTPUT/model-epochN.pnnm (N from 1), so that a long run's
    /// intermediate epochs can be scored after it ends. Off: only model.pnnm (the latest) and best.pnnm.
    /// </summary>
    public bool KeepEpochModels { get; init; }

    /// <summary>Shards whose sequences are shuffled together (and held in memory at once).</summary>
    public int ShuffleShards { get; init; } = 4;

    /// <summary>Peak learning rate of AdamW.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning rate at the end of the cosine decay.</summary>
    public double MinLearningRate { get; init; } = 1e-5;

    /// <summary>Steps of linear warm-up from 0 to <see cref="LearningRate"/>.</summary>
    public int WarmupSteps { get; init; } = 500;

    public double WeightDecay { get; init; } = 0.01;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Clip the global gradient norm to this value; 0 = no clipping.</summary>
    public double GradientClip { get; init; } = 1.0;

    public LossConfig Loss { get; init; } = new();

    /// <summary>Minutes between checkpoints (one is also written at the end of each epoch and when stopping).</summary>
    public double CheckpointMinutes { get; init; } = 15;

    /// <summary>Checkpoints kept on disk (the newest ones).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    /// <summary>libtorch intra-op threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Seed of the weight initialisation and of the shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps in total (0 = run all epochs).</summary>
    public long MaxSteps { get; init; }

    /// <summary>Seconds between progress lines when the output is not a terminal.</summary>
    public double ProgressSeconds { get; init; } = 30;

    /// <summary>
    /// Warm start: the output folder of an earlier run (or one of its checkpoint folders) whose
    /// newest weights and feature normalisation start this run, with a fresh optimizer and
    /// schedule. Layer sizes must match. Ignored when this run's output folder already has a
    /// checkpoint (then that checkpoint is resumed). Empty = random initialisation.
    /// </summary>
    public string InitFrom { get; init; } = "";

    /// <summary>
    /// Noise floor of the energy features, dBFS of white noise (e.g. -66), applied to the stored
    /// features as they load and written into the model file, so the denoiser adds the same floor.
    /// Speech after digital silence is then not mistaken for the end of a noise (issue 13).
    /// Null: the features as stored (no floor), as before this setting existed.
    /// </summary>
    public double? FeatureFloorDbfs { get; init; }

    /// <summary>Feature normalisation; computed from the training shards when absent.</summary>
    public FeatureNormalization? Normalization { get; init; }

    /// <summary>The layer sizes this config selects.</summary>
    /// <exception cref="ArgumentException">Unknown preset or bad sizes.</exception>
    public NetworkShape ResolveShape()
    {
        var shape = Shape ?? NetworkShape.FromPreset(Preset)
            ?? throw new ArgumentException($"unknown model preset '{Preset}' (use \"small\" or \"paper\", or give \"shape\")");
        if (Features is { } features) shape = shape with { Features = features };
        if (shape.Problem() is { } bad) throw new ArgumentException($"model shape: {bad}");
        return shape;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ResolveShape();
        if (string.IsNullOrWhiteSpace(TrainDir)) throw new ArgumentException("trainDir is required");
        if (string.IsNullOrWhiteSpace(OutputDir)) throw new ArgumentException("outputDir is required");
        if (Epochs < 1) throw new ArgumentException($"epochs = {Epochs}, expected >= 1");
        if (BatchSize < 1) throw new ArgumentException($"batchSize = {BatchSize}, expected >= 1");
        if (SequenceFrames < 0) throw new ArgumentException($"sequenceFrames = {SequenceFrames}, expected >= 0");
        if (ShuffleShards < 1) throw new ArgumentException($"shuffleShards = {ShuffleShards}, expected >= 1");
        if (!(LearningRate > 0) || MinLearningRate < 0 || MinLearningRate > LearningRate)
            throw new ArgumentException($"learningRate = {LearningRate}, minLearningRate = {MinLearningRate}: expected 0 <= min <= peak, peak > 0");
        if (WarmupSteps < 0) throw new ArgumentException($"warmupSteps = {WarmupSteps}, expected >= 0");
        if (GradientClip < 0) throw new ArgumentException($"gradientClip = {GradientClip}, expected >= 0");
        if (FeatureFloorDbfs is { } floor && !(floor >= -200 && floor <= 0)) throw new ArgumentException($"featureFloorDbfs = {floor}, expected within [-200, 0]");
        if (Threads < 1) throw new ArgumentException($"threads = {Threads}, expected >= 1");
        if (KeepCheckpoints < 1) throw new ArgumentException($"keepCheckpoints = {KeepCheckpoints}, expected >= 1");
        int inputs = ResolveShape().Features;
        if (Normalization is { } n && (n.Mean.Length != inputs || n.Std.Length != inputs || n.Std.Any(s => !(s > 0))))
            throw new ArgumentException($"normalization needs {inputs} means and {inputs} standard deviations > 0");
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // NaN and infinities are written as "NaN", "Infinity" and read back, never an exception
        // while saving (a config or checkpoint state must not fail because a value went bad).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads a config file; relative folders become relative to the file's folder.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON for this record (the message names the file).</exception>
    public static TrainConfig Load(string path)
    {
        TrainConfig? c;
        try
        {
            c = JsonSerializer.Deserialize<TrainConfig>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (c == null) throw new InvalidDataException($"{path}: empty config");
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Abs(string p) => string.IsNullOrEmpty(p) ? p : Path.GetFullPath(p, baseDir);
        return c with { TrainDir = Abs(c.TrainDir), ValidationDir = Abs(c.ValidationDir), OutputDir = Abs(c.OutputDir), InitFrom = Abs(c.InitFrom) };
    }

    /// <summary>Writes the config as JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}
