using System.Diagnostics;
using PercepNet.Dsp;

namespace PercepNet.Oracle;

/// <summary>
/// Ideal band gains g_b and comb strengths r_b from the clean and noisy analyses of the same
/// frame (docs/algorithm.md section 9). Both analyses must use the same pitch period. Every quantity
/// under a square root is clipped at 0 and every division guarded, so silence, pure tones and
/// digital zeros give finite targets.
/// </summary>
internal static class OracleTargets
{
    /// <summary>Noise floor n0 of the gain correction when even r = 1 cannot reach the clean harmonicity.</summary>
    public const float N0 = 0.03f;

    /// <summary>Energy below which a band counts as silent (spectrum units: full-scale sine ~ 1e5).</summary>
    public const float SilentEnergy = 1e-9f;

    /// <summary>
    /// Amplitude ratio sqrt(E_x / E_y) (not an energy ratio), clipped to [0, 1]; 0 for a silent
    /// noisy band (nothing to keep).
    /// </summary>
    public static float IdealGain(float ex, float ey) =>
        ey > SilentEnergy ? MathF.Min(1f, MathF.Sqrt(MathF.Max(0f, ex) / ey)) : 0f;

    /// <summary>
    /// Fills <paramref name="gains"/> and <paramref name="strengths"/> (34 each, in [0, 1]).
    /// </summary>
    public static void Compute(FrameSpectrum clean, FrameSpectrum noisy, Span<float> gains, Span<float> strengths)
    {
        Debug.Assert(clean.Period == noisy.Period);
        float rho = noisy.CombPowerGain;
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float ex = clean.Ex[b], ey = noisy.Ex[b];
            // Amplitude ratio (not an energy ratio), clipped to [0, 1].
            float g = IdealGain(ex, ey);
            float qx = Math.Clamp(clean.Coherence[b], 0f, 1f);
            float qy = Math.Clamp(noisy.Coherence[b], 0f, 1f);
            // Coherence of the comb-filtered noisy band: harmonics pass with gain 1, the rest with rho.
            float qp = qy / MathF.Sqrt(MathF.Max(1e-12f, (1 - rho) * qy * qy + rho));
            float r;
            if (qx <= qy)
            {
                r = 0f; // already at least as harmonic as the clean band
            }
            else if (qp <= qx)
            {
                // Even the full comb filter falls short: use it all and lower the gain instead.
                r = 1f;
                g *= MathF.Sqrt(MathF.Max(0f, 1 + N0 - qx * qx) / MathF.Max(1e-12f, 1 + N0 - qp * qp));
            }
            else
            {
                float a = qp * qp - qx * qx;
                float bq = qp * qy * (1 - qx * qx);
                float c = qx * qx - qy * qy;
                float alpha = (MathF.Sqrt(MathF.Max(0f, bq * bq + a * c)) - bq) / a;
                r = Math.Clamp(alpha / (1 + alpha), 0f, 1f);
            }
            gains[b] = Math.Clamp(g, 0f, 1f);
            strengths[b] = r;
        }
    }
}
