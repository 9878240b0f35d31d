using System.Buffers.Binary;
using System.Text;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;
using PercepNet.Training.Model;
using static TorchSharp.torch;

namespace PercepNet.Training.Export;

/// <summary>
/// Writes <see cref="ModelFile"/> files (the format is documented there) and checks them: the
/// written file is reloaded and the float engine's frame-by-frame output compared with
/// TorchSharp's on real features.
/// </summary>
public static class ModelExporter
{
    /// <summary>Largest difference accepted between the engine and TorchSharp (gains, strengths, VAD).</summary>
    public const float Tolerance = 1e-4f;

    /// <summary>Writes a model file atomically (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">Sizes do not match <paramref name="shape"/>, or a value is not finite.</exception>
    public static void Write(string path, NetworkShape shape, float[] featureMean, float[] featureStd, IReadOnlyList<float[]> tensors, double? featureFloorDbfs = null)
    {
        // The constructor validates exactly what the reader will.
        Write(path, new ModelFile(shape, featureMean, featureStd, tensors, featureFloorDbfs));
    }

    /// <summary>Writes an already built model file atomically (temporary file, then rename).</summary>
    public static void Write(string path, ModelFile file)
    {
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write)) file.WriteTo(fs);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, PercepNetTorchModel model) =>
        Write(path, model.Shape, model.FeatureMean, model.FeatureStd, model.WeightsInFileOrder(), model.FeatureFloorDbfs);

    /// <summary>
    /// Writes <paramref name="model"/>, reloads the file and runs <see cref="Compare"/> on
    /// <paramref name="features"/> (frames * <see cref="NetworkShape.Features"/> unnormalised inputs of one sequence, <see cref="PercepNet.Training.Training.FeatureInputs"/>).
    /// </summary>
    /// <returns>The largest absolute difference found.</returns>
    /// <exception cref="InvalidDataException">The difference exceeds <see cref="Tolerance"/>.</exception>
    public static float ExportAndVerify(string path, PercepNetTorchModel model, ReadOnlySpan<float> features)
    {
        Write(path, model);
        float err = Compare(ModelFile.Load(path), model, features);
        if (!(err <= Tolerance))
            throw new InvalidDataException($"{path}: the float engine differs from TorchSharp by {err:g3} (tolerance {Tolerance:g1})");
        return err;
    }

    /// <summary>
    /// Largest absolute difference between <see cref="PercepNetNetwork"/> fed frame by frame and
    /// the TorchSharp model on the whole sequence, over gains, strengths and VAD of every frame.
    /// </summary>
    public static float Compare(ModelFile file, PercepNetTorchModel model, ReadOnlySpan<float> features)
    {
        int n = file.Shape.Features, bands = FrameLayout.BandCount;
        if (features.Length == 0 || features.Length % n != 0)
            throw new ArgumentException($"{features.Length} floats is not a whole number of {n}-feature frames");
        int frames = features.Length / n;
        float[] g, r, v;
        bool wasTraining = model.training;
        model.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var x = tensor(features.ToArray(), [1, frames, n]);
            var (tg, tr, tv) = model.call(x);
            g = tg.data<float>().ToArray();
            r = tr.data<float>().ToArray();
            v = tv.data<float>().ToArray();
        }
        if (wasTraining) model.train();

        var net = new PercepNetNetwork(file);
        Span<float> gains = stackalloc float[bands], strengths = stackalloc float[bands];
        float err = 0;
        for (int t = 0; t < frames; t++)
        {
            net.Process(features.Slice(t * n, n), gains, strengths, out float vad);
            for (int b = 0; b < bands; b++)
            {
                err = MaxDiff(err, gains[b], g[t * bands + b]);
                err = MaxDiff(err, strengths[b], r[t * bands + b]);
            }
            err = MaxDiff(err, vad, v[t]);
        }
        return err;
    }

    private static float MaxDiff(float err, float a, float b)
    {
        float d = MathF.Abs(a - b);
        return float.IsNaN(d) ? float.NaN : MathF.Max(err, d);
    }
}
