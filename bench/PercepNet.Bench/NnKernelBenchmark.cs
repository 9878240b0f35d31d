using BenchmarkDotNet.Attributes;
using PercepNet.Nn;

namespace PercepNet.Bench;

/// <summary>
/// The inference kernels on one paper-sized GRU matrix (1536 x 512, the recurrent or input
/// matrix of a 512-unit GRU): float scalar specification (baseline), float AVX2/FMA, int8 scalar,
/// int8 AVX2, int8 SSSE3, int8 portable Vector128 (the algorithm of the ARM64 NEON kernel); and
/// 1536 activations, MathF.Tanh against the polynomial <see cref="Activations"/>.
/// The Large* pair runs on a 32 MB matrix (the paper preset's float weights do not fit in cache
/// either) and an 8 MB int8 one; LargeFloatDotPerRow is the engine's earlier float kernel (one
/// Vector256 accumulator per row) for comparison.
/// Run: dotnet run -c Release --project bench/PercepNet.Bench -- --filter '*NnKernelBenchmark*' --job short
/// </summary>
public class NnKernelBenchmark
{
    private const int Rows = 1536, Cols = 512;
    private readonly float[] _w = new float[Rows * Cols];
    private readonly float[] _x = new float[Cols];
    private readonly float[] _y = new float[Rows];
    private readonly sbyte[] _wq = new sbyte[Rows * Cols];
    private readonly byte[] _xq = new byte[Cols];
    private readonly int[] _acc = new int[Rows];
    private readonly float[] _act = new float[Rows];
    private const int LargeRows = 8192, LargeCols = 1024;
    private readonly float[] _wLarge = new float[LargeRows * LargeCols];
    private readonly float[] _xLarge = new float[LargeCols];
    private readonly float[] _yLarge = new float[LargeRows];
    private readonly sbyte[] _wqLarge = new sbyte[LargeRows * LargeCols];
    private readonly byte[] _xqLarge = new byte[LargeCols];
    private readonly int[] _accLarge = new int[LargeRows];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (int i = 0; i < _w.Length; i++) { _w[i] = (float)(rng.NextDouble() - 0.5); _wq[i] = (sbyte)rng.Next(-64, 64); }
        for (int i = 0; i < Cols; i++) { _x[i] = (float)(rng.NextDouble() - 0.5); _xq[i] = (byte)rng.Next(256); }
        for (int i = 0; i < _act.Length; i++) _act[i] = (float)(rng.NextDouble() * 8 - 4);
        for (int i = 0; i < _wLarge.Length; i++) _wLarge[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < _xLarge.Length; i++) _xLarge[i] = (float)(rng.NextDouble() - 0.5);
        rng.NextBytes((byte[])(object)_wqLarge);
        rng.NextBytes(_xqLarge);
    }

    [Benchmark(Baseline = true)]
    public void FloatMatVecScalar() => Kernels.MatVecAddScalar(_w, Cols, _x, _y);

    [Benchmark]
    public void FloatMatVecAvx2() => Kernels.MatVecAddAvx2(_w, Cols, _x, _y);

    [Benchmark]
    public void Int8MatVecScalar() => Int8Kernels.MatVecScalar(_wq, Cols, _xq, _acc);

    [Benchmark]
    public void Int8MatVecAvx2() => Int8Kernels.MatVecAvx2(_wq, Cols, _xq, _acc);

    [Benchmark]
    public void Int8MatVecSsse3() => Int8Kernels.MatVecSsse3(_wq, Cols, _xq, _acc);

    [Benchmark]
    public void Int8MatVecVector128() => Int8Kernels.MatVecVector128(_wq, Cols, _xq, _acc);

    [Benchmark]
    public float TanhMathF()
    {
        float s = 0;
        foreach (float v in _act) s += MathF.Tanh(v);
        return s;
    }

    [Benchmark]
    public float TanhFast()
    {
        float s = 0;
        foreach (float v in _act) s += Activations.Tanh(v);
        return s;
    }

    [Benchmark]
    public void TanhFastSpan()
    {
        _act.AsSpan().CopyTo(_y);
        Activations.Tanh(_y.AsSpan(0, _act.Length));
    }

    [Benchmark]
    public void LargeFloatMatVecAvx2() => Kernels.MatVecAddAvx2(_wLarge, LargeCols, _xLarge, _yLarge);

    [Benchmark]
    public void LargeFloatDotPerRow()
    {
        var x = _xLarge.AsSpan();
        for (int o = 0; o < LargeRows; o++)
        {
            var row = _wLarge.AsSpan(o * LargeCols, LargeCols);
            var acc = System.Runtime.Intrinsics.Vector256<float>.Zero;
            for (int i = 0; i < LargeCols; i += 8)
                acc += System.Runtime.Intrinsics.Vector256.Create(row.Slice(i, 8)) * System.Runtime.Intrinsics.Vector256.Create(x.Slice(i, 8));
            _yLarge[o] += System.Runtime.Intrinsics.Vector256.Sum(acc);
        }
    }

    [Benchmark]
    public void LargeInt8MatVecAvx2() => Int8Kernels.MatVecAvx2(_wqLarge, LargeCols, _xqLarge, _accLarge);
}
