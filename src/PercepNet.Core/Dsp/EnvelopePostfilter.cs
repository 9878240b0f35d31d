using System.Diagnostics;

namespace PercepNet.Dsp;

/// <summary>
/// The perceptual envelope postfilter: bands that keep a low gain (still noisy) are attenuated
/// further, g_w = g sin(pi/2 g)^s (s = 1 is the paper's filter; s &lt; 1 a milder one), and a
/// global gain G restores most of the lost loudness:
/// with E0 = sum_b g_b^2 E_b and E1 = sum_b g_w,b^2 E_b (output energies without and with the
/// postfilter), R = E0 / E1 and G = sqrt((1 + beta) R / (1 + beta R^2)), beta = 0.02.
/// </summary>
/// <remarks>
/// G = 1 when all gains are 1 (R = 1); G peaks at R = 1/sqrt(beta) = 7.1, where it is
/// sqrt((1 + beta) / (2 sqrt(beta))) = 1.90 (+5.6 dB), and tends to 0 for very large R, so a frame
/// that is almost all noise is not pumped back up. The ratio uses energies (squared gains), the
/// convention that gives G = 1 at unit gains and the published +5.6 dB ceiling.
/// </remarks>
internal static class EnvelopePostfilter
{
    /// <summary>The compensation constant beta.</summary>
    public const float Beta = 0.02f;

    /// <summary>The paper's strength (s = 1).</summary>
    public const float PaperStrength = 1f;

    /// <summary>
    /// Replaces <paramref name="gains"/> (34 band gains in [0,1]) by G g_w given the band energies
    /// <paramref name="energy"/> of the signal the gains apply to. Returns G.
    /// </summary>
    /// <param name="gains">34 band gains, replaced in place.</param>
    /// <param name="energy">34 band energies of the signal the gains apply to.</param>
    /// <param name="strength">Exponent s of the extra attenuation sin(pi/2 g)^s, in [0, 1]: 1 the
    /// paper's postfilter, 0 none (G = 1). See docs/oracle.md for why a milder one is measured.</param>
    public static float Apply(Span<float> gains, ReadOnlySpan<float> energy, float strength = PaperStrength)
    {
        Debug.Assert(gains.Length >= FrameLayout.BandCount && energy.Length >= FrameLayout.BandCount);
        double e0 = 0, e1 = 0;
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float g = gains[b];
            float sine = MathF.Sin(0.5f * MathF.PI * g);
            float gw = g * (strength == 1f ? sine : MathF.Pow(sine, strength));
            e0 += (double)g * g * energy[b];
            e1 += (double)gw * gw * energy[b];
            gains[b] = gw;
        }
        // Silence or all-zero gains: nothing to compensate (and R would be 0/0).
        double r = e1 > 1e-30 ? e0 / e1 : 1.0;
        float big = (float)Math.Sqrt((1 + Beta) * r / (1 + Beta * r * r));
        for (int b = 0; b < FrameLayout.BandCount; b++) gains[b] *= big;
        return big;
    }
}
