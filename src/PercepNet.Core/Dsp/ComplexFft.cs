using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace PercepNet.Dsp;

/// <summary>
/// Mixed-radix complex FFT (radices 4, 2, 3, 5) for any size whose prime factors are 2, 3 and 5,
/// using the Stockham autosort formulation: every stage reads one buffer and writes the other, so no
/// bit-reversal pass is needed. Twiddles are computed once in double precision and stored as floats.
/// Data is interleaved complex: element j is (re, im) at [2j, 2j+1].
/// </summary>
/// <remarks>
/// Instances hold scratch memory, so one instance must not be used by two threads at once; the
/// transform itself allocates nothing.
/// </remarks>
internal sealed class ComplexFft
{
    private readonly int _n;
    private readonly int[] _radix;      // factor of each stage, in order of application
    private readonly int[] _twOffset;   // start of each stage's twiddles in _tw
    private readonly float[] _tw;       // per stage: for q in [0, m), t in [1, p): exp(-2 pi i q t / len)
    private readonly float[] _scratch;

    /// <summary>Plans a transform of <paramref name="n"/> complex points.</summary>
    /// <exception cref="ArgumentException">n is not of the form 2^a 3^b 5^c.</exception>
    public ComplexFft(int n)
    {
        if (n < 1) throw new ArgumentException("FFT size must be positive.", nameof(n));
        _n = n;
        var radices = new List<int>();
        int rest = n;
        // Radix 4 first (fewest multiplies), then 2, 3, 5.
        while (rest % 4 == 0) { radices.Add(4); rest /= 4; }
        while (rest % 2 == 0) { radices.Add(2); rest /= 2; }
        while (rest % 3 == 0) { radices.Add(3); rest /= 3; }
        while (rest % 5 == 0) { radices.Add(5); rest /= 5; }
        if (rest != 1) throw new ArgumentException($"FFT size {n} has a prime factor other than 2, 3, 5.", nameof(n));
        _radix = radices.ToArray();
        _twOffset = new int[_radix.Length];
        var tw = new List<float>();
        int len = n;
        for (int s = 0; s < _radix.Length; s++)
        {
            int p = _radix[s], m = len / p;
            _twOffset[s] = tw.Count;
            for (int q = 0; q < m; q++)
                for (int t = 1; t < p; t++)
                {
                    double a = -2.0 * Math.PI * q * t / len;
                    tw.Add((float)Math.Cos(a));
                    tw.Add((float)Math.Sin(a));
                }
            len = m;
        }
        _tw = tw.ToArray();
        _scratch = new float[2 * n];
        _first = BuildFirstStageTwiddles();
    }

    // The first stage (stride 1) vectorises over q instead of k, so its twiddles differ per lane: for
    // t = 1..3, 2m floats of (wr, wr) per q, then 2m floats of (-wi, wi). Null when not used.
    private readonly float[]? _first;

    private float[]? BuildFirstStageTwiddles()
    {
        if (!Vector.IsHardwareAccelerated || _radix.Length == 0 || _radix[0] != 4) return null;
        int m = _n / 4;
        if (2 * m % Vector<float>.Count != 0) return null;
        var table = new float[6 * 2 * m];
        for (int t = 1; t < 4; t++)
        {
            int wrAt = (t - 1) * 4 * m, wiAt = wrAt + 2 * m;
            for (int q = 0; q < m; q++)
            {
                float wr = _tw[6 * q + 2 * (t - 1)], wi = _tw[6 * q + 2 * (t - 1) + 1];
                table[wrAt + 2 * q] = table[wrAt + 2 * q + 1] = wr;
                table[wiAt + 2 * q] = -wi;
                table[wiAt + 2 * q + 1] = wi;
            }
        }
        return table;
    }

    /// <summary>Number of complex points.</summary>
    public int Size => _n;

    /// <summary>
    /// Unscaled forward transform X[k] = sum_j x[j] exp(-2 pi i j k / n), in place on
    /// <paramref name="data"/> (2n floats, interleaved re/im).
    /// </summary>
    public void Forward(Span<float> data)
    {
        Debug.Assert(data.Length >= 2 * _n);
        Span<float> x = data[..(2 * _n)];
        Span<float> y = _scratch;
        int len = _n, stride = 1;
        bool inScratch = false;
        for (int s = 0; s < _radix.Length; s++)
        {
            int p = _radix[s], m = len / p;
            ReadOnlySpan<float> tw = _tw.AsSpan(_twOffset[s], 2 * m * (p - 1));
            Span<float> src = inScratch ? y : x, dst = inScratch ? x : y;
            if (s == 0 && _first != null)
            {
                Radix4First(src, dst, m, _first);
            }
            else if (Vector.IsHardwareAccelerated && 2 * stride % Vector<float>.Count == 0)
            {
                switch (p)
                {
                    case 4: Radix4Vector(src, dst, m, stride, tw); break;
                    case 2: Radix2Vector(src, dst, m, stride, tw); break;
                    case 3: Radix3Vector(src, dst, m, stride, tw); break;
                    default: Radix5Vector(src, dst, m, stride, tw); break;
                }
            }
            else
            {
                switch (p)
                {
                    case 4: Radix4(src, dst, m, stride, tw); break;
                    case 2: Radix2(src, dst, m, stride, tw); break;
                    case 3: Radix3(src, dst, m, stride, tw); break;
                    default: Radix5(src, dst, m, stride, tw); break;
                }
            }
            inScratch = !inScratch;
            len = m;
            stride *= p;
        }
        if (inScratch) y.CopyTo(x);
    }

    /// <summary>
    /// Unscaled inverse transform x[j] = sum_k X[k] exp(+2 pi i j k / n), in place (divide by n
    /// for the true inverse).
    /// </summary>
    public void Inverse(Span<float> data)
    {
        // conj(FFT(conj(X))) is the unscaled inverse.
        Span<float> d = data[..(2 * _n)];
        Conjugate(d);
        Forward(d);
        Conjugate(d);
    }

    /// <summary>Negates the imaginary parts of interleaved complex data in place.</summary>
    private static void Conjugate(Span<float> d)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> sign = s_conjugateSign;
            for (; i <= d.Length - w; i += w)
                (new Vector<float>(d.Slice(i, w)) * sign).CopyTo(d.Slice(i, w));
        }
        for (i += 1; i < d.Length; i += 2) d[i] = -d[i];
    }

    // Vectorised stages (OPT): the same arithmetic as the scalar stages below, on Vector<float>.Count / 2
    // consecutive k at once (they share the twiddles), so every output is bit-identical. Needs
    // 2 * stride to be a multiple of the vector width. Identities used, all exact in IEEE arithmetic:
    // a - b = a + (-b), (-a) b = -(a b), and multiplying by +-1 only flips signs. A complex vector
    // v = (re, im, re, im, ...) times a twiddle w is v wr + Swap(v) (-wi, wi, ...).

    /// <summary>(1, -1, 1, -1, ...): multiplying by it conjugates.</summary>
    private static readonly Vector<float> s_conjugateSign = Alternating(1f, -1f);

    private static Vector<float> Alternating(float even, float odd)
    {
        var lanes = new float[Vector<float>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = i % 2 == 0 ? even : odd;
        return new Vector<float>(lanes);
    }

    /// <summary>Swaps the real and imaginary part of each complex lane pair.</summary>
    private static Vector<float> Swap(Vector<float> v)
    {
        Vector<ulong> u = Vector.AsVectorUInt64(v);
        return Vector.AsVectorSingle((u << 32) | (u >> 32));
    }

    /// <summary>v times the complex scalar (wr, wi); <paramref name="wiAlt"/> = (-wi, wi, ...).</summary>
    private static Vector<float> Twiddle(Vector<float> v, float wr, Vector<float> wiAlt) => v * wr + Swap(v) * wiAlt;

    /// <summary>v times per-lane twiddles: <paramref name="wr"/> = (wr, wr, ...), <paramref name="wiAlt"/> = (-wi, wi, ...).</summary>
    private static Vector<float> Twiddle(Vector<float> v, Vector<float> wr, Vector<float> wiAlt) => v * wr + Swap(v) * wiAlt;

    /// <summary>
    /// The first radix-4 stage (stride 1) on Vector&lt;float&gt;.Count / 2 consecutive q at once, with
    /// per-lane twiddles from <paramref name="table"/>; the four outputs of each q are adjacent in
    /// the destination, so they are written back complex by complex (as 64-bit pairs).
    /// </summary>
    private static void Radix4First(ReadOnlySpan<float> x, Span<float> y, int m, float[] table)
    {
        int w = Vector<float>.Count, lanes = w / 2, step = 2 * m;
        Vector<float> sign = s_conjugateSign;
        Span<float> tmp = stackalloc float[4 * w];
        ReadOnlySpan<ulong> tmp64 = MemoryMarshal.Cast<float, ulong>(tmp);
        Span<ulong> y64 = MemoryMarshal.Cast<float, ulong>(y);
        ReadOnlySpan<float> tw = table;
        for (int i = 0; i < step; i += w)
        {
            var a = new Vector<float>(x.Slice(i, w));
            var b = new Vector<float>(x.Slice(i + step, w));
            var c = new Vector<float>(x.Slice(i + 2 * step, w));
            var d = new Vector<float>(x.Slice(i + 3 * step, w));
            Vector<float> s0 = a + c, s1 = a - c, s2 = b + d, s3 = b - d;
            Vector<float> j3 = Swap(s3) * sign;
            (s0 + s2).CopyTo(tmp[..w]);
            Twiddle(s1 + j3, new Vector<float>(tw.Slice(i, w)), new Vector<float>(tw.Slice(step + i, w))).CopyTo(tmp.Slice(w, w));
            Twiddle(s0 - s2, new Vector<float>(tw.Slice(2 * step + i, w)), new Vector<float>(tw.Slice(3 * step + i, w))).CopyTo(tmp.Slice(2 * w, w));
            Twiddle(s1 - j3, new Vector<float>(tw.Slice(4 * step + i, w)), new Vector<float>(tw.Slice(5 * step + i, w))).CopyTo(tmp.Slice(3 * w, w));
            int q = i / 2;
            for (int l = 0; l < lanes; l++)
            {
                int o = 4 * (q + l);
                y64[o] = tmp64[l];
                y64[o + 1] = tmp64[lanes + l];
                y64[o + 2] = tmp64[2 * lanes + l];
                y64[o + 3] = tmp64[3 * lanes + l];
            }
        }
    }

    private static void Radix2Vector(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        int w = Vector<float>.Count;
        Vector<float> alt = -s_conjugateSign;
        for (int q = 0; q < m; q++)
        {
            float wr = tw[2 * q];
            Vector<float> wiAlt = alt * tw[2 * q + 1];
            int i0 = 2 * s * q, i1 = 2 * s * (q + m), o0 = 2 * s * (2 * q), o1 = o0 + 2 * s;
            for (int k = 0; k < 2 * s; k += w)
            {
                var a = new Vector<float>(x.Slice(i0 + k, w));
                var b = new Vector<float>(x.Slice(i1 + k, w));
                (a + b).CopyTo(y.Slice(o0 + k, w));
                Twiddle(a - b, wr, wiAlt).CopyTo(y.Slice(o1 + k, w));
            }
        }
    }

    private static void Radix4Vector(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        int w = Vector<float>.Count;
        Vector<float> sign = s_conjugateSign, alt = -sign;
        int step = 2 * s * m, os = 2 * s;
        for (int q = 0; q < m; q++)
        {
            int t0 = 6 * q;
            float w1r = tw[t0], w2r = tw[t0 + 2], w3r = tw[t0 + 4];
            Vector<float> w1 = alt * tw[t0 + 1], w2 = alt * tw[t0 + 3], w3 = alt * tw[t0 + 5];
            int i0 = 2 * s * q, o0 = 2 * s * (4 * q);
            for (int k = 0; k < 2 * s; k += w)
            {
                var a = new Vector<float>(x.Slice(i0 + k, w));
                var b = new Vector<float>(x.Slice(i0 + step + k, w));
                var c = new Vector<float>(x.Slice(i0 + 2 * step + k, w));
                var d = new Vector<float>(x.Slice(i0 + 3 * step + k, w));
                Vector<float> s0 = a + c, s1 = a - c, s2 = b + d, s3 = b - d;
                Vector<float> j3 = Swap(s3) * sign;   // (s3i, -s3r): -i s3
                (s0 + s2).CopyTo(y.Slice(o0 + k, w));
                Twiddle(s1 + j3, w1r, w1).CopyTo(y.Slice(o0 + os + k, w));
                Twiddle(s0 - s2, w2r, w2).CopyTo(y.Slice(o0 + 2 * os + k, w));
                Twiddle(s1 - j3, w3r, w3).CopyTo(y.Slice(o0 + 3 * os + k, w));
            }
        }
    }

    private static void Radix3Vector(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        const float c1 = -0.5f;                                  // cos(2 pi / 3)
        const float s1 = -0.86602540378443864676f;               // -sin(2 pi / 3)
        int w = Vector<float>.Count;
        Vector<float> alt = -s_conjugateSign;
        Vector<float> rot = alt * s1;                            // (-s1, s1, ...)
        int step = 2 * s * m, os = 2 * s;
        for (int q = 0; q < m; q++)
        {
            int t0 = 4 * q;
            float w1r = tw[t0], w2r = tw[t0 + 2];
            Vector<float> w1 = alt * tw[t0 + 1], w2 = alt * tw[t0 + 3];
            int i0 = 2 * s * q, o0 = 2 * s * (3 * q);
            for (int k = 0; k < 2 * s; k += w)
            {
                var a = new Vector<float>(x.Slice(i0 + k, w));
                var b = new Vector<float>(x.Slice(i0 + step + k, w));
                var c = new Vector<float>(x.Slice(i0 + 2 * step + k, w));
                Vector<float> sum = b + c, dif = b - c;
                Vector<float> mid = a + sum * c1;
                Vector<float> r = Swap(dif) * rot;             // (-s1 di, s1 dr)
                (a + sum).CopyTo(y.Slice(o0 + k, w));
                Twiddle(mid + r, w1r, w1).CopyTo(y.Slice(o0 + os + k, w));
                Twiddle(mid - r, w2r, w2).CopyTo(y.Slice(o0 + 2 * os + k, w));
            }
        }
    }

    private static void Radix5Vector(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        const float c1 = 0.30901699437494742410f;   // cos(2 pi / 5)
        const float c2 = -0.80901699437494742410f;  // cos(4 pi / 5)
        const float s1 = 0.95105651629515357212f;   // sin(2 pi / 5)
        const float s2 = 0.58778525229247312917f;   // sin(4 pi / 5)
        int w = Vector<float>.Count;
        Vector<float> sign = s_conjugateSign, alt = -sign;
        int step = 2 * s * m, os = 2 * s;
        for (int q = 0; q < m; q++)
        {
            int t0 = 8 * q;
            float w1r = tw[t0], w2r = tw[t0 + 2], w3r = tw[t0 + 4], w4r = tw[t0 + 6];
            Vector<float> w1 = alt * tw[t0 + 1], w2 = alt * tw[t0 + 3], w3 = alt * tw[t0 + 5], w4 = alt * tw[t0 + 7];
            int i0 = 2 * s * q, o0 = 2 * s * (5 * q);
            for (int k = 0; k < 2 * s; k += w)
            {
                var a = new Vector<float>(x.Slice(i0 + k, w));
                var b = new Vector<float>(x.Slice(i0 + step + k, w));
                var c = new Vector<float>(x.Slice(i0 + 2 * step + k, w));
                var d = new Vector<float>(x.Slice(i0 + 3 * step + k, w));
                var e = new Vector<float>(x.Slice(i0 + 4 * step + k, w));
                Vector<float> s14 = b + e, d14 = b - e, s23 = c + d, d23 = c - d;
                Vector<float> m1 = a + s14 * c1 + s23 * c2;
                Vector<float> m2 = a + s14 * c2 + s23 * c1;
                Vector<float> sd14 = Swap(d14), sd23 = Swap(d23);
                Vector<float> n1 = (sd14 * s1 + sd23 * s2) * sign;
                Vector<float> n2 = (sd14 * s2 - sd23 * s1) * sign;
                (a + s14 + s23).CopyTo(y.Slice(o0 + k, w));
                Twiddle(m1 + n1, w1r, w1).CopyTo(y.Slice(o0 + os + k, w));
                Twiddle(m2 + n2, w2r, w2).CopyTo(y.Slice(o0 + 2 * os + k, w));
                Twiddle(m2 - n2, w3r, w3).CopyTo(y.Slice(o0 + 3 * os + k, w));
                Twiddle(m1 - n1, w4r, w4).CopyTo(y.Slice(o0 + 4 * os + k, w));
            }
        }
    }

    // Stage of a Stockham FFT: the input holds p interleaved sub-sequences of length m (element
    // index k + stride*(q + r*m)); output element k + stride*(p*q + t) is
    // w^(q t) * sum_r a_r exp(-2 pi i r t / p), w = exp(-2 pi i / (p m)).

    private static void Radix2(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        for (int q = 0; q < m; q++)
        {
            float wr = tw[2 * q], wi = tw[2 * q + 1];
            for (int k = 0; k < s; k++)
            {
                int i0 = 2 * (k + s * q), i1 = 2 * (k + s * (q + m));
                float ar = x[i0], ai = x[i0 + 1], br = x[i1], bi = x[i1 + 1];
                int o0 = 2 * (k + s * (2 * q)), o1 = o0 + 2 * s;
                y[o0] = ar + br; y[o0 + 1] = ai + bi;
                float dr = ar - br, di = ai - bi;
                y[o1] = dr * wr - di * wi; y[o1 + 1] = dr * wi + di * wr;
            }
        }
    }

    private static void Radix4(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        for (int q = 0; q < m; q++)
        {
            int t0 = 6 * q;
            float w1r = tw[t0], w1i = tw[t0 + 1], w2r = tw[t0 + 2], w2i = tw[t0 + 3], w3r = tw[t0 + 4], w3i = tw[t0 + 5];
            for (int k = 0; k < s; k++)
            {
                int i0 = 2 * (k + s * q), step = 2 * s * m;
                float ar = x[i0], ai = x[i0 + 1];
                float br = x[i0 + step], bi = x[i0 + step + 1];
                float cr = x[i0 + 2 * step], ci = x[i0 + 2 * step + 1];
                float dr = x[i0 + 3 * step], di = x[i0 + 3 * step + 1];
                // a + b w4^t + c w4^2t + d w4^3t with w4 = -i
                float s0r = ar + cr, s0i = ai + ci, s1r = ar - cr, s1i = ai - ci;
                float s2r = br + dr, s2i = bi + di, s3r = br - dr, s3i = bi - di;
                int o0 = 2 * (k + s * (4 * q)), os = 2 * s;
                y[o0] = s0r + s2r; y[o0 + 1] = s0i + s2i;
                // t=1: s1 - i s3
                float y1r = s1r + s3i, y1i = s1i - s3r;
                y[o0 + os] = y1r * w1r - y1i * w1i; y[o0 + os + 1] = y1r * w1i + y1i * w1r;
                float y2r = s0r - s2r, y2i = s0i - s2i;
                y[o0 + 2 * os] = y2r * w2r - y2i * w2i; y[o0 + 2 * os + 1] = y2r * w2i + y2i * w2r;
                // t=3: s1 + i s3
                float y3r = s1r - s3i, y3i = s1i + s3r;
                y[o0 + 3 * os] = y3r * w3r - y3i * w3i; y[o0 + 3 * os + 1] = y3r * w3i + y3i * w3r;
            }
        }
    }

    private static void Radix3(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        const float c1 = -0.5f;                                  // cos(2 pi / 3)
        const float s1 = -0.86602540378443864676f;               // -sin(2 pi / 3)
        for (int q = 0; q < m; q++)
        {
            int t0 = 4 * q;
            float w1r = tw[t0], w1i = tw[t0 + 1], w2r = tw[t0 + 2], w2i = tw[t0 + 3];
            for (int k = 0; k < s; k++)
            {
                int i0 = 2 * (k + s * q), step = 2 * s * m;
                float ar = x[i0], ai = x[i0 + 1];
                float br = x[i0 + step], bi = x[i0 + step + 1];
                float cr = x[i0 + 2 * step], ci = x[i0 + 2 * step + 1];
                float sr = br + cr, si = bi + ci, dr = br - cr, di = bi - ci;
                float mr = ar + c1 * sr, mi = ai + c1 * si;
                float rr = -s1 * di, ri = s1 * dr;  // s1 * i * d, s1 = -sin(2pi/3)
                int o0 = 2 * (k + s * (3 * q)), os = 2 * s;
                y[o0] = ar + sr; y[o0 + 1] = ai + si;
                float y1r = mr + rr, y1i = mi + ri;
                float y2r = mr - rr, y2i = mi - ri;
                y[o0 + os] = y1r * w1r - y1i * w1i; y[o0 + os + 1] = y1r * w1i + y1i * w1r;
                y[o0 + 2 * os] = y2r * w2r - y2i * w2i; y[o0 + 2 * os + 1] = y2r * w2i + y2i * w2r;
            }
        }
    }

    private static void Radix5(ReadOnlySpan<float> x, Span<float> y, int m, int s, ReadOnlySpan<float> tw)
    {
        const float c1 = 0.30901699437494742410f;   // cos(2 pi / 5)
        const float c2 = -0.80901699437494742410f;  // cos(4 pi / 5)
        const float s1 = 0.95105651629515357212f;   // sin(2 pi / 5)
        const float s2 = 0.58778525229247312917f;   // sin(4 pi / 5)
        for (int q = 0; q < m; q++)
        {
            int t0 = 8 * q;
            float w1r = tw[t0], w1i = tw[t0 + 1], w2r = tw[t0 + 2], w2i = tw[t0 + 3];
            float w3r = tw[t0 + 4], w3i = tw[t0 + 5], w4r = tw[t0 + 6], w4i = tw[t0 + 7];
            for (int k = 0; k < s; k++)
            {
                int i0 = 2 * (k + s * q), step = 2 * s * m;
                float ar = x[i0], ai = x[i0 + 1];
                float br = x[i0 + step], bi = x[i0 + step + 1];
                float cr = x[i0 + 2 * step], ci = x[i0 + 2 * step + 1];
                float dr = x[i0 + 3 * step], di = x[i0 + 3 * step + 1];
                float er = x[i0 + 4 * step], ei = x[i0 + 4 * step + 1];
                float s14r = br + er, s14i = bi + ei, d14r = br - er, d14i = bi - ei;
                float s23r = cr + dr, s23i = ci + di, d23r = cr - dr, d23i = ci - di;
                float m1r = ar + c1 * s14r + c2 * s23r, m1i = ai + c1 * s14i + c2 * s23i;
                float m2r = ar + c2 * s14r + c1 * s23r, m2i = ai + c2 * s14i + c1 * s23i;
                // forward transform: the odd parts get -i sin(...)
                float n1r = s1 * d14i + s2 * d23i, n1i = -(s1 * d14r + s2 * d23r);
                float n2r = s2 * d14i - s1 * d23i, n2i = -(s2 * d14r - s1 * d23r);
                int o0 = 2 * (k + s * (5 * q)), os = 2 * s;
                y[o0] = ar + s14r + s23r; y[o0 + 1] = ai + s14i + s23i;
                float y1r = m1r + n1r, y1i = m1i + n1i;
                float y4r = m1r - n1r, y4i = m1i - n1i;
                float y2r = m2r + n2r, y2i = m2i + n2i;
                float y3r = m2r - n2r, y3i = m2i - n2i;
                y[o0 + os] = y1r * w1r - y1i * w1i; y[o0 + os + 1] = y1r * w1i + y1i * w1r;
                y[o0 + 2 * os] = y2r * w2r - y2i * w2i; y[o0 + 2 * os + 1] = y2r * w2i + y2i * w2r;
                y[o0 + 3 * os] = y3r * w3r - y3i * w3i; y[o0 + 3 * os + 1] = y3r * w3i + y3i * w3r;
                y[o0 + 4 * os] = y4r * w4r - y4i * w4i; y[o0 + 4 * os + 1] = y4r * w4i + y4i * w4r;
            }
        }
    }
}
