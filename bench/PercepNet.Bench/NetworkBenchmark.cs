using BenchmarkDotNet.Attributes;
using PercepNet.Features;
using PercepNet.Nn;

namespace PercepNet.Bench;

/// <summary>
/// Per-frame cost of the network alone (features in, gains/strengths/VAD out), float against int8,
/// for the small and paper presets. Weights are random, uniform ±1/sqrt(columns) (close to
/// TorchSharp's initialisation): the cost does not depend on their values. Baseline: float, small.
/// Run: dotnet run -c Release --project bench/PercepNet.Bench -- --filter '*NetworkBenchmark*' --job short
/// </summary>
[MemoryDiagnoser]
public class NetworkBenchmark
{
    private const int Frames = 64;
    private readonly float[] _features = new float[Frames * FeatureExtractor.Count];
    private readonly float[] _g = new float[34];
    private readonly float[] _r = new float[34];
    private IPercepNetNetwork _floatSmall = null!, _int8Small = null!, _floatPaper = null!, _int8Paper = null!;
    private int _t;

    [GlobalSetup]
    public void Setup()
    {
        var small = ModelFile.TorchInit(NetworkShape.Small, 1);
        var paper = ModelFile.TorchInit(NetworkShape.Paper, 2);
        _floatSmall = new PercepNetNetwork(small);
        _int8Small = new PercepNetNetworkInt8(small);
        _floatPaper = new PercepNetNetwork(paper);
        _int8Paper = new PercepNetNetworkInt8(paper);
        var rng = new Random(3);
        for (int i = 0; i < _features.Length; i++)
        {
            // Normalised features N(0, 1): the model's mean is 0 and standard deviation 1.
            _features[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        }
    }

    private void Run(IPercepNetNetwork net)
    {
        _t = (_t + 1) % Frames;
        net.Process(_features.AsSpan(_t * FeatureExtractor.Count, FeatureExtractor.Count), _g, _r, out _);
    }

    [Benchmark(Baseline = true)]
    public void FloatSmall() => Run(_floatSmall);

    [Benchmark]
    public void Int8Small() => Run(_int8Small);

    [Benchmark]
    public void FloatPaper() => Run(_floatPaper);

    [Benchmark]
    public void Int8Paper() => Run(_int8Paper);
}
