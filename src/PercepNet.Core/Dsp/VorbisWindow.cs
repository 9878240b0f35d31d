namespace PercepNet.Dsp;

/// <summary>
/// The power-complementary (Vorbis) window used for analysis and synthesis:
/// w[n] = sin(pi/2 sin^2(pi (n + 0.5) / N)), N = <see cref="FrameLayout.WindowSize"/>, so that
/// w^2[n] + w^2[n + N/2] = 1 and unity gains reconstruct the input exactly (delayed by one hop).
/// </summary>
internal static class VorbisWindow
{
    private static readonly float[] s_table = Build(FrameLayout.WindowSize);

    /// <summary>The 960 window coefficients.</summary>
    public static ReadOnlySpan<float> Coefficients => s_table;

    /// <summary>Builds the window of any even length (the table above is the 960-point instance).</summary>
    public static float[] Build(int n)
    {
        var w = new float[n];
        for (int i = 0; i < n; i++)
        {
            double s = Math.Sin(Math.PI * (i + 0.5) / n);
            w[i] = (float)Math.Sin(0.5 * Math.PI * s * s);
        }
        return w;
    }
}
