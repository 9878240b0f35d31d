using PercepNet.Nn;
using PercepNet.Training.Data;
using PercepNet.Training.Model;
using PercepNet.Training.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace PercepNet.Training.Tests;

[Collection(TorchCollection.Name)]
public sealed class TrainerTests(ITestOutputHelper output) : TempDirTest
{
    private TrainConfig Config(string name, long maxSteps, int epochs = 3) => new()
    {
        Shape = Synthetic.Tiny,
        TrainDir = Path.Combine(Dir, "train"),
        ValidationDir = Path.Combine(Dir, "val"),
        OutputDir = Path.Combine(Dir, name),
        Epochs = epochs,
        BatchSize = 8,
        SequenceFrames = 50,
        ShuffleShards = 2,
        LearningRate = 3e-3,
        MinLearningRate = 3e-4,
        WarmupSteps = 5,
        Threads = 1,
        Seed = 5,
        MaxSteps = maxSteps,
        ProgressSeconds = 1,
    };

    private void WriteData()
    {
        // 3 shards of 8 sequences of 100 frames = 48 chunks of 50 frames = 6 batches per epoch.
        Synthetic.WriteShards(Path.Combine(Dir, "train"), 3, 8, 100, seed: 100);
        Synthetic.WriteShards(Path.Combine(Dir, "val"), 1, 8, 50, seed: 900);
    }

    private sealed class Log(ITestOutputHelper o) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            o.WriteLine(value ?? "");
            base.WriteLine(value);
        }
    }

    [Fact]
    public void LossGoesDownOnSyntheticData()
    {
        WriteData();
        var config = Config("run", 0, epochs: 8) with { LearningRate = 1e-2, MinLearningRate = 1e-3, KeepEpochModels = true };
        var log = new Log(output);
        var before = ValidationLoss(config);
        var result = new Trainer(log).Run(config, CancellationToken.None);
        output.WriteLine($"validation loss {before:F4} -> {result.ValidationLoss:F4}, {result.FramesPerSecond:F0} frames/s, export error {result.ExportError:E1}");
        Assert.Equal(48, result.Steps);
        Assert.True(result.ValidationLoss < 0.85 * before, $"validation loss {before} -> {result.ValidationLoss}");
        Assert.NotNull(result.ModelPath);
        Assert.True(result.ExportError <= 1e-4f);
        var file = ModelFile.Load(result.ModelPath!);
        Assert.Equal(Synthetic.Tiny, file.Shape);
        Assert.Contains("frames/s", log.ToString());
        Assert.Equal(Synthetic.Tiny, ModelFile.Load(Path.Combine(config.OutputDir, Trainer.BestModelFileName)).Shape);
        Assert.True(File.Exists(Path.Combine(config.OutputDir, Trainer.ResolvedConfigName)));
        // Every epoch's model is kept on request; the last one is the final model, an earlier one differs.
        for (int e = 1; e <= 8; e++) Assert.True(File.Exists(Path.Combine(config.OutputDir, Trainer.EpochModelFileName(e))), $"epoch {e}'s model");
        Assert.False(File.Exists(Path.Combine(config.OutputDir, Trainer.EpochModelFileName(9))));
        Assert.Equal(File.ReadAllBytes(result.ModelPath!), File.ReadAllBytes(Path.Combine(config.OutputDir, Trainer.EpochModelFileName(8))));
        Assert.NotEqual(File.ReadAllBytes(result.ModelPath!), File.ReadAllBytes(Path.Combine(config.OutputDir, Trainer.EpochModelFileName(1))));
        Assert.NotNull(TrainConfig.Load(Path.Combine(config.OutputDir, Trainer.ResolvedConfigName)).Normalization);
    }

    private static double ValidationLoss(TrainConfig config)
    {
        Synthetic.Torch();
        var train = ShardSet.Open(config.TrainDir, config.SequenceFrames);
        var norm = train.ComputeNormalization();
        torch.manual_seed(config.Seed);
        using var model = new PercepNetTorchModel(config.ResolveShape(), norm.Mean, norm.Std);
        return Trainer.Evaluate(model, config, ShardSet.Open(config.ValidationDir, config.SequenceFrames));
    }

    [Fact]
    public void ResumeEqualsAnUninterruptedRun()
    {
        WriteData();
        var log = new Log(output);
        // Uninterrupted: 9 steps (crosses the epoch boundary after 6).
        var full = new Trainer(log).Run(Config("full", 9), CancellationToken.None);
        // Interrupted after 4 steps, then resumed to 9.
        var part = new Trainer(log).Run(Config("resumed", 4), CancellationToken.None);
        Assert.Equal(4, part.Steps);
        var rest = new Trainer(log).Run(Config("resumed", 9), CancellationToken.None);
        Assert.Equal(4, rest.ResumedFromStep);
        Assert.Equal(5, rest.StepsThisRun);
        Assert.Equal(9, rest.Steps);

        float maxDiff = MaxWeightDifference(full.ModelPath!, rest.ModelPath!);
        output.WriteLine($"max weight difference after resume: {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-6f, $"weights differ by {maxDiff}");
    }

    private static float MaxWeightDifference(string pathA, string pathB)
    {
        var a = ModelFile.Load(pathA);
        var b = ModelFile.Load(pathB);
        float maxDiff = 0;
        for (int i = 0; i < a.TensorCount; i++)
        {
            var x = a.Tensor(i);
            var y = b.Tensor(i);
            for (int j = 0; j < x.Length; j++) maxDiff = MathF.Max(maxDiff, MathF.Abs(x[j] - y[j]));
        }
        return maxDiff;
    }

    [Fact]
    public void WarmStartContinuesFromAnEarlierRunsWeightsAndNormalisation()
    {
        WriteData();
        var log = new Log(output);
        var first = new Trainer(log).Run(Config("first", 12) with { LearningRate = 1e-2, MinLearningRate = 1e-3 }, CancellationToken.None);
        // One step at a negligible learning rate: the warm-started model is the first run's model.
        var warm = Config("warm", 1) with { InitFrom = Path.Combine(Dir, "first"), LearningRate = 1e-12, MinLearningRate = 0, WarmupSteps = 0 };
        var second = new Trainer(log).Run(warm, CancellationToken.None);
        var fresh = new Trainer(log).Run(Config("fresh", 1) with { LearningRate = 1e-12, MinLearningRate = 0, WarmupSteps = 0 }, CancellationToken.None);
        float fromFirst = MaxWeightDifference(first.ModelPath!, second.ModelPath!);
        float fromRandom = MaxWeightDifference(fresh.ModelPath!, second.ModelPath!);
        output.WriteLine($"max weight difference of the warm start from the first run {fromFirst:E2}, from a random start {fromRandom:E2}");
        Assert.True(fromFirst <= 1e-6f, $"warm-started weights differ from the first run's by {fromFirst}");
        Assert.True(fromRandom > 1e-3f, "the warm start equals a random start");
        Assert.Contains("Warm start from", log.ToString());
        var n1 = TrainConfig.Load(Path.Combine(Dir, "first", Trainer.ResolvedConfigName)).Normalization!;
        var n2 = TrainConfig.Load(Path.Combine(Dir, "warm", Trainer.ResolvedConfigName)).Normalization!;
        Assert.Equal(n1.Mean, n2.Mean);
        Assert.Equal(n1.Std, n2.Std);

        // A model file works as a warm start too: its weights and normalisation.
        var fromFile = new Trainer(log).Run(Config("from-file", 1) with { InitFrom = first.ModelPath!, LearningRate = 1e-12, MinLearningRate = 0, WarmupSteps = 0 }, CancellationToken.None);
        Assert.True(MaxWeightDifference(first.ModelPath!, fromFile.ModelPath!) <= 1e-6f);
        Assert.Equal(n1.Mean, TrainConfig.Load(Path.Combine(Dir, "from-file", Trainer.ResolvedConfigName)).Normalization!.Mean);
        Assert.Contains("Warm start from the model file", log.ToString());
        Assert.Throws<InvalidDataException>(() => new Trainer(log).Run(Config("other-size", 1) with { InitFrom = first.ModelPath!, Shape = Synthetic.Tiny with { GainGru = 22 } }, CancellationToken.None));

        var bad = Config("bad", 1) with { InitFrom = Path.Combine(Dir, "val") };
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(log).Run(bad, CancellationToken.None));
        Assert.Contains(Path.Combine(Dir, "val"), e.Message);
    }

    [Fact]
    public void ANetworkWidenedToTheNoiseFloorInputsStartsWhereItWasAndLearnsToReadThem()
    {
        WriteData();
        var log = new Log(output);
        var first = new Trainer(log).Run(Config("first", 12) with { LearningRate = 1e-2, MinLearningRate = 1e-3 }, CancellationToken.None);
        var narrow = ModelFile.Load(first.ModelPath!);
        var target = narrow.Shape with { Features = PercepNet.Features.FeatureExtractor.ExtendedCount };
        var norm = ShardSet.Open(Path.Combine(Dir, "train"), 0).ComputeNormalization(target.Features);
        Assert.Equal(104, norm.Mean.Length);
        string widePath = Path.Combine(Dir, "wide.pnnm");
        Export.ModelWiden.Write(first.ModelPath!, target, widePath, inputNormalization: norm);

        // At a negligible learning rate the widened network's validation loss is the narrow one's.
        var still = Config("narrow-still", 0, epochs: 1) with { InitFrom = first.ModelPath!, LearningRate = 1e-12, MinLearningRate = 0, WarmupSteps = 0 };
        var wideStill = still with { OutputDir = Path.Combine(Dir, "wide-still"), InitFrom = widePath, Features = 104 };
        double a = new Trainer(log).Run(still, CancellationToken.None).ValidationLoss!.Value;
        var ws = new Trainer(log).Run(wideStill, CancellationToken.None);
        double b = ws.ValidationLoss!.Value;
        output.WriteLine($"validation loss narrow {a:F6}, widened {b:F6}");
        Assert.Equal(a, b, 4);
        Assert.Equal(104, ModelFile.Load(ws.ModelPath!).Shape.Features);

        // Trained, the weights from the new inputs leave zero, and the float engine matches TorchSharp (checked at export).
        var trained = new Trainer(log).Run(wideStill with { OutputDir = Path.Combine(Dir, "wide-trained"), MaxSteps = 6, LearningRate = 1e-2, MinLearningRate = 1e-3 }, CancellationToken.None);
        Assert.True(trained.ExportError <= 1e-4f, $"export error {trained.ExportError}");
        var w = ModelFile.Load(trained.ModelPath!).Tensor("input.weight");
        double newWeights = 0;
        for (int r = 0; r < target.InputDense; r++)
            for (int c = 70; c < 104; c++) newWeights = Math.Max(newWeights, Math.Abs(w[r * 104 + c]));
        Assert.True(newWeights > 1e-3, $"largest weight from a new input {newWeights}");
        // A 70-feature file cannot start a 104-feature run.
        Assert.Throws<InvalidDataException>(() => new Trainer(log).Run(wideStill with { OutputDir = Path.Combine(Dir, "mixed"), InitFrom = first.ModelPath! }, CancellationToken.None));
    }

    [Fact]
    public void AFeatureFloorIsTrainedWithAndWrittenIntoTheModelFiles()
    {
        WriteData();
        var log = new Log(output);
        var config = Config("floor", 0, epochs: 1) with { FeatureFloorDbfs = -50 };
        var result = new Trainer(log).Run(config, CancellationToken.None);
        Assert.Equal(-50, ModelFile.Load(result.ModelPath!).FeatureFloorDbfs);
        Assert.Equal(-50, TrainConfig.Load(Path.Combine(config.OutputDir, Trainer.ResolvedConfigName)).FeatureFloorDbfs);
        // The validation loss is computed on floored features: a different number than without.
        var plain = new Trainer(log).Run(Config("no-floor", 0, epochs: 1), CancellationToken.None);
        Assert.NotNull(result.ValidationLoss);
        Assert.Null(ModelFile.Load(plain.ModelPath!).FeatureFloorDbfs);
        Assert.NotEqual(plain.ValidationLoss, result.ValidationLoss);
        Assert.Throws<ArgumentException>(() => (config with { FeatureFloorDbfs = 10 }).Validate());
    }

    [Fact]
    public void AveragingCheckpointsExportsTheMeanOfTheirWeights()
    {
        WriteData();
        var log = new Log(output);
        // A checkpoint after every step; the last 3 are kept.
        var config = Config("avg", 5) with { CheckpointMinutes = 0, KeepCheckpoints = 3 };
        new Trainer(log).Run(config, CancellationToken.None);
        var folders = Checkpoint.All(config.OutputDir);
        Assert.Equal(3, folders.Count);
        Assert.EndsWith("step-000000005", folders[^1]);

        var result = CheckpointAverage.Run(config, 3, null, log);
        Assert.Equal(folders, result.Checkpoints);
        Assert.Equal(Path.Combine(config.OutputDir, CheckpointAverage.DefaultFileName), result.ModelPath);
        Assert.True(result.ExportError <= 1e-4f);
        Assert.True(result.ValidationLoss is > 0 && double.IsFinite(result.ValidationLoss.Value));

        // Expected: the element-wise mean of the three checkpoints' weights.
        var norm = TrainConfig.Load(Path.Combine(config.OutputDir, Trainer.ResolvedConfigName)).Normalization!;
        var each = folders.Select(f =>
        {
            using var m = new PercepNetTorchModel(config.ResolveShape(), norm.Mean, norm.Std);
            Checkpoint.LoadWeights(f, m);
            return m.WeightsInFileOrder();
        }).ToList();
        var file = ModelFile.Load(result.ModelPath);
        Assert.Equal(norm.Mean, file.FeatureMean.ToArray());
        float maxErr = 0, spread = 0;
        for (int i = 0; i < file.TensorCount; i++)
        {
            var got = file.Tensor(i);
            for (int j = 0; j < got.Length; j++)
            {
                float mean = (float)((each[0][i][j] + (double)each[1][i][j] + each[2][i][j]) / 3);
                maxErr = MathF.Max(maxErr, MathF.Abs(got[j] - mean));
                spread = MathF.Max(spread, MathF.Abs(each[0][i][j] - each[2][i][j]));
            }
        }
        output.WriteLine($"average vs mean of checkpoints: {maxErr:E2}; checkpoints differ by up to {spread:E2}");
        Assert.True(spread > 1e-4f, "the checkpoints are identical, so the test shows nothing");
        Assert.True(maxErr <= 1e-7f, $"averaged weights differ from the mean by {maxErr}");

        // Averaging only the newest checkpoint reproduces it.
        string single = Path.Combine(Dir, "single.pnnm");
        var one = CheckpointAverage.Run(config, 1, single, log);
        Assert.Equal(one.NewestValidationLoss, one.ValidationLoss);
        var newest = ModelFile.Load(single);
        for (int i = 0; i < newest.TensorCount; i++) Assert.Equal(each[2][i], newest.Tensor(i).ToArray());
        Assert.Empty(Directory.GetFiles(Dir, "*.tmp"));

        // A cancelled token stops it before anything is written.
        string cancelled = Path.Combine(Dir, "cancelled.pnnm");
        Assert.ThrowsAny<OperationCanceledException>(() => CheckpointAverage.Run(config, 3, cancelled, log, new CancellationToken(canceled: true)));
        Assert.False(File.Exists(cancelled));

        var none = Config("never-trained", 1);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointAverage.Run(none, 3, null, log));
        Assert.Contains("never-trained", e.Message);
    }

    /// <summary>Cancels its token when a line containing <paramref name="trigger"/> is logged.</summary>
    private sealed class CancellingLog(ITestOutputHelper o, CancellationTokenSource cts, string trigger) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            o.WriteLine(value ?? "");
            if (value?.Contains(trigger, StringComparison.Ordinal) == true) cts.Cancel();
        }
    }

    [Fact]
    public void CancellationCheckpointsAndAResumeFinishes()
    {
        WriteData();
        using var cts = new CancellationTokenSource();
        var config = Config("cancel", 0, epochs: 2);
        var result = new Trainer(new CancellingLog(output, cts, "epoch 1/2: validation loss")).Run(config, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(6, result.Steps); // the whole first epoch, nothing of the second
        Assert.Null(result.ModelPath);
        Assert.EndsWith("step-000000006", Checkpoint.Latest(config.OutputDir));
        var rest = new Trainer(new Log(output)).Run(config, CancellationToken.None);
        Assert.Equal(6, rest.ResumedFromStep);
        Assert.Equal(12, rest.Steps);
        Assert.NotNull(rest.ModelPath);
    }

    [Fact]
    public void ResumingWithOtherLayerSizesIsAClearError()
    {
        WriteData();
        new Trainer(new Log(output)).Run(Config("mismatch", 2), CancellationToken.None);
        var other = Config("mismatch", 4) with { Shape = Synthetic.Tiny with { GainGru = 21 } };
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(new Log(output)).Run(other, CancellationToken.None));
        Assert.Contains("step-000000002", e.Message);
    }

    [Fact]
    public void ATrainingStepGivenTheSameBatchTwiceGivesTheSameLoss()
    {
        WriteData();
        var config = Config("same", 0);
        Synthetic.Torch();
        var set = ShardSet.Open(config.TrainDir, config.SequenceFrames);
        var norm = set.ComputeNormalization();
        var batch = set.Plan(config.BatchSize, config.ShuffleShards, 1)[0];
        (double First, double Second, List<float[]> Weights) TwoSteps()
        {
            torch.manual_seed(config.Seed);
            using var model = new PercepNetTorchModel(config.ResolveShape(), norm.Mean, norm.Std);
            using var optimizer = torch.optim.AdamW(model.parameters(), config.LearningRate);
            double first = Trainer.TrainStep(model, optimizer, config, set, batch, 1, out _);
            double second = Trainer.TrainStep(model, optimizer, config, set, batch, 2, out _);
            return (first, second, model.WeightsInFileOrder());
        }
        var a = TwoSteps();
        var b = TwoSteps();
        output.WriteLine($"losses {a.First} then {a.Second}; again {b.First} then {b.Second}");
        Assert.Equal(a.First, b.First);
        Assert.Equal(a.Second, b.Second);
        Assert.NotEqual(a.First, a.Second); // the step changed the weights
        for (int i = 0; i < a.Weights.Count; i++) Assert.Equal(a.Weights[i], b.Weights[i]);
    }

    [Fact]
    public void CarriedStatesStartTheNextBatchWhereThePreviousEnded()
    {
        WriteData();
        // Learning rate 0: the weights stay put, so every loss below comes from the same network.
        var config = Config("carry", 0) with { CarryStates = true, LearningRate = 0, MinLearningRate = 0, WeightDecay = 0 };
        Synthetic.Torch();
        var set = ShardSet.Open(config.TrainDir, config.SequenceFrames);
        var norm = set.ComputeNormalization();
        var plan = set.Plan(config.BatchSize, config.ShuffleShards, 1);
        torch.manual_seed(config.Seed);
        using var model = new PercepNetTorchModel(config.ResolveShape(), norm.Mean, norm.Std);
        using var optimizer = torch.optim.AdamW(model.parameters(), 0.0, weight_decay: 0);
        double Zero(Batch b) { using var s = torch.NewDisposeScope(); return Trainer.BatchLoss(model, config.Loss, set.Load(b), b.Chunks.Length, set.ChunkFrames).Total.item<float>(); }

        SequenceState? carry = null;
        double first = Trainer.TrainStep(model, optimizer, config, set, plan[0], 1, out _, ref carry);
        Assert.NotNull(carry);
        Assert.Equal(plan[0].Chunks.Length, carry!.BatchSize);
        Assert.All(carry.Tensors, t => Assert.False(t.requires_grad)); // detached: gradients stop at the boundary
        Assert.Equal(Zero(plan[0]), first, 5); // the first batch starts from zero
        var expected = carry.Tensors.Select(t => t.clone().DetachFromDisposeScope()).ToArray();
        double second = Trainer.TrainStep(model, optimizer, config, set, plan[1], 2, out _, ref carry);
        double fromFirst;
        using (torch.NewDisposeScope())
        {
            using var state = new SequenceState(expected);
            fromFirst = Trainer.BatchLoss(model, config.Loss, set.Load(plan[1]), plan[1].Chunks.Length, set.ChunkFrames, null, state).Parts.Total.item<float>();
        }
        output.WriteLine($"second batch: {second} carried, {fromFirst} from the first batch's state, {Zero(plan[1])} from zero");
        Assert.Equal(fromFirst, second, 5);
        Assert.NotEqual(Zero(plan[1]), second, 4);

        // Without the option nothing is carried; a batch of another size starts from zero.
        SequenceState? none = null;
        Trainer.TrainStep(model, optimizer, config with { CarryStates = false }, set, plan[2], 3, out _, ref none);
        Assert.Null(none);
        var small = plan[2] with { Chunks = plan[2].Chunks.Take(3).ToArray() };
        double other = Trainer.TrainStep(model, optimizer, config, set, small, 4, out _, ref carry);
        Assert.Equal(Zero(small), other, 5);
        Assert.Equal(3, carry!.BatchSize);
        carry.Dispose();

        // And a whole run with the option trains, resumes and exports like any other.
        var run = new Trainer(new Log(output)).Run(Config("carry-run", 0, epochs: 2) with { CarryStates = true }, CancellationToken.None);
        Assert.Equal(12, run.Steps);
        Assert.True(double.IsFinite(run.TrainLoss) && run.ValidationLoss is { } vl && double.IsFinite(vl));
        Assert.NotNull(run.ModelPath);
        // Without keepEpochModels only the latest and the best model are written.
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(run.ModelPath!)!, Trainer.EpochModelFileName(1))));
    }

    [Fact]
    public void ANonFiniteLossNamesTheFirstBadTensorAndSavesNothing()
    {
        WriteData();
        // The normalisation of the clean shards, then one NaN feature in the first training shard.
        var norm = ShardSet.Open(Path.Combine(Dir, "train"), 50).ComputeNormalization();
        var frames = FeatureShard.Read(Path.Combine(Dir, "train", "shard-000.pnfs")).Frames;
        frames[(3 * 100 + 10) * FeatureShard.FrameFloats + 5] = float.NaN;
        FeatureShard.Write(Path.Combine(Dir, "train", "shard-000.pnfs"), 100, frames);
        var config = Config("nan", 0) with { Normalization = norm, CheckpointMinutes = 1000 };
        var e = Assert.Throws<InvalidOperationException>(() => new Trainer(new Log(output)).Run(config, CancellationToken.None));
        output.WriteLine(e.Message);
        Assert.Contains("training loss became NaN at step", e.Message);
        Assert.Contains("first non-finite tensor: the input features of the batch", e.Message);
        Assert.Null(Checkpoint.Latest(config.OutputDir));

        // A NaN weight is named, and neither a checkpoint nor a model file takes it.
        Synthetic.Torch();
        torch.manual_seed(1);
        using var model = new PercepNetTorchModel(config.ResolveShape(), norm.Mean, norm.Std);
        using var optimizer = torch.optim.AdamW(model.parameters(), 1e-3);
        Assert.Null(NonFinite.FirstBadWeight(model));
        using (torch.no_grad()) model.named_parameters().Single(p => p.name == "conv2.weight").parameter[1, 2, 0] = float.PositiveInfinity;
        Assert.StartsWith("weight conv2.weight: 1 of", NonFinite.FirstBadWeight(model));
        Assert.Contains("at [1, 2, 0]", NonFinite.FirstBadWeight(model));
        var data = ShardSet.Open(config.ValidationDir, 50);
        var batch = data.Load(data.Plan(8, 1, null)[0]);
        var trace = new List<(string Layer, torch.Tensor Output)>();
        var parts = Trainer.BatchLoss(model, config.Loss, batch, 8, 50, trace);
        Assert.StartsWith("first non-finite tensor: weight conv2.weight", NonFinite.Explain(model, trace, parts));
        Assert.Contains("gives NaN again", NonFinite.Repeat(model, config.Loss, batch, 8, 50));
        var saveError = Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(Path.Combine(Dir, "poisoned"), model, optimizer, new TrainingState { Step = 3 }, 2));
        Assert.Contains("conv2.weight", saveError.Message);
        Assert.Null(Checkpoint.Latest(Path.Combine(Dir, "poisoned")));
        string modelPath = Path.Combine(Dir, "poisoned.pnnm");
        Assert.Throws<ArgumentException>(() => PercepNet.Training.Export.ModelExporter.Write(modelPath, model));
        Assert.False(File.Exists(modelPath));
    }

    [Fact]
    public void StatesAndConfigsWithNonFiniteValuesSaveAndLoad()
    {
        // A NaN once made System.Text.Json throw while a checkpoint's state was written.
        var state = new TrainingState { Step = 7, ValidationLoss = double.NaN, BestValidationLoss = double.PositiveInfinity };
        string json = System.Text.Json.JsonSerializer.Serialize(state, TrainConfig.Json);
        var back = System.Text.Json.JsonSerializer.Deserialize<TrainingState>(json, TrainConfig.Json)!;
        Assert.True(double.IsNaN(back.ValidationLoss!.Value));
        Assert.Equal(double.PositiveInfinity, back.BestValidationLoss);
        var c = Config("x", 0) with { Normalization = new FeatureNormalization { Mean = new float[70], Std = Enumerable.Repeat(float.NaN, 70).ToArray() } };
        string p = Path.Combine(Dir, "nan.json");
        c.Save(p);
        Assert.True(float.IsNaN(TrainConfig.Load(p).Normalization!.Std[0]));
        Assert.Throws<ArgumentException>(() => TrainConfig.Load(p).Validate()); // but training refuses it
    }

    [Fact]
    public void ConfigRoundTripsThroughJsonAndRejectsUnknownFields()
    {
        var c = Config("x", 0) with { Shape = null, Preset = "paper" };
        string p = Path.Combine(Dir, "c.json");
        c.Save(p);
        var back = TrainConfig.Load(p);
        Assert.Equal(NetworkShape.Paper, back.ResolveShape());
        Assert.Equal(c.Loss, back.Loss);
        File.WriteAllText(p, "{ \"epochz\": 3 }");
        var e = Assert.Throws<InvalidDataException>(() => TrainConfig.Load(p));
        Assert.Contains("c.json", e.Message);
        Assert.Throws<ArgumentException>(() => (c with { Preset = "huge" }).ResolveShape());
        Assert.Throws<ArgumentException>(() => (c with { BatchSize = 0 }).Validate());
    }

    [Fact]
    public void ScheduleWarmsUpThenDecays()
    {
        var s = new LearningRateSchedule(1e-3, 1e-5, 10, 110);
        Assert.Equal(1e-4, s.At(0), 12);
        Assert.Equal(1e-3, s.At(9), 12);
        Assert.Equal(1e-3, s.At(10), 12);
        Assert.Equal(0.5 * (1e-3 + 1e-5), s.At(60), 12);
        Assert.Equal(1e-5, s.At(110), 12);
        Assert.True(s.At(30) > s.At(50));
    }
}
