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
    private readonly double[] _cos; // radix-2: cos(2 pi k / n), k < n/2; direct: cos(2 pi (k j mod n) / n) table of n
    private readonly double[] _sin;
    private readonly int[] _bitrev = [];

    public RealDft(int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n));
        _n = n;
        _pow2 = (n & (n - 1)) == 0;
        int tableLen = _pow2 ? n / 2 : n;
        _cos = new double[tableLen];
        _sin = new double[tableLen];
        for (int i = 0; i < tableLen; i++)
        {
            _cos[i] = Math.Cos(2 * Math.PI * i / n);
            _sin[i] = Math.Sin(2 * Math.PI * i / n);
        }
        if (_pow2)
        {
            int bits = System.Numerics.BitOperations.Log2((uint)n);
            _bitrev = new int[n];
            for (int i = 0; i < n; i++)
            {
                int r = 0;
                for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
                _bitrev[i] = r;
            }
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
            double sr = 0, si = 0;
            int idx = 0; // (k j) mod n
            for (int j = 0; j < frame.Length; j++)
            {
                sr += frame[j] * _cos[idx];
                si -= frame[j] * _sin[idx];
                idx += k;
                if (idx >= n) idx -= n;
            }
            power[k] = sr * sr + si * si;
        }
    }
}
