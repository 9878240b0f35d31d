using System.Buffers.Binary;
using PercepNet.Nn;
using PercepNet.Training.Data;
using PercepNet.Training.Export;
using PercepNet.Training.Model;
using PercepNet.Training.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PercepNet.Training.Tests;

[Collection(TorchCollection.Name)]
public sealed class ExportTests(ITestOutputHelper output) : TempDirTest
{
    private (PercepNetTorchModel Model, float[] Features) SmallModelAndShardFeatures(NetworkShape shape)
    {
        Synthetic.Torch();
        string shards = Path.Combine(Dir, "shards");
        Synthetic.WriteShards(shards, 1, 2, 120, seed: 7);
        var set = ShardSet.Open(shards, 0);
        var norm = set.ComputeNormalization();
        manual_seed(3);
        var model = new PercepNetTorchModel(shape, norm.Mean, norm.Std);
        var frames = FeatureShard.Read(set.Shards[0].Path).Frames;
        return (model, Synthetic.Features(frames[..(120 * FeatureShard.FrameFloats)]));
    }

    [Fact]
    public void FloatEngineMatchesTorchSharpOnShardFeatures()
    {
        var (model, features) = SmallModelAndShardFeatures(NetworkShape.Small);
        using (model)
        {
            string path = Path.Combine(Dir, "small.pnnm");
            float err = ModelExporter.ExportAndVerify(path, model, features);
            output.WriteLine($"small preset, 120 frames: max abs error {err:E2}");
            Assert.True(err <= 1e-4f, $"max abs error {err}");
            var file = ModelFile.Load(path);
            Assert.Equal(NetworkShape.Small, file.Shape);
            Assert.Equal(model.FeatureMean, file.FeatureMean.ToArray());
            Assert.Equal(model.FeatureStd, file.FeatureStd.ToArray());
            var weights = model.WeightsInFileOrder();
            for (int i = 0; i < weights.Count; i++) Assert.Equal(weights[i], file.Tensor(i).ToArray());
        }
    }

    [Fact]
    public void A104FeatureNetworkMatchesOnTheExpandedInputs()
    {
        Synthetic.Torch();
        string shards = Path.Combine(Dir, "shards");
        Synthetic.WriteShards(shards, 1, 2, 120, seed: 7);
        var set = ShardSet.Open(shards, 0);
        var norm = set.ComputeNormalization(104);
        manual_seed(3);
        using var model = new PercepNetTorchModel(Synthetic.Tiny with { Features = 104 }, norm.Mean, norm.Std);
        var inputs = Trainer.ExportSample(set, 104);
        Assert.Equal(120 * 104, inputs.Length);
        Assert.True(ModelExporter.ExportAndVerify(Path.Combine(Dir, "nf.pnnm"), model, inputs) <= 1e-4f);
        Assert.Throws<ArgumentException>(() => new PercepNetTorchModel(Synthetic.Tiny with { Features = 104 }, norm.Mean[..70], norm.Std[..70]));
    }

    [Fact]
    public void ZeroLookaheadVariantAlsoMatches()
    {
        var (model, features) = SmallModelAndShardFeatures(Synthetic.Tiny with { LookaheadFrames = 0, Conv1Kernel = 3, Conv2Kernel = 2 });
        using (model)
            Assert.True(ModelExporter.ExportAndVerify(Path.Combine(Dir, "tiny.pnnm"), model, features) <= 1e-4f);
    }

    [Fact]
    public void LoaderRejectsDamagedFilesNamingTheFile()
    {
        var (model, _) = SmallModelAndShardFeatures(Synthetic.Tiny);
        string good = Path.Combine(Dir, "good.pnnm");
        using (model) ModelExporter.Write(good, model);
        byte[] bytes = File.ReadAllBytes(good);

        void Rejects(string name, byte[] data, string expect)
        {
            string p = Path.Combine(Dir, name);
            File.WriteAllBytes(p, data);
            var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(p));
            Assert.Contains(name, e.Message);
            Assert.Contains(expect, e.Message);
        }
        byte[] Modified(int offset, int value)
        {
            var b = (byte[])bytes.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(offset), value);
            return b;
        }
        Rejects("magic.pnnm", Modified(0, 0x12345678), "magic");
        Rejects("version.pnnm", Modified(4, 99), "version 99");
        Rejects("rate.pnnm", Modified(8, 16000), "sample rate 16000");
        Rejects("frame.pnnm", Modified(12, 160), "frame size 160");
        Rejects("bands.pnnm", Modified(16, 22), "band count 22");
        Rejects("features.pnnm", Modified(20, 42), "feature count 42");
        Rejects("width.pnnm", Modified(24, -5), "InputDense = -5");
        Rejects("kernel.pnnm", Modified(28, 4), "conv1.weight has shape [24, 16, 5"); // conv1 kernel 4 in the header, 5 in the tensor
        Rejects("truncated.pnnm", bytes[..^4], "file ends inside");
        Rejects("trailing.pnnm", [.. bytes, 0, 0, 0, 0], "unexpected bytes");
        Rejects("empty.pnnm", [], "empty, or not a regular file");
        // A zero standard deviation.
        Rejects("std.pnnm", Modified(ModelFile.HeaderBytes + 4 * 70, 0), "standard deviation 0");
        // A NaN weight in the last tensor.
        Rejects("nan.pnnm", Modified(bytes.Length - 4, BitConverter.SingleToInt32Bits(float.NaN)), "vad_head.bias[0] is NaN");
    }
}
