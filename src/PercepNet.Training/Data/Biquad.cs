namespace PercepNet.Training.Data;

/// <summary>A second-order IIR section y = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) x, in double precision.</summary>
public readonly record struct Biquad(double B0, double B1, double B2, double A1, double A2)
{
    /// <summary>
    /// Random spectral colouring as RNNoise does it: all four coefficients uniform in
    /// [-3/8, 3/8] (poles inside |z| &lt; 0.75, so always stable; up to about +-10 dB of tilt and bumps).
    /// </summary>
    public static Biquad RandomEq(Random rng)
    {
        double U() => 0.75 * (rng.NextDouble() - 0.5);
        return new Biquad(1, U(), U(), U(), U());
    }

    /// <summary>Butterworth low-pass (RBJ cookbook, Q = 1/sqrt 2) at <paramref name="cutoffHz"/>.</summary>
    public static Biquad LowPass(double cutoffHz, double sampleRate, double q = 0.7071067811865476)
    {
        double w0 = 2 * Math.PI * cutoffHz / sampleRate, alpha = Math.Sin(w0) / (2 * q), c = Math.Cos(w0);
        double a0 = 1 + alpha;
        return new Biquad((1 - c) / 2 / a0, (1 - c) / a0, (1 - c) / 2 / a0, -2 * c / a0, (1 - alpha) / a0);
    }

    /// <summary>Filters <paramref name="x"/> in place from a zero state.</summary>
    public void Apply(Span<float> x)
    {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double x0 = x[i];
            double y0 = B0 * x0 + B1 * x1 + B2 * x2 - A1 * y1 - A2 * y2;
            x2 = x1; x1 = x0; y2 = y1; y1 = y0;
            x[i] = (float)y0;
        }
    }
}
