using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using PercepNet.Nn;

namespace PercepNet.Tests.Nn;

public class Int8KernelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Runs with DOTNET_EnableAVX2=0 too; then the scalar paths must be the ones taken.</summary>
    [Fact]
    public void Avx2SwitchTakesEffect()
    {
        output.WriteLine($"DOTNET_EnableAVX2={Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") ?? "(unset)"}, Avx2.IsSupported={Avx2.IsSupported}");
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.False(Avx2.IsSupported, "DOTNET_EnableAVX2=0 is set but Avx2.IsSupported is true");
    }

    private static int[] Exact(sbyte[] w, int stride, byte[] x, int rows, bool saturatePairs)
    {
        var acc = new int[rows];
        for (int o = 0; o < rows; o++)
        {
            long sum = 0;
            for (int i = 0; i < stride; i += 2)
            {
                long pair = x[i] * w[o * stride + i] + x[i + 1] * w[o * stride + i + 1];
                sum += saturatePairs ? Math.Clamp(pair, short.MinValue, short.MaxValue) : pair;
            }
            acc[o] = checked((int)sum);
        }
        return acc;
    }

    private static void AssertKernelsAgree(sbyte[] w, int stride, byte[] x, int rows, string what)
    {
        var scalar = new int[rows];
        Int8Kernels.MatVecScalar(w, stride, x, scalar);
        Assert.Equal(Exact(w, stride, x, rows, saturatePairs: true), scalar);
        var dispatched = new int[rows];
        Int8Kernels.MatVec(w, stride, x, dispatched);
        Assert.True(scalar.AsSpan().SequenceEqual(dispatched), $"{what}: dispatched kernel differs from the scalar one");
        if (Avx2.IsSupported)
        {
            var avx = new int[rows];
            Int8Kernels.MatVecAvx2(w, stride, x, avx);
            for (int o = 0; o < rows; o++) Assert.True(scalar[o] == avx[o], $"{what}: row {o}: scalar {scalar[o]} vs AVX2 {avx[o]}");
        }
        if (Ssse3.IsSupported)
        {
            var sse = new int[rows];
            Int8Kernels.MatVecSsse3(w, stride, x, sse);
            for (int o = 0; o < rows; o++) Assert.True(scalar[o] == sse[o], $"{what}: row {o}: scalar {scalar[o]} vs SSSE3 {sse[o]}");
        }
        // Portable: runs everywhere (in software where Vector128 is not accelerated).
        var v128 = new int[rows];
        Int8Kernels.MatVecVector128(w, stride, x, v128);
        for (int o = 0; o < rows; o++) Assert.True(scalar[o] == v128[o], $"{what}: row {o}: scalar {scalar[o]} vs Vector128 {v128[o]}");
        if (AdvSimd.Arm64.IsSupported)
        {
            var neon = new int[rows];
            Int8Kernels.MatVecAdvSimd(w, stride, x, neon);
            for (int o = 0; o < rows; o++) Assert.True(scalar[o] == neon[o], $"{what}: row {o}: scalar {scalar[o]} vs AdvSimd {neon[o]}");
        }
    }

    /// <summary>Random matrices of many shapes; with <paramref name="extremes"/>, x and w drawn from the ends of their ranges (so many pairs saturate).</summary>
    private static void AgreeOnManyShapes(bool extremes, Action<sbyte[], int, byte[], int, string> check)
    {
        var rng = new Random(extremes ? 41 : 40);
        byte[] xEnds = [0, 1, 127, 128, 254, 255];
        sbyte[] wEnds = [-128, -127, -1, 0, 1, 126, 127];
        foreach (int stride in new[] { 32, 64, 96, 160, 224, 512, 2560 })
            foreach (int rows in new[] { 1, 2, 3, 5, 16, 17, 67 })
            {
                var w = new sbyte[rows * stride];
                var x = new byte[stride];
                for (int i = 0; i < w.Length; i++) w[i] = extremes ? wEnds[rng.Next(wEnds.Length)] : (sbyte)rng.Next(-128, 128);
                for (int i = 0; i < x.Length; i++) x[i] = extremes ? xEnds[rng.Next(xEnds.Length)] : (byte)rng.Next(256);
                check(w, stride, x, rows, $"{(extremes ? "extreme" : "random")} rows={rows} stride={stride}");
            }
    }

    /// <summary>Pairs at the saturation limits: x = 255 with w pairs (127, 127), (-128, -128), (127, -128) and mixed, in every position of a register.</summary>
    private static void AgreeOnSaturatingPairs(Action<sbyte[], int, byte[], int, string> check)
    {
        const int stride = 96;
        var x = new byte[stride];
        Array.Fill(x, (byte)255);
        (sbyte A, sbyte B)[] pairs = [(127, 127), (-128, -128), (127, -128), (-128, 127), (127, 1), (-128, -1), (64, 64), (-65, -64)];
        int rows = pairs.Length * pairs.Length;
        var w = new sbyte[rows * stride];
        // Row (a, b): pairs alternate between kinds a and b, so each kind lands on every lane.
        for (int a = 0; a < pairs.Length; a++)
            for (int b = 0; b < pairs.Length; b++)
                for (int k = 0; k < stride / 2; k++)
                {
                    var (p, q) = (k % 2 == 0 || k % 5 == 0) ? pairs[a] : pairs[b];
                    int at = (a * pairs.Length + b) * stride + 2 * k;
                    w[at] = p;
                    w[at + 1] = q;
                }
        check(w, stride, x, rows, "saturating pairs");
        var acc = new int[1];
        Array.Fill(w, (sbyte)127, 0, stride);
        Int8Kernels.MatVecVector128(w.AsSpan(0, stride), stride, x, acc);
        Assert.Equal(stride / 2 * short.MaxValue, acc[0]); // 255 * 254 = 64770 saturates to 32767
        Array.Fill(w, (sbyte)-128, 0, stride);
        Int8Kernels.MatVecVector128(w.AsSpan(0, stride), stride, x, acc);
        Assert.Equal(stride / 2 * short.MinValue, acc[0]); // 255 * -256 = -65280 saturates to -32768
    }

    [Fact]
    public void Vector128AccumulatorsAreBitIdenticalToScalar()
    {
        output.WriteLine($"Vector128.IsHardwareAccelerated={Vector128.IsHardwareAccelerated}, Avx2={Avx2.IsSupported}, Ssse3={Ssse3.IsSupported}, AdvSimd.Arm64={AdvSimd.Arm64.IsSupported}");
        void Check(sbyte[] w, int stride, byte[] x, int rows, string what)
        {
            var scalar = new int[rows];
            Int8Kernels.MatVecScalar(w, stride, x, scalar);
            Assert.Equal(Exact(w, stride, x, rows, saturatePairs: true), scalar);
            var v128 = new int[rows];
            Int8Kernels.MatVecVector128(w, stride, x, v128);
            for (int o = 0; o < rows; o++) Assert.True(scalar[o] == v128[o], $"{what}: row {o}: scalar {scalar[o]} vs Vector128 {v128[o]}");
        }
        AgreeOnManyShapes(false, Check);
        AgreeOnManyShapes(true, Check);
        AgreeOnSaturatingPairs(Check);
        Assert.Throws<ArgumentException>(() => Int8Kernels.MatVecVector128(new sbyte[48], 48, new byte[48], new int[1]));
    }

    /// <summary>The NEON kernel: runs only on ARM64 (on x86 it is compiled but cannot execute).</summary>
    [SkippableFact]
    public void AdvSimdAccumulatorsAreBitIdenticalToScalar()
    {
        Skip.IfNot(AdvSimd.Arm64.IsSupported, $"AdvSimd.Arm64 is not supported on this machine ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}): MatVecAdvSimd cannot run here; MatVecVector128, the same algorithm, is tested instead");
        void Check(sbyte[] w, int stride, byte[] x, int rows, string what)
        {
            var scalar = new int[rows];
            Int8Kernels.MatVecScalar(w, stride, x, scalar);
            var neon = new int[rows];
            Int8Kernels.MatVecAdvSimd(w, stride, x, neon);
            for (int o = 0; o < rows; o++) Assert.True(scalar[o] == neon[o], $"{what}: row {o}: scalar {scalar[o]} vs AdvSimd {neon[o]}");
        }
        AgreeOnManyShapes(false, Check);
        AgreeOnManyShapes(true, Check);
        AgreeOnSaturatingPairs(Check);
        var dispatched = new int[3];
        var expected = new int[3];
        var wd = Enumerable.Range(0, 3 * 64).Select(i => (sbyte)(i * 37 % 256 - 128)).ToArray();
        var xd = Enumerable.Range(0, 64).Select(i => (byte)(i * 91 % 256)).ToArray();
        Int8Kernels.MatVec(wd, 64, xd, dispatched);
        Int8Kernels.MatVecScalar(wd, 64, xd, expected);
        Assert.Equal(expected, dispatched);
    }

    [Theory]
    [InlineData(1, 32, 1)]
    [InlineData(7, 64, 2)]
    [InlineData(34, 2560, 3)]   // gain head of the paper preset
    [InlineData(1536, 512, 4)]  // GRU matrix of the paper preset
    public void Avx2AccumulatorsAreBitIdenticalToScalarOnRandomData(int rows, int stride, int seed)
    {
        var rng = new Random(seed);
        var w = new sbyte[rows * stride];
        var x = new byte[stride];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)rng.Next(-128, 128); // full range: some pairs saturate
        for (int i = 0; i < x.Length; i++) x[i] = (byte)rng.Next(256);
        AssertKernelsAgree(w, stride, x, rows, $"random rows={rows} stride={stride} seed={seed}");
    }

    [Fact]
    public void Avx2AccumulatorsAreBitIdenticalToScalarOnSaturatingInputs()
    {
        const int rows = 9, stride = 96;
        var x = new byte[stride];
        Array.Fill(x, (byte)255);
        foreach (sbyte v in new sbyte[] { 127, -128, -127 })
        {
            var w = new sbyte[rows * stride];
            Array.Fill(w, v);
            AssertKernelsAgree(w, stride, x, rows, $"all weights {v}");
            var acc = new int[rows];
            Int8Kernels.MatVecScalar(w, stride, x, acc);
            // Each pair 2 * 255 * v is beyond s16 and saturates.
            Assert.Equal(stride / 2 * (v > 0 ? short.MaxValue : short.MinValue), acc[0]);
        }
        var mixed = new sbyte[rows * stride];
        for (int i = 0; i < mixed.Length; i++) mixed[i] = (i / 3 % 2 == 0) ? (sbyte)127 : (sbyte)-128;
        AssertKernelsAgree(mixed, stride, x, rows, "mixed extremes");
    }

    [Fact]
    public void QuantizeVectorAndScalarGiveTheSameCodes()
    {
        var rng = new Random(11);
        var x = new float[1000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 3 - 1.5);
        x[0] = 1f; x[1] = -1f; x[2] = 0f; x[3] = 0.5f / 127; x[4] = 1.5f / 127; x[5] = -2.5f / 127; x[6] = 100f; x[7] = -100f;
        var q = new byte[x.Length];
        Int8Kernels.Quantize(x, Int8Kernels.UnitInvStep, q);
        for (int i = 0; i < x.Length; i++)
        {
            byte expected = (byte)Math.Clamp(128 + Math.Round((double)(x[i] * 127f), MidpointRounding.ToEven), 0, 255);
            Assert.True(q[i] == expected && q[i] == Int8Kernels.QuantizeOne(x[i], 127f), $"i={i} x={x[i]:r}: {q[i]} vs {expected}");
        }
        Assert.Equal(255, q[0]);
        Assert.Equal(1, q[1]);
        Assert.Equal(128, q[2]);
        Assert.Equal(128, q[3]); // 0.5 rounds to even
        Assert.Equal(130, q[4]);
        Assert.Equal(126, q[5]);
    }

    [Fact]
    public void QuantizeVector128GivesTheScalarCodes()
    {
        var rng = new Random(12);
        var values = new List<float>
        {
            0f, -0f, 1f, -1f, 2f, -2f, 100f, -100f, 1e30f, -1e30f, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN, float.Epsilon, -float.Epsilon,
            1e-30f, -1e-30f, 127f / 127, 127.49f / 127, 127.51f / 127, -128f / 127, -128.5f / 127, -127.5f / 127,
        };
        // Exact ties after scaling by 1 (invStep = 1 below): k + 0.5 for codes around the whole range and beyond.
        for (int k = -140; k <= 140; k++) values.Add(k + 0.5f);
        // Ties after scaling by 127: (k + 0.5) / 127 is rarely exact, so also the nearest floats on either side.
        for (int k = -130; k <= 130; k++)
        {
            float t = (k + 0.5f) / 127;
            values.Add(t);
            values.Add(MathF.BitIncrement(t));
            values.Add(MathF.BitDecrement(t));
        }
        for (int k = 0; k < 3000; k++) values.Add((float)(rng.NextDouble() * 4 - 2));
        var x = values.ToArray();
        foreach (float invStep in new[] { 1f, Int8Kernels.UnitInvStep, Int8Kernels.UnitInvStep / 7 })
        {
            // Every length 0..40 (vector body plus tail), then the whole array.
            for (int n = 0; n <= 41; n++)
            {
                var xs = n <= 40 ? x.AsSpan(x.Length - n - 5, n) : x;
                var q = new byte[xs.Length];
                var qd = new byte[xs.Length];
                Int8Kernels.QuantizeVector128(xs, invStep, q);
                Int8Kernels.Quantize(xs, invStep, qd);
                for (int i = 0; i < xs.Length; i++)
                {
                    byte expected = Int8Kernels.QuantizeOne(xs[i], invStep);
                    Assert.True(q[i] == expected, $"invStep={invStep} n={xs.Length} i={i} x={xs[i]:r}: Vector128 {q[i]} vs scalar {expected}");
                    Assert.True(qd[i] == expected, $"invStep={invStep} n={xs.Length} i={i} x={xs[i]:r}: dispatched {qd[i]} vs scalar {expected}");
                }
            }
        }
        // The specification at the edges, through the vector body (8 values).
        float[] edges = [0.5f, 1.5f, -0.5f, -1.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 300f];
        var codes = new byte[edges.Length];
        Int8Kernels.QuantizeVector128(edges, 1f, codes);
        Assert.Equal(new byte[] { 128, 130, 128, 126, 0, 255, 0, 255 }, codes); // half to even; NaN -> 0
    }

    /// <summary>Rows built to push the pair sums to the limit.</summary>
    private static IEnumerable<(string Name, float[] Row)> AdversarialRows(int cols)
    {
        var rng = new Random(21);
        yield return ("all equal", Enumerable.Repeat(0.7f, cols).ToArray());
        yield return ("alternating sign", Enumerable.Range(0, cols).Select(i => i % 2 == 0 ? 1f : -1f).ToArray());
        yield return ("one big pair", Enumerable.Range(0, cols).Select(i => i < 2 ? 3f : 0.01f).ToArray());
        yield return ("one big weight", Enumerable.Range(0, cols).Select(i => i == 5 ? -3f : 0.01f).ToArray());
        // Pairs whose scaled members sit on or just past .5 after scaling by the largest pair.
        yield return ("half-integers", Enumerable.Range(0, cols).Select(i => i < 2 ? 64f : (i % 2 == 0 ? 63.5f + 1e-5f : 64.5f - 1e-5f)).ToArray());
        yield return ("near ties", Enumerable.Range(0, cols).Select(i => i % 2 == 0 ? 64.50001f : 63.49999f + (float)rng.NextDouble() * 1e-3f).ToArray());
        yield return ("heavy tailed", Enumerable.Range(0, cols).Select(_ => (float)(Math.Tan((rng.NextDouble() - 0.5) * 3.1))).ToArray());
        yield return ("zeros", new float[cols]);
        for (int k = 0; k < 20; k++)
        {
            double big = rng.NextDouble() * 10;
            yield return ($"random {k}", Enumerable.Range(0, cols).Select(i => (float)((rng.NextDouble() * 2 - 1) * (i % 7 == 0 ? big : 1))).ToArray());
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(71)] // odd: the last weight pairs with a zero pad
    public void QuantiserChoosesScalesThatCannotSaturateThePairSums(int cols)
    {
        foreach (var (name, row) in AdversarialRows(cols))
        {
            var m = new QuantizedMatrix(row, 1, cols);
            var q = m.Weights;
            float s = m.Scale[0];
            for (int i = 0; i < m.Stride; i += 2)
            {
                int pair = Math.Abs(q[i]) + Math.Abs(q[i + 1]);
                Assert.True(pair <= QuantizedMatrix.MaxPairSum, $"{name}: pair {i} sums to {pair}");
                Assert.True(pair * 255 <= short.MaxValue, $"{name}: pair {i}");
            }
            for (int i = 0; i < cols; i++)
            {
                Assert.True(Math.Abs(q[i]) <= 127, $"{name}: weight {i} = {q[i]}");
                // Rounding error half a step; a pair fixed by the guard may be off by one step.
                Assert.True(Math.Abs(row[i] - s * q[i]) <= s * 1.0001 + 1e-12, $"{name}: weight {i}: {row[i]} vs {s * q[i]}");
            }
            Assert.Equal(q.ToArray().Sum(v => (int)v), m.RowSum[0]);

            // Worst inputs for this row: 255 where the weight is positive, 0 where negative (largest sum),
            // and the opposite (most negative): the int32 accumulator must be the exact dot product.
            foreach (bool positive in new[] { true, false })
            {
                var x = new byte[m.Stride];
                for (int i = 0; i < x.Length; i++) x[i] = (q[i] > 0) == positive ? (byte)255 : (byte)0;
                var w = q.ToArray();
                Assert.Equal(Exact(w, m.Stride, x, 1, saturatePairs: false), Exact(w, m.Stride, x, 1, saturatePairs: true));
                AssertKernelsAgree(w, m.Stride, x, 1, $"{name} worst case");
            }
        }
    }

    [Fact]
    public void QuantisedProductMatchesTheFloatProduct()
    {
        // A real-shaped layer: 3 * 224 rows by 224 columns (small preset recurrent matrix).
        const int rows = 672, cols = 224;
        var rng = new Random(31);
        float bound = 1f / MathF.Sqrt(cols);
        var w = Enumerable.Range(0, rows * cols).Select(_ => (float)(rng.NextDouble() * 2 - 1) * bound).ToArray();
        var bias = Enumerable.Range(0, rows).Select(_ => (float)(rng.NextDouble() * 2 - 1) * bound).ToArray();
        var x = Enumerable.Range(0, cols).Select(_ => (float)Math.Tanh(rng.NextDouble() * 4 - 2)).ToArray();
        var m = new QuantizedMatrix(w, rows, cols);
        var codes = new byte[m.Stride];
        Array.Fill(codes, (byte)128);
        Int8Kernels.Quantize(x, 127f, codes);
        var acc = new int[rows];
        var y = new float[rows];
        m.Apply(codes, 1f / 127, bias, acc, y);
        for (int o = 0; o < rows; o++)
        {
            double exact = bias[o];
            double errorBound = 0;
            for (int i = 0; i < cols; i++)
            {
                exact += (double)w[o * cols + i] * x[i];
                // |w x - s q c/127| <= |w| |x - c/127| + |x'| |w - s q|: half a step of each (one step for a guarded weight).
                errorBound += Math.Abs(w[o * cols + i]) * 0.5 / 127 + 1.0 * m.Scale[o];
            }
            Assert.True(Math.Abs(y[o] - exact) <= errorBound + 1e-5, $"row {o}: {y[o]} vs {exact} (bound {errorBound:e2})");
        }
    }
}
