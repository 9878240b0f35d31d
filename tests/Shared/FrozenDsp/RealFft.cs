// FROZEN COPY of src/PercepNet.Core/Dsp/RealFft.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using System.Diagnostics;

using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// Real FFT of even size n through one complex FFT of n/2 points (n/2 must factor into 2, 3, 5;
/// PercepNet uses n = 960, so 480 = 2^5 * 3 * 5). The spectrum holds bins 0..n/2 interleaved
/// (re, im): 2 * (n/2 + 1) floats; bins 0 and n/2 have zero imaginary parts.
/// </summary>
/// <remarks>Holds scratch memory: one instance per thread. Allocates nothing per call.</remarks>
public sealed class RealFft
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
        for (int k = 1; k <= h / 2; k++)
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
        for (int k = 1; k <= h / 2; k++)
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
        for (int i = 0; i < _n; i++) output[i] = _buf[i] * scale;
    }
}
