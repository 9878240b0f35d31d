using PercepNet.Training.Model;
using static TorchSharp.torch;

namespace PercepNet.Training.Training;

/// <summary>
/// Names the first non-finite tensor when training goes wrong: a weight, a layer's output on the
/// batch, a loss term or a gradient. The trainer calls it only after a non-finite loss or gradient
/// norm, so it costs nothing on healthy steps.
/// </summary>
public static class NonFinite
{
    /// <summary>True when every element of <paramref name="t"/> is finite.</summary>
    public static bool AllFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.isfinite().all().item<bool>();
    }

    /// <summary>Where the first non-finite value of <paramref name="t"/> is, e.g. "3 of 800 values non-finite, first NaN at [0, 12, 5]".</summary>
    public static string Describe(Tensor t)
    {
        using var scope = NewDisposeScope();
        var bad = t.isfinite().logical_not();
        long count = bad.sum().item<long>();
        if (count == 0) return "all finite";
        var flat = t.detach().flatten();
        long first = bad.flatten().nonzero()[0, 0].item<long>();
        float value = flat[first].item<float>();
        var index = new long[t.shape.Length];
        long rest = first;
        for (int d = t.shape.Length - 1; d >= 0; d--)
        {
            index[d] = rest % t.shape[d];
            rest /= t.shape[d];
        }
        return $"{count} of {t.numel()} values non-finite, first {value} at [{string.Join(", ", index)}]";
    }

    /// <summary>The first parameter (in registration order) holding a non-finite value, or null.</summary>
    public static string? FirstBadWeight(PercepNetTorchModel model)
    {
        foreach (var (name, p) in model.named_parameters())
            if (!AllFinite(p)) return $"weight {name}: {Describe(p)}";
        return null;
    }

    /// <summary>
    /// The parameters whose gradients hold non-finite values, nearest the output first (the
    /// reverse of registration order, which is roughly the order backpropagation reaches them, so
    /// the first named is closest to where the non-finite value entered), or null when all are finite.
    /// </summary>
    public static string? FirstBadGradient(PercepNetTorchModel model)
    {
        var bad = model.named_parameters().Reverse()
            .Where(p => p.parameter.grad is { } g && !AllFinite(g))
            .Select(p => $"{p.name} ({Describe(p.parameter.grad!)})").ToList();
        return bad.Count == 0 ? null : $"non-finite gradients, nearest the output first: {string.Join("; ", bad)}";
    }

    /// <summary>
    /// Explains a non-finite loss from the step's own tensors: the first non-finite weight, else
    /// the first layer whose output (<paramref name="trace"/>, in computation order) is not finite,
    /// else the first non-finite loss term. Returns a phrase for the error message.
    /// </summary>
    public static string Explain(PercepNetTorchModel model, IReadOnlyList<(string Layer, Tensor Output)> trace,
        (Tensor Total, Tensor Gain, Tensor Strength, Tensor Vad) loss)
    {
        if (FirstBadWeight(model) is { } w) return "first non-finite tensor: " + w;
        foreach (var (layer, output) in trace)
            if (!AllFinite(output))
                return layer == "input features"
                    ? $"first non-finite tensor: the input features of the batch (check the shards): {Describe(output)}"
                    : $"first non-finite tensor: the output of layer {layer} (its inputs and weights are finite): {Describe(output)}";
        foreach (var (term, value) in new[] { ("gain", loss.Gain), ("strength", loss.Strength), ("vad", loss.Vad), ("total (gain KL term)", loss.Total) })
            if (!AllFinite(value)) return $"first non-finite tensor: the {term} loss term ({value.item<float>()}), every layer output finite";
        return "no non-finite tensor found";
    }

    /// <summary>
    /// Computes the batch's loss again with the same weights and says whether it is finite this
    /// time: a finite repeat means the arithmetic itself is not deterministic (the signature of a
    /// kernel reading memory it did not write), not bad data or diverged weights.
    /// </summary>
    public static string Repeat(PercepNetTorchModel model, LossConfig loss, float[] batch, int chunks, int frames)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var again = Trainer.BatchLoss(model, loss, batch, chunks, frames).Total.item<float>();
            return float.IsFinite(again)
                ? $"the same batch computed again gives a finite loss ({again}): non-deterministic arithmetic"
                : $"the same batch computed again gives {again} again";
        }
    }
}
