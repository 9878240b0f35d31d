using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PercepNet.Nn;

/// <summary>Float kernels of the inference layers. Allocation-free.</summary>
internal static class Kernels
{
    /// <summary>Sum of a[i] * b[i] over the common length (a and b have equal length).</summary>
    // OPT: Vector<float> lanes with one accumulator; the tail is scalar.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < va.Length; v++) acc += va[v] * vb[v];
            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>y = W x + bias with W row-major [y.Length, x.Length].</summary>
    public static void MatVec(ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y)
    {
        int cols = x.Length;
        for (int o = 0; o < y.Length; o++) y[o] = bias[o] + Dot(w.Slice(o * cols, cols), x);
    }

    /// <summary>Logistic sigmoid 1 / (1 + e^-x), exact to float rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>Applies tanh in place.</summary>
    public static void Tanh(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Tanh(x[i]);
    }

    /// <summary>Applies the sigmoid in place.</summary>
    public static void Sigmoid(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Sigmoid(x[i]);
    }
}
