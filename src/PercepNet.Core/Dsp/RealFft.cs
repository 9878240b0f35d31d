using System.Diagnostics;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace PercepNet.Dsp;

/// <summary>
/// Real FFT of even size n through one complex FFT of n/2 points (n/2 must factor into 2, 3, 5;
/// PercepNet uses n = 960, so 480 = 2^5 * 3 * 5). The spectrum holds bins 0..n/2 interleaved
/// (re, im): 2 * (n/2 + 1) floats; bins 0 and n/2 have zero imaginary parts.
/// </summary>
/// <remarks>Holds scratch memory: one instance per thread. Allocates nothing per call.</remarks>
internal sealed class RealFft
{
    private readonly int _n;
    private readonly ComplexFft _half;
    private readonly float[] _buf;     // n floats = n/2 complex
    private readonly float[] _twiddle; // exp(-2 pi i k / n), k in [0, n/2], interleaved

    /// <summary>Plans a real transform of <paramref name="n"/> points.</summary>
    public RealFft(int n)
    {
        if (n < 2 || n % 2 != 0) throw new ArgumentException("Real FFT size must be even.", nameof(n));
        _n = n;
        _half = new ComplexFft(n / 2);
        _buf = new float[n];
        _twiddle = new float[n + 2];
        for (int k = 0; k <= n / 2; k++)
        {
            double a = -2.0 * Math.PI * k / n;
            _twiddle[2 * k] = (float)Math.Cos(a);
            _twiddle[2 * k + 1] = (float)Math.Sin(a);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            // Per-lane twiddles for the vectorised split: (wr, wr), (-wi, wi) and, conjugated for the
            // inverse, (wi, -wi) per bin k.
            _wr = new float[n + 2];
            _wiAlt = new float[n + 2];
            _wiAltConj = new float[n + 2];
            for (int k = 0; k <= n / 2; k++)
            {
                float wr = _twiddle[2 * k], wi = _twiddle[2 * k + 1];
                _wr[2 * k] = _wr[2 * k + 1] = wr;
                _wiAlt[2 * k] = -wi; _wiAlt[2 * k + 1] = wi;
                float ci = -wi;   // conj(W^k)
                _wiAltConj[2 * k] = -ci; _wiAltConj[2 * k + 1] = ci;
            }
        }
    }

    private readonly float[]? _wr, _wiAlt, _wiAltConj;

    // Vectorised split loops (OPT): four bins k, k+1, .. with their mirrors h-k, h-k-1, .. (loaded
    // ascending and reversed). The arithmetic is the scalar loop's, rewritten with exact identities
    // (a - b = a + (-b), (-a) b = -(a b), multiplying by +-1 only flips signs), so bit-identical.
    private static readonly Vector256<int> SwapPairs = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
    private static readonly Vector256<int> ReversePairs = Vector256.Create(6, 7, 4, 5, 2, 3, 0, 1);
    private static readonly Vector256<float> PlusMinus = Vector256.Create(1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f);
    private static readonly Vector256<float> Half = Vector256.Create(0.5f);
    private static readonly Vector256<float> HalfMinusHalf = Vector256.Create(0.5f, -0.5f, 0.5f, -0.5f, 0.5f, -0.5f, 0.5f, -0.5f);

    private static Vector256<float> Swap(Vector256<float> v) => Vector256.Shuffle(v, SwapPairs);

    private static Vector256<float> Reverse(Vector256<float> v) => Vector256.Shuffle(v, ReversePairs);

    /// <summary>Forward split for bins 1.. while the k block and its mirror block do not overlap; returns the next k.</summary>
    private int SplitForwardVector(Span<float> spectrum, int h)
    {
        int k = 1;
        if (_wr == null) return k;
        ReadOnlySpan<float> buf = _buf;
        for (; 2 * k + 6 < h; k += 4)
        {
            int j = h - k - 3;   // the mirror block j..j+3 = h-k-3..h-k
            var a = Vector256.Create<float>(buf.Slice(2 * k, 8));
            var b = Reverse(Vector256.Create<float>(buf.Slice(2 * j, 8)));
            Vector256<float> e = Half * (a + b * PlusMinus);                     // (0.5 (ar + br), 0.5 (ai - bi))
            Vector256<float> o = (Swap(a) + Swap(b) * PlusMinus) * HalfMinusHalf; // (0.5 (ai + bi), -0.5 (ar - br))
            Vector256<float> wr = Vector256.Create<float>(_wr.AsSpan(2 * k, 8));
            Vector256<float> wi = Vector256.Create<float>(_wiAlt.AsSpan(2 * k, 8));
            Vector256<float> t = o * wr + Swap(o) * wi;
            (e + t).CopyTo(spectrum.Slice(2 * k, 8));
            Reverse(e * PlusMinus + t * -PlusMinus).CopyTo(spectrum.Slice(2 * j, 8)); // (er - tr, -ei + ti)
        }
        return k;
    }

    /// <summary>Inverse split for bins 1.. while the k block and its mirror block do not overlap; returns the next k.</summary>
    private int SplitInverseVector(ReadOnlySpan<float> spectrum, int h)
    {
        int k = 1;
        if (_wr == null) return k;
        Span<float> buf = _buf;
        for (; 2 * k + 6 < h; k += 4)
        {
            int j = h - k - 3;
            var a = Vector256.Create<float>(spectrum.Slice(2 * k, 8));
            var b = Reverse(Vector256.Create<float>(spectrum.Slice(2 * j, 8)));
            Vector256<float> e = Half * (a + b * PlusMinus);                     // (0.5 (ar + br), 0.5 (ai - bi))
            Vector256<float> d = Half * (a - b * PlusMinus);                     // (0.5 (ar - br), 0.5 (ai + bi))
            Vector256<float> wr = Vector256.Create<float>(_wr.AsSpan(2 * k, 8));
            Vector256<float> wi = Vector256.Create<float>(_wiAltConj!.AsSpan(2 * k, 8));
            Vector256<float> o = d * wr + Swap(d) * wi;                          // (or, oi) = d conj(W^k)
            Vector256<float> so = Swap(o);                                        // (oi, or)
            (e + so * -PlusMinus).CopyTo(buf.Slice(2 * k, 8));                  // (er - oi, ei + or)
            Reverse(e * PlusMinus + so).CopyTo(buf.Slice(2 * j, 8));            // (er + oi, -ei + or)
        }
        return k;
    }

    /// <summary>Number of real input samples.</summary>
    public int Size => _n;

    /// <summary>Number of spectrum bins (n/2 + 1).</summary>
    public int BinCount => _n / 2 + 1;

    /// <summary>
    /// Unscaled forward transform: spectrum[k] = sum_j x[j] exp(-2 pi i j k / n), k = 0..n/2.
    /// <paramref name="input"/>: n samples; <paramref name="spectrum"/>: 2 (n/2 + 1) floats.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> spectrum)
    {
        Debug.Assert(input.Length >= _n && spectrum.Length >= _n + 2);
        int h = _n / 2;
        // z[j] = x[2j] + i x[2j+1]: the input is already in interleaved complex order.
        input[.._n].CopyTo(_buf);
        _half.Forward(_buf);
        // Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / 2i.
        float z0r = _buf[0], z0i = _buf[1];
        spectrum[0] = z0r + z0i; spectrum[1] = 0;
        spectrum[2 * h] = z0r - z0i; spectrum[2 * h + 1] = 0;
        for (int k = SplitForwardVector(spectrum, h); k <= h / 2; k++)
        {
            int j = h - k;
            float ar = _buf[2 * k], ai = _buf[2 * k + 1];
            float br = _buf[2 * j], bi = _buf[2 * j + 1];
            float er = 0.5f * (ar + br), ei = 0.5f * (ai - bi);
            float or = 0.5f * (ai + bi), oi = -0.5f * (ar - br);
            float wr = _twiddle[2 * k], wi = _twiddle[2 * k + 1];
            float tr = or * wr - oi * wi, ti = or * wi + oi * wr;
            spectrum[2 * k] = er + tr; spectrum[2 * k + 1] = ei + ti;
            // X[h-k] = conj(E[k] - W^k O[k]), because W^(h-k) = -conj(W^k).
            spectrum[2 * j] = er - tr; spectrum[2 * j + 1] = -ei + ti;
        }
    }

    /// <summary>
    /// Inverse transform scaled by 1/n, so Inverse(Forward(x)) = x. Only bins 0..n/2 are read;
    /// the imaginary parts of bins 0 and n/2 are ignored. <paramref name="output"/>: n samples.
    /// </summary>
    public void Inverse(ReadOnlySpan<float> spectrum, Span<float> output)
    {
        Debug.Assert(spectrum.Length >= _n + 2 && output.Length >= _n);
        int h = _n / 2;
        // Rebuild Z[k] = E[k] + i O[k] with E = (X[k] + conj X[h-k]) / 2, O = (X[k] - conj X[h-k]) conj(W^k) / 2.
        float x0 = spectrum[0], xh = spectrum[2 * h];
        _buf[0] = 0.5f * (x0 + xh); _buf[1] = 0.5f * (x0 - xh);
        for (int k = SplitInverseVector(spectrum, h); k <= h / 2; k++)
        {
            int j = h - k;
            float ar = spectrum[2 * k], ai = spectrum[2 * k + 1];
            float br = spectrum[2 * j], bi = spectrum[2 * j + 1];
            float er = 0.5f * (ar + br), ei = 0.5f * (ai - bi);
            float dr = 0.5f * (ar - br), di = 0.5f * (ai + bi);
            float wr = _twiddle[2 * k], wi = -_twiddle[2 * k + 1];   // conj(W^k)
            float or = dr * wr - di * wi, oi = dr * wi + di * wr;
            // Z[k] = E + i O; Z[h-k] = conj(E) + i conj(O) (E, O are spectra of real sequences).
            _buf[2 * k] = er - oi; _buf[2 * k + 1] = ei + or;
            _buf[2 * j] = er + oi; _buf[2 * j + 1] = -ei + or;
        }
        _half.Inverse(_buf);
        float scale = 2f / _n;   // Z was rebuilt exactly, and the half-size inverse is unscaled
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= _n - w; i += w) (new Vector<float>(_buf.AsSpan(i, w)) * scale).CopyTo(output.Slice(i, w));
        }
        for (; i < _n; i++) output[i] = _buf[i] * scale;
    }
}
