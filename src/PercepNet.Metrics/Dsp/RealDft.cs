namespace PercepNet.Metrics.Dsp;

/// <summary>
/// Power spectrum |X[k]|^2, k = 0..n/2, of a real frame zero-padded to n points. Power-of-two n uses
/// an iterative radix-2 FFT; any other n (the 321-point DNSMOS mel front end) a direct DFT with a
/// precomputed twiddle table (n^2/2 multiply-adds, ~50k for n = 321). Immutable and thread-safe;
/// callers pass their own scratch.
/// </summary>
internal sealed class RealDft
{
    private readonly int _n;
    private readonly bool _pow2;
    private readonly double[] _cos; // radix-2: cos(2 pi k / n), k < n/2; direct: row-major [k * n + j] = cos(2 pi k j / n)
    private readonly double[] _sin;
    private readonly int[] _bitrev = [];

    public RealDft(int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n));
        _n = n;
        _pow2 = (n & (n - 1)) == 0;
        if (!_pow2)
        {
            // OPT: dense twiddle matrix (n/2+1) x n so each bin is two contiguous SIMD dot products.
            int bins = n / 2 + 1;
            _cos = new double[bins * n];
            _sin = new double[bins * n];
            for (int k = 0; k < bins; k++)
                for (int j = 0; j < n; j++)
                {
                    int m = (int)((long)k * j % n); // exact angle reduction before the trig call
                    _cos[k * n + j] = Math.Cos(2 * Math.PI * m / n);
                    _sin[k * n + j] = Math.Sin(2 * Math.PI * m / n);
                }
            return;
        }
        _cos = new double[n / 2];
        _sin = new double[n / 2];
        for (int i = 0; i < n / 2; i++)
        {
            _cos[i] = Math.Cos(2 * Math.PI * i / n);
            _sin[i] = Math.Sin(2 * Math.PI * i / n);
        }
        int bits = System.Numerics.BitOperations.Log2((uint)n);
        _bitrev = new int[n];
        for (int i = 0; i < n; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitrev[i] = r;
        }
    }

    public int Size => _n;
    public int Bins => _n / 2 + 1;

    /// <summary>Scratch length <see cref="Power"/> needs.</summary>
    public int ScratchLength => 2 * _n;

    /// <summary>Writes |DFT_n(frame)|^2 for bins 0..n/2 into <paramref name="power"/>; frame.Length &lt;= n (zero-padded).</summary>
    public void Power(ReadOnlySpan<double> frame, Span<double> power, Span<double> scratch)
    {
        if (_pow2) PowerFft(frame, power, scratch);
        else PowerDirect(frame, power);
    }

    private void PowerFft(ReadOnlySpan<double> frame, Span<double> power, Span<double> scratch)
    {
        int n = _n;
        var re = scratch[..n];
        var im = scratch.Slice(n, n);
        re.Clear();
        im.Clear();
        for (int i = 0; i < frame.Length; i++) re[_bitrev[i]] = frame[i];
        for (int size = 2; size <= n; size <<= 1)
        {
            int halfSize = size >> 1, step = n / size;
            for (int start = 0; start < n; start += size)
            {
                for (int j = 0; j < halfSize; j++)
                {
                    double wr = _cos[j * step], wi = -_sin[j * step]; // e^{-i 2 pi j / size}
                    int a = start + j, b = a + halfSize;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                }
            }
        }
        for (int k = 0; k <= n / 2; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    }

    private void PowerDirect(ReadOnlySpan<double> frame, Span<double> power)
    {
        int n = _n;
        for (int k = 0; k <= n / 2; k++)
        {
            double re = Dot(frame, _cos.AsSpan(k * n, frame.Length));
            double im = Dot(frame, _sin.AsSpan(k * n, frame.Length));
            power[k] = re * re + im * im;
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var acc = System.Numerics.Vector<double>.Zero;
        int w = System.Numerics.Vector<double>.Count, i = 0;
        for (; i <= a.Length - w; i += w)
            acc += new System.Numerics.Vector<double>(a.Slice(i, w)) * new System.Numerics.Vector<double>(b.Slice(i, w));
        double s = System.Numerics.Vector.Sum(acc);
        for (; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
