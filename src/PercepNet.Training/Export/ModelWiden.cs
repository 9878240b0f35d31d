using PercepNet.Nn;
using PercepNet.Training.Training;

namespace PercepNet.Training.Export;

/// <summary>
/// Function-preserving widening of a model (the idea of Net2Net's "wider" step, in its zero-output
/// form): every layer may get more units, and the widened network computes exactly what the narrow
/// one did, so a larger network can start training from a trained smaller one instead of from
/// scratch. Each old unit keeps its weights; its weights from new input units are zero, so nothing
/// new reaches it. Each new unit gets random incoming weights (PyTorch's default initialisation for
/// its kind of layer) and zero weights into every unit of the layers downstream: at the start the
/// new units run but change no output, and because their activations are not zero the weights out
/// of them receive gradients and can grow from the first step. For a GRU "downstream" includes its
/// own old units: the recurrent weights from new to old units are zero too.
/// The input dense layer, the kernels, the number of shared GRUs and the look-ahead cannot change
/// (they change what the layers compute, not only how many units they have). The inputs may grow
/// from 70 to 104 features (<see cref="NetworkShape.Features"/>): the new inputs get zero weights
/// into every unit, so the function is kept; their normalisation must be given. Feature
/// normalisation of the old inputs and the floor are kept.
/// </summary>
public static class ModelWiden
{
    /// <summary>The model widened to <paramref name="target"/>; new units drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The target is narrower somewhere, or differs in a size that widening cannot change (the message says which).</exception>
    /// <param name="model">The model to widen.</param>
    /// <param name="target">The wider shape.</param>
    /// <param name="seed">Seed of the new units' incoming weights.</param>
    /// <param name="inputNormalization">When the inputs grow: mean and deviation of every input of the target (only the new inputs' are taken).</param>
    public static ModelFile Widen(ModelFile model, NetworkShape target, int seed = 1, FeatureNormalization? inputNormalization = null)
    {
        NetworkShape s = model.Shape;
        if (target.Problem() is { } problem) throw new ArgumentException($"target shape: {problem}");
        if (target.Features < s.Features) throw new ArgumentException($"Features {s.Features} -> {target.Features}: inputs cannot be removed");
        float[] mean = model.FeatureMean.ToArray(), std = model.FeatureStd.ToArray();
        if (target.Features > s.Features)
        {
            if (inputNormalization is not { } norm || norm.Mean.Length != target.Features || norm.Std.Length != target.Features)
                throw new ArgumentException($"Features {s.Features} -> {target.Features}: the normalisation of all {target.Features} inputs is needed (computed from shards)");
            mean = [.. mean, .. norm.Mean[s.Features..]];
            std = [.. std, .. norm.Std[s.Features..]];
        }
        if (target.InputDense != s.InputDense) throw new ArgumentException($"InputDense {s.InputDense} -> {target.InputDense}: the input layer cannot be widened (set it to {s.InputDense})");
        if (target.Conv1Kernel != s.Conv1Kernel || target.Conv2Kernel != s.Conv2Kernel) throw new ArgumentException("the convolution kernels must stay the same");
        if (target.SharedGruLayers != s.SharedGruLayers) throw new ArgumentException($"SharedGruLayers {s.SharedGruLayers} -> {target.SharedGruLayers}: the number of shared GRUs must stay the same");
        if (target.LookaheadFrames != s.LookaheadFrames) throw new ArgumentException($"LookaheadFrames {s.LookaheadFrames} -> {target.LookaheadFrames}: the look-ahead must stay the same");
        foreach (var (name, from, to) in new[]
        {
            (nameof(s.Conv1Channels), s.Conv1Channels, target.Conv1Channels), (nameof(s.Conv2Channels), s.Conv2Channels, target.Conv2Channels),
            (nameof(s.SharedGru), s.SharedGru, target.SharedGru), (nameof(s.GainGru), s.GainGru, target.GainGru),
            (nameof(s.StrengthGru), s.StrengthGru, target.StrengthGru),
        })
        {
            if (to < from) throw new ArgumentException($"{name} {from} -> {to}: a model can only be widened");
        }

        var rng = new Random(seed);
        var oldLayers = s.Layers();
        var newLayers = target.Layers();
        var tensors = new List<float[]>();
        int t = 0;
        for (int li = 0; li < oldLayers.Count; li++)
        {
            LayerSpec o = oldLayers[li], n = newLayers[li];
            int[] inputMap = InputMap(o.Name, s, target);
            if (inputMap.Length != o.Inputs || (inputMap.Length > 0 && inputMap[^1] >= n.Inputs))
                throw new InvalidOperationException($"layer {o.Name}: the input map does not fit its {o.Inputs} -> {n.Inputs} inputs");
            int oldTensors = o.Tensors().Count();
            var w = new List<float[]>();
            for (int k = 0; k < oldTensors; k++) w.Add(model.Tensor(t + k).ToArray());
            t += oldTensors;
            switch (o.Kind)
            {
                case LayerKind.Dense:
                case LayerKind.Conv1d:
                {
                    int kernel = o.Kind == LayerKind.Conv1d ? o.Kernel : 1;
                    float bound = 1f / MathF.Sqrt(n.Inputs * kernel);
                    var weight = new float[n.Outputs * n.Inputs * kernel];
                    var bias = new float[n.Outputs];
                    for (int r = 0; r < n.Outputs; r++)
                    {
                        bool old = r < o.Outputs;
                        if (old)
                        {
                            bias[r] = w[1][r];
                            for (int c = 0; c < o.Inputs; c++)
                                for (int k = 0; k < kernel; k++)
                                    weight[(r * n.Inputs + inputMap[c]) * kernel + k] = w[0][(r * o.Inputs + c) * kernel + k];
                        }
                        else
                        {
                            bias[r] = Uniform(rng, bound);
                            for (int j = 0; j < n.Inputs * kernel; j++) weight[r * n.Inputs * kernel + j] = Uniform(rng, bound);
                        }
                    }
                    tensors.Add(weight);
                    tensors.Add(bias);
                    break;
                }
                default:
                {
                    int hOld = o.Outputs, hNew = n.Outputs;
                    float bound = 1f / MathF.Sqrt(hNew);
                    var ih = new float[3 * hNew * n.Inputs];
                    var hh = new float[3 * hNew * hNew];
                    var bih = new float[3 * hNew];
                    var bhh = new float[3 * hNew];
                    for (int g = 0; g < 3; g++)
                    {
                        for (int r = 0; r < hNew; r++)
                        {
                            int rowNew = g * hNew + r;
                            if (r < hOld)
                            {
                                int rowOld = g * hOld + r;
                                for (int c = 0; c < o.Inputs; c++) ih[rowNew * n.Inputs + inputMap[c]] = w[0][rowOld * o.Inputs + c];
                                for (int c = 0; c < hOld; c++) hh[rowNew * hNew + c] = w[1][rowOld * hOld + c];
                                bih[rowNew] = w[2][rowOld];
                                bhh[rowNew] = w[3][rowOld];
                            }
                            else
                            {
                                for (int c = 0; c < n.Inputs; c++) ih[rowNew * n.Inputs + c] = Uniform(rng, bound);
                                for (int c = 0; c < hNew; c++) hh[rowNew * hNew + c] = Uniform(rng, bound);
                                bih[rowNew] = Uniform(rng, bound);
                                bhh[rowNew] = Uniform(rng, bound);
                            }
                        }
                    }
                    tensors.Add(ih);
                    tensors.Add(hh);
                    tensors.Add(bih);
                    tensors.Add(bhh);
                    break;
                }
            }
        }
        return new ModelFile(target, mean, std, tensors, model.FeatureFloorDbfs);
    }

    /// <summary>Widens a model file and writes the result atomically (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">As <see cref="Widen"/> (the message names the file), or the output is the input.</exception>
    public static ModelFile Write(string inputPath, NetworkShape target, string outputPath, int seed = 1, FeatureNormalization? inputNormalization = null)
    {
        if (Path.GetFullPath(outputPath) == Path.GetFullPath(inputPath))
            throw new ArgumentException($"{outputPath}: the output must not overwrite the input");
        ModelFile model = ModelFile.Load(inputPath);
        ModelFile wide;
        try { wide = Widen(model, target, seed, inputNormalization); }
        catch (ArgumentException e) { throw new ArgumentException($"{inputPath}: {e.Message}"); }
        ModelExporter.Write(outputPath, wide);
        return wide;
    }

    private static float Uniform(Random rng, float bound) => (float)(rng.NextDouble() * 2 - 1) * bound;

    /// <summary>
    /// Where each input of layer <paramref name="name"/> of the narrow shape sits among the inputs of
    /// the same layer of the wide shape: each part of its input (<see cref="NetworkShape.InputParts"/>)
    /// keeps its place in the order and grows at its end.
    /// </summary>
    private static int[] InputMap(string name, NetworkShape s, NetworkShape t)
    {
        var map = new List<int>();
        int offset = 0;
        foreach (var ((_, oldWidth), (_, newWidth)) in s.InputParts(name).Zip(t.InputParts(name)))
        {
            for (int i = 0; i < oldWidth; i++) map.Add(offset + i);
            offset += newWidth;
        }
        return map.ToArray();
    }
}
