using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PercepNet.Nn;

/// <summary>
/// Float kernels of the inference layers. Allocation-free. <see cref="MatVecAddScalar"/> is the
/// specification; <see cref="MatVecAddAvx2"/> sums in a different order (4 x 8 lanes, FMA) and agrees
/// with it within <see cref="MatVecTolerance"/>.
/// </summary>
internal static class Kernels
{
    /// <summary>
    /// Two summation orders of the same n products each err by at most gamma_n = n u / (1 - n u)
    /// times sum |w_i x_i| (u = 2^-24, Higham, Accuracy and Stability, 3.1), so they differ by at most
    /// <c>MatVecTolerance(n, sumAbs)</c> = 2.01 n 2^-24 sumAbs (for n &lt; 2^16), plus one rounding of y.
    /// </summary>
    public static double MatVecTolerance(int n, double sumAbs) => 2.01 * n * Math.Pow(2, -24) * sumAbs;

    /// <summary>y = W x + bias with W row-major [y.Length, x.Length].</summary>
    public static void MatVec(ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y)
    {
        bias[..y.Length].CopyTo(y);
        MatVecAdd(w, x.Length, x, y);
    }

    /// <summary>
    /// y[o] += sum over i &lt; x.Length of w[o * stride + i] x[i], for o &lt; y.Length: a row-major
    /// matrix, or a block of columns of one when w starts at that block and stride is the full row.
    /// </summary>
    public static void MatVecAdd(ReadOnlySpan<float> w, int stride, ReadOnlySpan<float> x, Span<float> y)
    {
        if (Avx2.IsSupported && Fma.IsSupported) MatVecAddAvx2(w, stride, x, y);
        else MatVecAddScalar(w, stride, x, y);
    }

    /// <summary>The specification of <see cref="MatVecAdd"/>: one sequential float sum per row.</summary>
    public static void MatVecAddScalar(ReadOnlySpan<float> w, int stride, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        for (int o = 0; o < y.Length; o++)
        {
            var row = w.Slice(o * stride, n);
            float sum = 0f;
            for (int i = 0; i < n; i++) sum += row[i] * x[i];
            y[o] += sum;
        }
    }

    /// <summary><see cref="MatVecAdd"/> with 8-lane FMA, one row at a time with four accumulators.</summary>
    // OPT: one row at a time streams the weights in order, which the hardware prefetcher follows
    // best once the matrix no longer fits in cache (the paper preset: 32 MB); four rows per pass over
    // x measured 30% slower there (NnKernelBenchmark, Large*). Four independent FMA chains per row
    // hide the FMA latency.
    public static void MatVecAddAvx2(ReadOnlySpan<float> w, int stride, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        int rows = y.Length;
        if (rows == 0 || n == 0) return;
        // Checked in release builds too: the loads below are not bounds-checked.
        if (w.Length < (rows - 1) * stride + n) throw new ArgumentException("matrix too short");
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float xr = ref MemoryMarshal.GetReference(x);
        const int V = 8; // Vector256<float>.Count
        int block = n & ~(4 * V - 1);
        int vec = n & ~(V - 1);
        for (int o = 0; o < rows; o++)
        {
            ref float row = ref Unsafe.Add(ref wr, o * stride);
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            int i = 0;
            for (; i < block; i += 4 * V)
            {
                a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)i), Vector256.LoadUnsafe(ref xr, (nuint)i), a0);
                a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)(i + V)), Vector256.LoadUnsafe(ref xr, (nuint)(i + V)), a1);
                a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)(i + 2 * V)), Vector256.LoadUnsafe(ref xr, (nuint)(i + 2 * V)), a2);
                a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)(i + 3 * V)), Vector256.LoadUnsafe(ref xr, (nuint)(i + 3 * V)), a3);
            }
            for (; i < vec; i += V)
                a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)i), Vector256.LoadUnsafe(ref xr, (nuint)i), a0);
            float sum = Vector256.Sum((a0 + a1) + (a2 + a3));
            for (; i < n; i++) sum += Unsafe.Add(ref row, i) * Unsafe.Add(ref xr, i);
            y[o] += sum;
        }
    }

    /// <summary>Logistic sigmoid (the fast approximation of <see cref="Activations"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => Activations.Sigmoid(x);

    /// <summary>Applies tanh in place (<see cref="Activations.Tanh(Span{float})"/>).</summary>
    public static void Tanh(Span<float> x) => Activations.Tanh(x);

    /// <summary>Applies the sigmoid in place (<see cref="Activations.Sigmoid(Span{float})"/>).</summary>
    public static void Sigmoid(Span<float> x) => Activations.Sigmoid(x);
}
