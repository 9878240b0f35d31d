using PercepNet.Nn;

namespace PercepNet.Training.Export;

/// <summary>
/// Weight interpolation between two fine-tunes of one model: (1 - w) A + w B, tensor by tensor.
/// Two runs that start from the same weights and differ in their loss usually stay in one basin,
/// so the points between them behave like models trained with losses in between (the idea of
/// WiSE-FT and model soups), at the cost of scoring them instead of training them. The feature
/// normalisation must be the same in both (it is fixed when a line of runs begins); the feature
/// floor is A's.
/// </summary>
public static class ModelBlend
{
    /// <summary>Returns (1 - <paramref name="weight"/>) <paramref name="a"/> + <paramref name="weight"/> <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The weight is outside [0, 1], or the models differ in shape or feature normalisation (the message says which).</exception>
    public static ModelFile Blend(ModelFile a, ModelFile b, double weight)
    {
        if (!(weight >= 0 && weight <= 1)) throw new ArgumentException($"blend weight {weight}: expected within [0, 1]");
        if (a.Shape != b.Shape) throw new ArgumentException($"the models differ in shape ({Describe(a.Shape)} against {Describe(b.Shape)})");
        if (!a.FeatureMean.SequenceEqual(b.FeatureMean) || !a.FeatureStd.SequenceEqual(b.FeatureStd))
            throw new ArgumentException("the models differ in feature normalisation: they do not come from one line of runs, and their weights cannot be mixed");
        var tensors = new float[a.TensorCount][];
        float wb = (float)weight, wa = 1 - wb;
        for (int i = 0; i < tensors.Length; i++)
        {
            ReadOnlySpan<float> x = a.Tensor(i), y = b.Tensor(i);
            var t = new float[x.Length];
            // The ends are exact copies, so blending with weight 0 or 1 reproduces a model bit for bit.
            for (int j = 0; j < t.Length; j++) t[j] = wb == 0 ? x[j] : wb == 1 ? y[j] : wa * x[j] + wb * y[j];
            tensors[i] = t;
        }
        return new ModelFile(a.Shape, a.FeatureMean.ToArray(), a.FeatureStd.ToArray(), tensors, a.FeatureFloorDbfs);
    }

    /// <summary>Blends two model files and writes the result atomically (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">As <see cref="Blend"/>, or the output is one of the inputs.</exception>
    public static ModelFile Write(string pathA, string pathB, double weight, string outputPath)
    {
        string full = Path.GetFullPath(outputPath);
        if (full == Path.GetFullPath(pathA) || full == Path.GetFullPath(pathB))
            throw new ArgumentException($"{outputPath}: the output must not overwrite an input");
        ModelFile a = ModelFile.Load(pathA), b = ModelFile.Load(pathB);
        ModelFile blended;
        try { blended = Blend(a, b, weight); }
        catch (ArgumentException e) { throw new ArgumentException($"{pathA} and {pathB}: {e.Message}"); }
        ModelExporter.Write(outputPath, blended);
        return blended;
    }

    private static string Describe(NetworkShape s) =>
        $"shared GRU {s.SharedGruLayers}x{s.SharedGru}, gain GRU {s.GainGru}, conv {s.Conv1Channels}/{s.Conv2Channels}";
}
