using BenchmarkDotNet.Attributes;
using PercepNet.Dsp;

namespace PercepNet.Bench;

/// <summary>
/// Cost of the transforms PercepNet runs per 10 ms frame (two forward 960-point real FFTs, for X
/// and the comb-filtered P, and one inverse). Baseline: the forward 960-point real FFT; the
/// 1024-point transform shows what a power-of-two size would cost.
/// Run: dotnet run -c Release --project bench/PercepNet.Bench -- --filter '*Fft*'
/// </summary>
[MemoryDiagnoser]
public class FftBenchmark
{
    private readonly RealFft _fft960 = new(960);
    private readonly RealFft _fft1024 = new(1024);
    private readonly float[] _x960 = new float[960];
    private readonly float[] _x1024 = new float[1024];
    private readonly float[] _spec = new float[1026];
    private readonly float[] _out = new float[1024];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (int i = 0; i < _x1024.Length; i++) _x1024[i] = (float)(rng.NextDouble() * 2 - 1);
        _x1024.AsSpan(0, 960).CopyTo(_x960);
        _fft960.Forward(_x960, _spec);
    }

    [Benchmark(Baseline = true)]
    public void Forward960() => _fft960.Forward(_x960, _spec);

    [Benchmark]
    public void Inverse960() => _fft960.Inverse(_spec, _out);

    [Benchmark]
    public void Forward1024() => _fft1024.Forward(_x1024, _spec);

    /// <summary>All transforms of one frame: 2 forward + 1 inverse.</summary>
    [Benchmark]
    public void PerFrame960()
    {
        _fft960.Forward(_x960, _spec);
        _fft960.Forward(_x960, _spec);
        _fft960.Inverse(_spec, _out);
    }
}
