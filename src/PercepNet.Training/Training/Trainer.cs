using System.Diagnostics;
using System.Globalization;
using PercepNet.Dsp;
using PercepNet.Nn;
using PercepNet.Training.Data;
using PercepNet.Training.Export;
using PercepNet.Training.Model;
using PercepNet.Training.TorchCompat;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PercepNet.Training.Training;

/// <summary>What a <see cref="Trainer.Run"/> did.</summary>
public sealed record TrainResult
{
    /// <summary>Optimizer steps taken in total (including those before a resume).</summary>
    public long Steps { get; init; }

    /// <summary>Steps this call took.</summary>
    public long StepsThisRun { get; init; }

    /// <summary>The step the run resumed from (0 for a fresh start).</summary>
    public long ResumedFromStep { get; init; }

    /// <summary>Mean training loss of the last 100 steps of this call.</summary>
    public double TrainLoss { get; init; }

    /// <summary>Validation loss after the last finished epoch, if any.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Training frames per second over this call's steps after the first (data + forward + backward + update).</summary>
    public double FramesPerSecond { get; init; }

    /// <summary>The exported model file, or null when the run was cancelled.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Largest difference of the exported file's float engine from TorchSharp.</summary>
    public float ExportError { get; init; }

    /// <summary>Number of trainable weights.</summary>
    public long Parameters { get; init; }

    /// <summary>True when cancelled before the end.</summary>
    public bool Cancelled { get; init; }
}

/// <summary>
/// Trains the PercepNet network on feature shards: AdamW, warm-up + cosine learning rate, gradient
/// clipping, validation each epoch, checkpoints every few minutes, at each epoch end and when
/// stopping, resume from the newest checkpoint in the output folder, and model files checked
/// against TorchSharp: OUTPUT/model.pnnm after every epoch and at the end, OUTPUT/best.pnnm for the
/// lowest validation loss so far, and on request each epoch's own OUTPUT/model-epochN.pnnm.
/// </summary>
public sealed class Trainer(TextWriter? log = null)
{
    private readonly TextWriter _log = log ?? Console.Out;

    /// <summary>File name of the exported model in the output folder.</summary>
    public const string ModelFileName = "model.pnnm";

    /// <summary>File name of the model with the lowest validation loss so far, in the output folder.</summary>
    public const string BestModelFileName = "best.pnnm";

    /// <summary>File name of epoch N's model (from 1), kept when TrainConfig.KeepEpochModels is set.</summary>
    public static string EpochModelFileName(int epoch) => $"model-epoch{epoch}.pnnm";

    /// <summary>File name of the resolved configuration (with the feature normalisation) in the output folder.</summary>
    public const string ResolvedConfigName = "config.json";

    /// <summary>
    /// Runs (or resumes) training as <paramref name="config"/> says. Cancelling writes a checkpoint
    /// and returns with <see cref="TrainResult.Cancelled"/> set.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid setting.</exception>
    /// <exception cref="InvalidDataException">A bad shard, checkpoint or config file.</exception>
    public TrainResult Run(TrainConfig config, CancellationToken ct)
    {
        config.Validate();
        TorchRuntime.EnsureInitialized(config.Threads, _log);
        var shape = config.ResolveShape();
        Directory.CreateDirectory(config.OutputDir);
        bool interactive = ReferenceEquals(_log, Console.Out) && !Console.IsOutputRedirected;
        var progress = new ProgressPrinter(_log, interactive, config.ProgressSeconds);

        var train = ShardSet.Open(config.TrainDir, config.SequenceFrames).WithFeatureFloor(config.FeatureFloorDbfs);
        var validation = OpenValidation(config, train);
        foreach (var set in validation == null ? [train] : new[] { train, validation })
            if (set.ChunkFrames <= shape.LookaheadFrames)
                throw new ArgumentException($"{set.Shards[0].Path}: sequences of {set.ChunkFrames} frames are too short for a look-ahead of {shape.LookaheadFrames}");

        bool resuming = Checkpoint.Latest(config.OutputDir) != null;
        // A model file (.pnnm) as the warm start: its weights and its feature normalisation.
        ModelFile? initFile = !resuming && config.InitFrom.EndsWith(".pnnm", StringComparison.OrdinalIgnoreCase) ? ModelFile.Load(config.InitFrom) : null;
        if (initFile != null)
        {
            if (initFile.Shape != shape)
                throw new InvalidDataException($"{config.InitFrom}: initFrom's layer sizes differ from this run's ({initFile.Shape} vs {shape})");
            config = config with { Normalization = config.Normalization ?? new FeatureNormalization { Mean = initFile.FeatureMean.ToArray(), Std = initFile.FeatureStd.ToArray() } };
        }
        (string Checkpoint, string RunConfig)? init = !resuming && initFile == null && !string.IsNullOrEmpty(config.InitFrom) ? Checkpoint.ResolveInit(config.InitFrom) : null;
        if (init is { } i && config.Normalization == null)
        {
            // A warm start keeps the features the earlier weights were trained on: its normalisation.
            var saved = File.Exists(i.RunConfig) ? TrainConfig.Load(i.RunConfig).Normalization : null;
            config = config with { Normalization = saved ?? throw new InvalidDataException($"{i.RunConfig}: initFrom's run has no feature normalisation") };
        }
        var norm = ResolveNormalization(config, train);
        string resolvedPath = Path.Combine(config.OutputDir, ResolvedConfigName);
        if (!File.Exists(resolvedPath)) (config with { Normalization = norm }).Save(resolvedPath);

        torch.manual_seed(config.Seed);
        using var model = new PercepNetTorchModel(shape, norm.Mean, norm.Std) { FeatureFloorDbfs = config.FeatureFloorDbfs };
        using var optimizer = optim.AdamW(model.parameters(), config.LearningRate, config.Beta1, config.Beta2, 1e-8, config.WeightDecay);
        var state = new TrainingState();
        if (Checkpoint.Latest(config.OutputDir) is { } latest)
        {
            state = Checkpoint.Load(latest, model, optimizer);
            progress.Line($"Resuming from {latest} (step {state.Step}, epoch {state.Epoch + 1}, batch {state.Batch}).");
        }
        else if (initFile != null)
        {
            model.LoadWeights(initFile);
            progress.Line($"Warm start from the model file {config.InitFrom} (weights and feature normalisation; fresh optimizer and schedule).");
        }
        else if (init is { } from)
        {
            Checkpoint.LoadWeights(from.Checkpoint, model);
            progress.Line($"Warm start from {from.Checkpoint} (weights and feature normalisation; fresh optimizer and schedule).");
        }
        long resumedFrom = state.Step;

        int stepsPerEpoch = train.Plan(config.BatchSize, config.ShuffleShards, 0).Count;
        long scheduleSteps = (long)stepsPerEpoch * config.Epochs;
        // Epochs may differ by a step or two (a shuffle group's last batch is partial), so the step
        // count only stops a run when maxSteps asks for it; the schedule and ETA use the estimate.
        long stopAt = config.MaxSteps > 0 ? config.MaxSteps : long.MaxValue;
        long lastStep = Math.Min(stopAt, scheduleSteps);
        var schedule = new LearningRateSchedule(config.LearningRate, config.MinLearningRate, config.WarmupSteps, scheduleSteps);
        progress.StepFrames = (long)config.BatchSize * (train.ChunkFrames - shape.LookaheadFrames);
        progress.Line(string.Create(CultureInfo.InvariantCulture,
            $"PercepNet training: {model.ParameterCount:N0} weights, {train.Shards.Count} training shards ({train.FrameCount / (double)FrameLayout.FramesPerHour:F2} h in {train.ChunkCount} sequences of {train.ChunkFrames} frames), " +
            $"{(validation == null ? "no validation" : $"{validation.Shards.Count} validation shards ({validation.FrameCount / (double)FrameLayout.FramesPerHour:F2} h)")}, " +
            $"{stepsPerEpoch} steps per epoch, {config.Epochs} epochs, {torch.get_num_threads()} threads."));

        // Frames/s counts training steps only (data, forward, backward, update), not validation or
        // checkpoints, and leaves out the first step of a run (libtorch's one-time kernel set-up).
        double trainSeconds = 0, firstStepSeconds = 0;
        long trainFrames = 0, firstStepFrames = 0;
        double Fps() => trainFrames > 0 ? trainFrames / trainSeconds : firstStepFrames / Math.Max(1e-9, firstStepSeconds);
        var sinceCheckpoint = Stopwatch.StartNew();
        long stepsThisRun = 0;
        var recent = new Queue<double>();
        double? validationLoss = state.ValidationLoss;
        bool cancelled = false;
        model.train();

        long savedStep = state.Step;
        SequenceState? carry = null;
        for (int epoch = state.Epoch; epoch < config.Epochs && state.Step < stopAt && !cancelled; epoch++)
        {
            var plan = train.Plan(config.BatchSize, config.ShuffleShards, EpochSeed(config.Seed, epoch));
            // Carried states (config.CarryStates) start from zero at each epoch and on resume.
            carry?.Dispose();
            carry = null;
            for (int b = epoch == state.Epoch ? state.Batch : 0; b < plan.Count; b++)
            {
                if (ct.IsCancellationRequested || state.Step >= stopAt)
                {
                    cancelled = ct.IsCancellationRequested;
                    state = state with { Epoch = epoch, Batch = b };
                    break;
                }
                double lr = schedule.At(state.Step);
                foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                long started = Stopwatch.GetTimestamp();
                double loss = TrainStep(model, optimizer, config, train, plan[b], state.Step + 1, out long frames, ref carry);
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                if (stepsThisRun == 0)
                {
                    firstStepSeconds = seconds;
                    firstStepFrames = frames;
                }
                else
                {
                    trainSeconds += seconds;
                    trainFrames += frames;
                }
                state = state with { Step = state.Step + 1, Epoch = epoch, Batch = b + 1 };
                stepsThisRun++;
                recent.Enqueue(loss);
                if (recent.Count > 100) recent.Dequeue();
                progress.Add(loss);
                progress.Report(state.Step, lastStep, epoch, config.Epochs, lr, Fps());
                if (sinceCheckpoint.Elapsed.TotalMinutes >= config.CheckpointMinutes)
                {
                    Checkpoint.Save(config.OutputDir, model, optimizer, state, config.KeepCheckpoints);
                    savedStep = state.Step;
                    sinceCheckpoint.Restart();
                }
            }
            if (cancelled || state.Batch < plan.Count) break; // stopped inside the epoch
            if (validation != null)
            {
                validationLoss = Evaluate(model, config, validation);
                if (!double.IsFinite(validationLoss.Value))
                    throw new InvalidOperationException($"validation loss became {validationLoss} after epoch {epoch + 1} (step {state.Step}): " +
                        (NonFinite.FirstBadWeight(model) ?? "every weight is finite, so a validation batch gives a non-finite output or loss term") + "; nothing was saved for this epoch");
                progress.Line(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{config.Epochs}: validation loss {validationLoss:F4}"));
            }
            state = state with { Epoch = epoch + 1, Batch = 0, ValidationLoss = validationLoss };
            // A usable model at every epoch: the latest, and the best by validation loss so far.
            string latestModel = Path.Combine(config.OutputDir, ModelFileName);
            ModelExporter.ExportAndVerify(latestModel, model, ExportSample(validation ?? train, shape.Features));
            if (config.KeepEpochModels)
                File.Copy(latestModel, Path.Combine(config.OutputDir, EpochModelFileName(epoch + 1)), overwrite: true);
            if (validationLoss is { } vl && !(state.BestValidationLoss <= vl))
            {
                File.Copy(latestModel, Path.Combine(config.OutputDir, BestModelFileName), overwrite: true);
                state = state with { BestValidationLoss = vl };
            }
            Checkpoint.Save(config.OutputDir, model, optimizer, state, config.KeepCheckpoints);
            savedStep = state.Step;
            sinceCheckpoint.Restart();
        }
        carry?.Dispose();
        double fps = stepsThisRun > 0 ? Fps() : 0;
        progress.Report(state.Step, lastStep, Math.Min(state.Epoch, config.Epochs - 1), config.Epochs, schedule.At(Math.Max(0, state.Step - 1)), fps, force: stepsThisRun > 0);
        if (state.Step != savedStep) Checkpoint.Save(config.OutputDir, model, optimizer, state, config.KeepCheckpoints);

        string? modelPath = null;
        float exportError = 0;
        if (!cancelled)
        {
            modelPath = Path.Combine(config.OutputDir, ModelFileName);
            exportError = ModelExporter.ExportAndVerify(modelPath, model, ExportSample(validation ?? train, shape.Features));
            progress.Line(string.Create(CultureInfo.InvariantCulture, $"Exported {modelPath} (float engine within {exportError:E1} of TorchSharp)."));
        }
        return new TrainResult
        {
            Steps = state.Step,
            StepsThisRun = stepsThisRun,
            ResumedFromStep = resumedFrom,
            TrainLoss = recent.Count > 0 ? recent.Average() : double.NaN,
            ValidationLoss = validationLoss,
            FramesPerSecond = fps,
            ModelPath = modelPath,
            ExportError = exportError,
            Parameters = model.ParameterCount,
            Cancelled = cancelled,
        };
    }

    /// <summary>The features of the first sequence of <paramref name="set"/>: what exports are checked on.</summary>
    internal static float[] ExportSample(ShardSet set, int featureCount)
    {
        var first = set.Load(set.Plan(1, 1, null)[0]);
        return FeatureInputs.Expand(first, 1, set.ChunkFrames, featureCount);
    }

    /// <summary>The validation shards of <paramref name="config"/> (null when none), cut no longer than the training chunks.</summary>
    internal static ShardSet? OpenValidation(TrainConfig config, ShardSet train)
    {
        if (string.IsNullOrEmpty(config.ValidationDir)) return null;
        var validation = ShardSet.Open(config.ValidationDir, 0);
        if (validation.ChunkFrames > train.ChunkFrames) validation = ShardSet.Open(config.ValidationDir, train.ChunkFrames);
        return validation.WithFeatureFloor(config.FeatureFloorDbfs);
    }

    private static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch);

    private FeatureNormalization ResolveNormalization(TrainConfig config, ShardSet train)
    {
        if (SavedNormalization(config) is { } saved) return saved;
        _log.WriteLine("Computing the feature normalisation from the training shards...");
        return train.ComputeNormalization(config.ResolveShape().Features);
    }

    /// <summary>The config's feature normalisation, else the one its run saved in OUTPUT/config.json, else null.</summary>
    internal static FeatureNormalization? SavedNormalization(TrainConfig config)
    {
        if (config.Normalization != null) return config.Normalization;
        string resolved = Path.Combine(config.OutputDir, ResolvedConfigName);
        return File.Exists(resolved) ? TrainConfig.Load(resolved).Normalization : null;
    }

    /// <summary>
    /// Splits a batch [B, T, FrameFloats] into inputs (<paramref name="featureCount"/> per frame,
    /// <see cref="FeatureInputs"/>) and look-ahead-aligned targets.
    /// </summary>
    internal static (Tensor X, Tensor G, Tensor R, Tensor M, Tensor V) Split(float[] data, int chunks, int frames, int featureCount = FeatureShard.Features)
    {
        var all = tensor(data, [chunks, frames, FeatureShard.FrameFloats]);
        var x = featureCount == FeatureShard.Features ? all.narrow(2, 0, FeatureShard.Features)
            : tensor(FeatureInputs.Expand(data, chunks, frames, featureCount), [chunks, frames, featureCount]);
        return (x,
            all.narrow(2, FeatureShard.GainOffset, FeatureShard.Bands),
            all.narrow(2, FeatureShard.StrengthOffset, FeatureShard.Bands),
            all.narrow(2, FeatureShard.MaskOffset, FeatureShard.Bands),
            all.narrow(2, FeatureShard.VadOffset, 1));
    }

    /// <summary>
    /// Loss of a batch: output n is the prediction for frame n - L (L = look-ahead), so predictions
    /// L..T-1 are compared with targets 0..T-1-L.
    /// </summary>
    /// <param name="trace">When given, receives every layer's output of this forward pass (<see cref="PercepNetTorchModel.Trace"/>).</param>
    internal static (Tensor Total, Tensor Gain, Tensor Strength, Tensor Vad) BatchLoss(PercepNetTorchModel model, LossConfig loss, float[] data, int chunks, int frames,
        List<(string Layer, Tensor Output)>? trace = null)
    {
        var (parts, final) = BatchLoss(model, loss, data, chunks, frames, trace, null);
        final.Dispose();
        return parts;
    }

    /// <summary>
    /// <see cref="BatchLoss(PercepNetTorchModel, LossConfig, float[], int, int, List{ValueTuple{string, Tensor}}?)"/> with the
    /// sequences continuing from <paramref name="initial"/> (null: a zero start); also returns the state they end in.
    /// </summary>
    internal static ((Tensor Total, Tensor Gain, Tensor Strength, Tensor Vad) Parts, SequenceState Final) BatchLoss(PercepNetTorchModel model, LossConfig loss,
        float[] data, int chunks, int frames, List<(string Layer, Tensor Output)>? trace, SequenceState? initial)
    {
        var (x, g, r, m, v) = Split(data, chunks, frames, model.Shape.Features);
        Tensor pg, pr, pv;
        SequenceState final;
        if (trace == null) (pg, pr, pv, final) = model.Continue(x, initial);
        else
        {
            var (layers, last) = model.Trace(x, initial);
            trace.AddRange(layers);
            final = last;
            (pg, pr, pv) = (trace.Single(t => t.Layer == "gain_head").Output, trace.Single(t => t.Layer == "strength_head").Output, trace.Single(t => t.Layer == "vad_head").Output);
        }
        int l = model.Shape.LookaheadFrames, n = frames - l;
        return (PercepNetLoss.Compute(loss, pg.narrow(1, l, n), pr.narrow(1, l, n), pv.narrow(1, l, n),
            g.narrow(1, 0, n), r.narrow(1, 0, n), m.narrow(1, 0, n), v.narrow(1, 0, n)), final);
    }

    /// <summary>
    /// One optimizer step on <paramref name="batch"/>. A non-finite loss or gradient norm stops
    /// training before the weights change, with the first non-finite tensor named
    /// (<see cref="NonFinite"/>): a weight, a layer output, a loss term or a gradient.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss or a gradient is not finite.</exception>
    internal static double TrainStep(PercepNetTorchModel model, AdamW optimizer, TrainConfig config, ShardSet set, Batch batch, long step, out long frames)
    {
        SequenceState? carry = null;
        double loss = TrainStep(model, optimizer, config, set, batch, step, out frames, ref carry);
        carry?.Dispose();
        return loss;
    }

    /// <summary>
    /// <see cref="TrainStep(PercepNetTorchModel, AdamW, TrainConfig, ShardSet, Batch, long, out long)"/> that, with
    /// <see cref="TrainConfig.CarryStates"/>, starts the batch's sequences from <paramref name="carry"/> (when it has
    /// as many rows; else from zero) and replaces it by their final state, detached: gradients stop at the boundary.
    /// Without the option <paramref name="carry"/> is left alone.
    /// </summary>
    internal static double TrainStep(PercepNetTorchModel model, AdamW optimizer, TrainConfig config, ShardSet set, Batch batch, long step, out long frames,
        ref SequenceState? carry)
    {
        float[] data = set.Load(batch);
        int chunks = batch.Chunks.Length;
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        // The layer outputs are kept by autograd for the backward pass anyway; the trace only names them.
        var trace = new List<(string Layer, Tensor Output)>();
        var initial = config.CarryStates && carry?.BatchSize == chunks ? carry : null;
        var (parts, final) = BatchLoss(model, config.Loss, data, chunks, set.ChunkFrames, trace, initial);
        var total = parts.Total;
        double loss = total.item<float>();
        if (!double.IsFinite(loss))
            throw new InvalidOperationException($"training loss became {loss} at step {step}: {NonFinite.Explain(model, trace, parts)}; " +
                $"{NonFinite.Repeat(model, config.Loss, data, chunks, set.ChunkFrames)}; the weights were not updated by this step");
        total.backward();
        // The norm is computed in any case (an infinite limit never scales): a non-finite one stops here.
        double norm = nn.utils.clip_grad_norm_(model.parameters(), config.GradientClip > 0 ? config.GradientClip : double.PositiveInfinity);
        if (!double.IsFinite(norm))
            throw new InvalidOperationException($"gradient norm became {norm} at step {step} (loss {loss}): {NonFinite.FirstBadGradient(model) ?? "no single gradient is non-finite; their norm overflowed"}; the weights were not updated by this step");
        optimizer.step();
        if (config.CarryStates)
        {
            carry?.Dispose();
            carry = final.Detach();
        }
        frames = (long)chunks * (set.ChunkFrames - model.Shape.LookaheadFrames);
        return loss;
    }

    /// <summary>Mean loss per frame over the whole set, without gradients.</summary>
    internal static double Evaluate(PercepNetTorchModel model, TrainConfig config, ShardSet set, CancellationToken cancellationToken = default)
    {
        model.eval();
        double sum = 0;
        long frames = 0;
        using (no_grad())
        {
            foreach (var batch in set.Plan(config.BatchSize, 1, null))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (total, _, _, _) = BatchLoss(model, config.Loss, set.Load(batch), batch.Chunks.Length, set.ChunkFrames);
                long n = (long)batch.Chunks.Length * (set.ChunkFrames - model.Shape.LookaheadFrames);
                sum += total.item<float>() * n;
                frames += n;
            }
        }
        model.train();
        return sum / Math.Max(1, frames);
    }
}
