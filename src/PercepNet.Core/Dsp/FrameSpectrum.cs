namespace PercepNet.Dsp;

/// <summary>
/// Everything the signal model knows about one analysis frame: the windowed spectrum X, the
/// spectrum P of its comb-filtered version, their band energies and cross-correlation, the
/// per-band pitch coherence, and the pitch. Buffers are allocated once and reused.
/// </summary>
internal sealed class FrameSpectrum
{
    /// <summary>Spectrum of the windowed frame: 481 bins interleaved (re, im).</summary>
    public float[] X { get; } = new float[Stft.SpectrumLength];

    /// <summary>Spectrum of the comb-filtered, windowed frame.</summary>
    public float[] P { get; } = new float[Stft.SpectrumLength];

    /// <summary>Band energies of X (34).</summary>
    public float[] Ex { get; } = new float[FrameLayout.BandCount];

    /// <summary>Band energies of P (34).</summary>
    public float[] Ep { get; } = new float[FrameLayout.BandCount];

    /// <summary>Band cross-correlations Re(sum w_b X conj P) (34).</summary>
    public float[] Exp { get; } = new float[FrameLayout.BandCount];

    /// <summary>Per-band pitch coherence q_b = Exp / sqrt(Ex Ep), in [-1, 1]; 0 for silent bands.</summary>
    public float[] Coherence { get; } = new float[FrameLayout.BandCount];

    /// <summary>Pitch period used for the comb filter, in 48 kHz samples.</summary>
    public int Period { get; set; } = FrameLayout.MinPeriod;

    /// <summary>Pitch correlation reported by the tracker, in [0, 1].</summary>
    public float PitchCorrelation { get; set; }

    /// <summary>White-noise power gain of the comb filter used (rho = sum a_k^2).</summary>
    public float CombPowerGain { get; set; }

    /// <summary>Computes <see cref="Coherence"/> from the energies. Bands whose energy is below
    /// <paramref name="floor"/> get coherence 0.</summary>
    public void UpdateCoherence(float floor = 1e-12f)
    {
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float d = Ex[b] * Ep[b];
            Coherence[b] = d > floor * floor ? Math.Clamp(Exp[b] / MathF.Sqrt(d), -1f, 1f) : 0f;
        }
    }
}
