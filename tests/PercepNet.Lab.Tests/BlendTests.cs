using PercepNet.Nn;
using PercepNet.Training.Export;

namespace PercepNet.Lab.Tests;

public sealed class BlendTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-blend-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly NetworkShape Tiny = RandomModels.Tiny;

    private static ModelFile Random(NetworkShape shape, int seed, float meanShift = 0, double? floor = -66) =>
        RandomModels.Create(shape, seed, meanShift, floor);

    private string Save(ModelFile m, string name) => RandomModels.Save(m, _dir, name);

    private static void AssertSameWeights(ModelFile expected, ModelFile actual)
    {
        Assert.Equal(expected.TensorCount, actual.TensorCount);
        for (int i = 0; i < expected.TensorCount; i++) Assert.True(expected.Tensor(i).SequenceEqual(actual.Tensor(i)), $"tensor {i} differs");
    }

    [Fact]
    public void EndsReproduceTheInputsAndTheMiddleIsTheWeightedMean()
    {
        ModelFile a = Random(Tiny, 1), b = Random(Tiny, 2, floor: -70);
        AssertSameWeights(a, ModelBlend.Blend(a, b, 0));
        AssertSameWeights(b, ModelBlend.Blend(a, b, 1));
        var m = ModelBlend.Blend(a, b, 0.25);
        Assert.Equal(-66, m.FeatureFloorDbfs); // A's floor
        Assert.True(a.FeatureMean.SequenceEqual(m.FeatureMean));
        double worst = 0;
        for (int i = 0; i < a.TensorCount; i++)
        {
            ReadOnlySpan<float> x = a.Tensor(i), y = b.Tensor(i), z = m.Tensor(i);
            for (int j = 0; j < z.Length; j++) worst = Math.Max(worst, Math.Abs(z[j] - (0.75 * x[j] + 0.25 * y[j])));
        }
        Assert.True(worst < 1e-6, $"largest deviation from 0.75 a + 0.25 b: {worst}");
        // Not a copy of either end.
        Assert.False(a.Tensor(0).SequenceEqual(m.Tensor(0)));
        Assert.False(b.Tensor(0).SequenceEqual(m.Tensor(0)));
    }

    [Fact]
    public void RefusesModelsOfAnotherShapeOrNormalisationAndWeightsOutsideZeroToOne()
    {
        var a = Random(Tiny, 1);
        Assert.Contains("shape", Assert.Throws<ArgumentException>(() => ModelBlend.Blend(a, Random(Tiny with { GainGru = 12 }, 2), 0.5)).Message);
        Assert.Contains("normalisation", Assert.Throws<ArgumentException>(() => ModelBlend.Blend(a, Random(Tiny, 2, meanShift: 0.5f), 0.5)).Message);
        Assert.Throws<ArgumentException>(() => ModelBlend.Blend(a, a, 1.5));
        Assert.Throws<ArgumentException>(() => ModelBlend.Blend(a, a, double.NaN));
    }

    [Fact]
    public void CliWritesTheBlendAndTheFileLoads()
    {
        ModelFile a = Random(Tiny, 1), b = Random(Tiny, 2);
        string pa = Save(a, "a.pnnm"), pb = Save(b, "b.pnnm"), po = Path.Combine(_dir, "half.pnnm");
        var (code, output) = LabCliTests.Run("blend", pa, pb, "--weight", "0.5", "-o", po);
        Assert.True(code == 0, output);
        Assert.Contains("half.pnnm", output);
        AssertSameWeights(ModelBlend.Blend(a, b, 0.5), ModelFile.Load(po));
        Assert.False(File.Exists(po + ".tmp"));
        Assert.NotNull(PercepNetModel.Load(po)); // a model the denoiser accepts
    }

    [Fact]
    public void CliRefusesToOverwriteAnInputAndNamesMismatchedFiles()
    {
        string pa = Save(Random(Tiny, 1), "a.pnnm"), pb = Save(Random(Tiny with { GainGru = 12 }, 2), "b.pnnm");
        byte[] before = File.ReadAllBytes(pa);
        var (code, output) = LabCliTests.Run("blend", pa, pa, "--weight", "0.5", "-o", pa);
        Assert.NotEqual(0, code);
        Assert.Contains("must not overwrite", output);
        Assert.Equal(before, File.ReadAllBytes(pa));

        string po = Path.Combine(_dir, "out.pnnm");
        (code, output) = LabCliTests.Run("blend", pa, pb, "--weight", "0.5", "-o", po);
        Assert.NotEqual(0, code);
        Assert.Contains("b.pnnm", output);
        Assert.Contains("shape", output);
        Assert.False(File.Exists(po));

        (code, output) = LabCliTests.Run("blend", pa, pa, "-o", po);
        Assert.NotEqual(0, code);
        Assert.Contains("--weight", output);
    }
}
