using PercepNet.Features;
using PercepNet.Nn;
using PercepNet.Training.Export;

namespace PercepNet.Lab.Tests;

public sealed class WidenTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-widen-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly NetworkShape Narrow = RandomModels.Tiny;

    private static readonly NetworkShape Wide = Narrow with
    {
        Conv1Channels = 31, Conv2Channels = 27, SharedGru = 25, GainGru = 19, StrengthGru = 13,
    };

    private static ModelFile Random(NetworkShape shape, int seed) => RandomModels.Create(shape, seed, scale: 0.4f);

    /// <summary>Runs both networks over the same random feature stream; the largest difference of any output.</summary>
    private static double LargestOutputDifference(ModelFile a, ModelFile b, int frames = 300)
    {
        var na = new PercepNetNetwork(a);
        var nb = new PercepNetNetwork(b);
        var rng = new Random(7);
        var x = new float[FeatureExtractor.Count];
        float[] ga = new float[34], sa = new float[34], gb = new float[34], sb = new float[34];
        double worst = 0;
        for (int t = 0; t < frames; t++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 6 - 3) * (i < 34 ? 1f : 0.5f);
            na.Process(x, ga, sa, out float va);
            nb.Process(x, gb, sb, out float vb);
            for (int i = 0; i < 34; i++) worst = Math.Max(worst, Math.Max(Math.Abs(ga[i] - gb[i]), Math.Abs(sa[i] - sb[i])));
            worst = Math.Max(worst, Math.Abs(va - vb));
        }
        return worst;
    }

    [Fact]
    public void TheWidenedNetworkComputesWhatTheNarrowOneDoes()
    {
        ModelFile narrow = Random(Narrow, 1);
        ModelFile wide = ModelWiden.Widen(narrow, Wide, seed: 3);
        Assert.Equal(Wide, wide.Shape);
        Assert.Equal(Wide.ParameterCount, Enumerable.Range(0, wide.TensorCount).Sum(i => (long)wide.Tensor(i).Length));
        Assert.True(narrow.FeatureMean.SequenceEqual(wide.FeatureMean));
        Assert.Equal(-66, wide.FeatureFloorDbfs);
        double diff = LargestOutputDifference(narrow, wide);
        Assert.True(diff < 1e-5, $"largest output difference {diff}");
        // The comparison can fail: another model of the wide shape gives other outputs.
        Assert.True(LargestOutputDifference(narrow, ModelWiden.Widen(Random(Narrow, 2), Wide)) > 1e-2);
    }

    [Fact]
    public void NewUnitsGetRandomInputsAndNothingNewReachesAnOldUnit()
    {
        ModelFile wide = ModelWiden.Widen(Random(Narrow, 1), Wide);
        // conv2: weight [out, in, kernel]; old outputs 0..19 must have zero weights from new conv1 channels 24..30.
        ReadOnlySpan<float> conv2 = wide.Tensor("conv2.weight");
        int k = Wide.Conv2Kernel;
        for (int r = 0; r < Narrow.Conv2Channels; r++)
            for (int c = Narrow.Conv1Channels; c < Wide.Conv1Channels; c++)
                for (int j = 0; j < k; j++) Assert.Equal(0f, conv2[(r * Wide.Conv1Channels + c) * k + j]);
        // A new output channel has non-zero incoming weights, so it is active and the weights out of it can learn.
        int rowNew = Narrow.Conv2Channels;
        Assert.Contains(conv2.Slice(rowNew * Wide.Conv1Channels * k, Wide.Conv1Channels * k).ToArray(), v => v != 0);
        // GRU: the recurrent weights from new units into old units' gates are zero, in every gate.
        ReadOnlySpan<float> hh = wide.Tensor("grus.1.weight_hh_l0");
        int h = Wide.SharedGru;
        for (int g = 0; g < 3; g++)
            for (int r = 0; r < Narrow.SharedGru; r++)
                for (int c = Narrow.SharedGru; c < h; c++) Assert.Equal(0f, hh[(g * h + r) * h + c]);
        // Gain head: inputs [conv2, grus.0..2, gain_gru]; the columns of new units are zero for every band.
        ReadOnlySpan<float> head = wide.Tensor("gain_head.weight");
        int inputs = Wide.GainHeadInputs;
        var newColumns = Enumerable.Range(Narrow.Conv2Channels, Wide.Conv2Channels - Narrow.Conv2Channels)
            .Concat(Enumerable.Range(0, 3).SelectMany(i => Enumerable.Range(Wide.Conv2Channels + i * Wide.SharedGru + Narrow.SharedGru, Wide.SharedGru - Narrow.SharedGru)))
            .Concat(Enumerable.Range(Wide.Conv2Channels + 3 * Wide.SharedGru + Narrow.GainGru, Wide.GainGru - Narrow.GainGru));
        foreach (int c in newColumns)
            for (int b = 0; b < 34; b++) Assert.Equal(0f, head[b * inputs + c]);
    }

    [Fact]
    public void MoreInputFeaturesStartWithZeroWeightsAndTheGivenNormalisation()
    {
        ModelFile narrow = Random(Narrow, 1);
        var target = Narrow with { Features = FeatureExtractor.ExtendedCount };
        Assert.Contains("normalisation", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(narrow, target)).Message);
        var norm = new PercepNet.Training.Training.FeatureNormalization
        {
            Mean = Enumerable.Range(0, 104).Select(i => 100f + i).ToArray(),
            Std = Enumerable.Range(0, 104).Select(i => 2f + i).ToArray(),
        };
        ModelFile wide = ModelWiden.Widen(narrow, target, inputNormalization: norm);
        Assert.Equal(104, wide.Shape.Features);
        // The old inputs keep the model's normalisation, the new ones take the given one.
        Assert.True(wide.FeatureMean[..70].SequenceEqual(narrow.FeatureMean));
        Assert.Equal(100f + 70, wide.FeatureMean[70]);
        Assert.Equal(2f + 103, wide.FeatureStd[103]);
        // Same outputs whatever the 34 new inputs hold; a model that reads them gives others.
        var na = new PercepNetNetwork(narrow);
        var nb = new PercepNetNetwork(wide);
        var rng = new Random(5);
        var x = new float[104];
        float[] ga = new float[34], sa = new float[34], gb = new float[34], sb = new float[34];
        double worst = 0;
        for (int t = 0; t < 200; t++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 6 - 3) * (i < 70 ? 1f : 50f);
            na.Process(x.AsSpan(0, 70), ga, sa, out float va);
            nb.Process(x, gb, sb, out float vb);
            for (int i = 0; i < 34; i++) worst = Math.Max(worst, Math.Max(Math.Abs(ga[i] - gb[i]), Math.Abs(sa[i] - sb[i])));
            worst = Math.Max(worst, Math.Abs(va - vb));
        }
        Assert.True(worst < 1e-5, $"largest output difference {worst}");
        ReadOnlySpan<float> input = wide.Tensor("input.weight");
        for (int r = 0; r < Narrow.InputDense; r++)
            for (int c = 70; c < 104; c++) Assert.Equal(0f, input[r * 104 + c]);
        Assert.Contains("cannot be removed", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(wide, Narrow)).Message);
    }

    [Fact]
    public void RefusesNarrowerTargetsAndSizesWideningCannotChange()
    {
        var m = Random(Narrow, 1);
        Assert.Contains("only be widened", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(m, Wide with { GainGru = 10 })).Message);
        Assert.Contains("InputDense", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(m, Wide with { InputDense = 32 })).Message);
        Assert.Contains("SharedGruLayers", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(m, Wide with { SharedGruLayers = 4 })).Message);
        Assert.Contains("look-ahead", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(m, Wide with { LookaheadFrames = 0 })).Message);
        Assert.Contains("kernels", Assert.Throws<ArgumentException>(() => ModelWiden.Widen(m, Wide with { Conv1Kernel = 3 })).Message);
        // The identity is allowed and exact.
        var same = ModelWiden.Widen(m, Narrow);
        for (int i = 0; i < m.TensorCount; i++) Assert.True(m.Tensor(i).SequenceEqual(same.Tensor(i)), $"tensor {i} differs");
    }

    [Fact]
    public void CliWidensTheSmallPresetToMediumAndRefusesToOverwriteItsInput()
    {
        string small = RandomModels.Save(Random(NetworkShape.Small, 4), _dir, "small.pnnm");
        string po = Path.Combine(_dir, "medium.pnnm");
        var (code, output) = LabCliTests.Run("widen", small, "--to", "medium", "-o", po);
        Assert.True(code == 0, output);
        Assert.Contains("3,606,277", output);
        var wide = ModelFile.Load(po);
        Assert.Equal(NetworkShape.Medium, wide.Shape);
        Assert.True(LargestOutputDifference(ModelFile.Load(small), wide, frames: 60) < 1e-5);
        Assert.False(File.Exists(po + ".tmp"));

        byte[] before = File.ReadAllBytes(small);
        (code, output) = LabCliTests.Run("widen", small, "--to", "medium", "-o", small);
        Assert.NotEqual(0, code);
        Assert.Contains("must not overwrite", output);
        Assert.Equal(before, File.ReadAllBytes(small));

        (code, output) = LabCliTests.Run("widen", small, "--to", "huge", "-o", po);
        Assert.NotEqual(0, code);
        Assert.Contains("--to", output);
        (code, output) = LabCliTests.Run("widen", small, "--to", "conv=300,cells=5", "-o", po);
        Assert.NotEqual(0, code);
        Assert.Contains("--to", output);
    }

    [Fact]
    public void CliWidensToGivenSizesKeepingTheOthers()
    {
        string medium = RandomModels.Save(Random(NetworkShape.Medium, 5), _dir, "medium.pnnm");
        string po = Path.Combine(_dir, "mid.pnnm");
        var (code, output) = LabCliTests.Run("widen", medium, "--to", "conv=448,gru=416,gain=416", "-o", po);
        Assert.True(code == 0, output);
        var wide = ModelFile.Load(po);
        Assert.Equal(NetworkShape.Medium with { Conv1Channels = 448, Conv2Channels = 448, SharedGru = 416, GainGru = 416 }, wide.Shape);
        Assert.True(LargestOutputDifference(ModelFile.Load(medium), wide, frames: 60) < 1e-5);
        // Narrower than the input is refused, with the input named.
        (code, output) = LabCliTests.Run("widen", medium, "--to", "gru=256", "-o", po + "2");
        Assert.NotEqual(0, code);
        Assert.False(File.Exists(po + "2"));
    }
}
