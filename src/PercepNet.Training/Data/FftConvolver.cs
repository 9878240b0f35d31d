using PercepNet.Dsp;

namespace PercepNet.Training.Data;

/// <summary>Linear convolution through one FFT of a 2-3-5-smooth size (for room responses).</summary>
public static class FftConvolver
{
    /// <summary>Full convolution truncated to the signal's length: y[n] = sum_k h[k] x[n-k], n &lt; x.Length.</summary>
    public static float[] Convolve(ReadOnlySpan<float> x, ReadOnlySpan<float> h)
    {
        int need = x.Length + h.Length - 1;
        int n = SmoothSize(need);
        var fft = new RealFft(n);
        var xa = new float[n];
        var ha = new float[n];
        x.CopyTo(xa);
        h.CopyTo(ha);
        var xs = new float[n + 2];
        var hs = new float[n + 2];
        fft.Forward(xa, xs);
        fft.Forward(ha, hs);
        for (int k = 0; k <= n / 2; k++)
        {
            float ar = xs[2 * k], ai = xs[2 * k + 1], br = hs[2 * k], bi = hs[2 * k + 1];
            xs[2 * k] = ar * br - ai * bi;
            xs[2 * k + 1] = ar * bi + ai * br;
        }
        fft.Inverse(xs, xa);
        return xa.AsSpan(0, x.Length).ToArray();
    }

    /// <summary>Smallest even n >= <paramref name="min"/> whose half factors into 2, 3 and 5.</summary>
    public static int SmoothSize(int min)
    {
        for (int n = Math.Max(2, min + (min & 1)); ; n += 2)
        {
            int m = n / 2;
            foreach (int p in new[] { 2, 3, 5 }) while (m % p == 0) m /= p;
            if (m == 1) return n;
        }
    }
}
