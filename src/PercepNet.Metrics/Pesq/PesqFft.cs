using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;

namespace PercepNet.Metrics.Pesq;

/// <summary>
/// Double-precision radix-2 complex FFT used by the PESQ implementation (sizes are powers of two
/// from 256 up to the next power of two above a whole file). Forward uses e^{-j2πnk/N} without
/// scaling; inverse uses e^{+j2πnk/N} and divides by N, so Inverse(Forward(x)) == x.
/// A plan is immutable once built, so one instance per size is shared between threads.
/// </summary>
internal sealed class PesqFft
{
    private static readonly ConcurrentDictionary<int, PesqFft> Plans = new();

    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly int[] _bitReverse;

    private PesqFft(int n)
    {
        Size = n;
        _cos = new double[n / 2];
        _sin = new double[n / 2];
        for (int k = 0; k < n / 2; k++)
        {
            double theta = 2.0 * Math.PI * k / n;
            _cos[k] = Math.Cos(theta);
            _sin[k] = Math.Sin(theta);
        }
        int bits = BitOperations.Log2((uint)n);
        _bitReverse = new int[n];
        for (int i = 0; i < n; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitReverse[i] = r;
        }
    }

    public int Size { get; }

    /// <summary>The shared plan for size <paramref name="n"/> (a power of two, at least 2).</summary>
    public static PesqFft Get(int n)
    {
        Debug.Assert(n >= 2 && BitOperations.IsPow2(n));
        return Plans.GetOrAdd(n, static size => new PesqFft(size));
    }

    /// <summary>Smallest power of two that is at least <paramref name="x"/> (1 for x &lt;= 1).</summary>
    public static int NextPow2(long x)
    {
        long c = 1;
        while (c < x) c <<= 1;
        return checked((int)c);
    }

    /// <summary>In-place forward transform of (re, im), both of length <see cref="Size"/>.</summary>
    public void Forward(Span<double> re, Span<double> im) => Transform(re, im, -1.0);

    /// <summary>In-place inverse transform including the 1/N scaling.</summary>
    public void Inverse(Span<double> re, Span<double> im)
    {
        Transform(re, im, 1.0);
        double s = 1.0 / Size;
        for (int i = 0; i < Size; i++)
        {
            re[i] *= s;
            im[i] *= s;
        }
    }

    private void Transform(Span<double> re, Span<double> im, double sign)
    {
        int n = Size;
        Debug.Assert(re.Length >= n && im.Length >= n);
        for (int i = 0; i < n; i++)
        {
            int j = _bitReverse[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        for (int half = 1; half < n; half <<= 1)
        {
            int step = n / (2 * half);
            for (int start = 0; start < n; start += 2 * half)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = _cos[k * step];
                    double wi = sign * _sin[k * step];
                    int a = start + k, b = a + half;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
