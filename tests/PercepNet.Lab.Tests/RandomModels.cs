using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Lab.Tests;

/// <summary>Model files with seeded random weights, for the tests of the verbs that transform models (blend, widen).</summary>
internal static class RandomModels
{
    /// <summary>A small shape that every engine accepts.</summary>
    public static readonly NetworkShape Tiny = new()
    {
        InputDense = 16, Conv1Channels = 24, Conv2Channels = 20, SharedGru = 18, GainGru = 14, StrengthGru = 10,
    };

    /// <summary>Weights uniform in ±<paramref name="scale"/>; feature mean 0.1 i + <paramref name="meanShift"/>, std 0.5 + 0.01 i.</summary>
    public static ModelFile Create(NetworkShape shape, int seed, float meanShift = 0, double? floor = -66, float scale = 0.3f)
    {
        var rng = new Random(seed);
        var tensors = shape.Tensors()
            .Select(t => Enumerable.Range(0, t.Shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray())
            .ToList();
        var mean = Enumerable.Range(0, shape.Features).Select(i => (float)(0.1 * i) + meanShift).ToArray();
        var std = Enumerable.Range(0, shape.Features).Select(i => 0.5f + 0.01f * i).ToArray();
        return new ModelFile(shape, mean, std, tensors, floor);
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="dir"/>/<paramref name="name"/> and returns the path.</summary>
    public static string Save(ModelFile model, string dir, string name)
    {
        string path = Path.Combine(dir, name);
        using (var fs = File.Create(path)) model.WriteTo(fs);
        return path;
    }
}
