using System.Diagnostics;

namespace PercepNet.Dsp;

/// <summary>
/// Limits how fast a band's output may fall from one frame to the next: each band gain is raised,
/// where needed, so that the band's output amplitude (gain times input amplitude) is at least
/// <see cref="Factor"/> times the previous frame's. RNNoise caps its gains the same way (0.6 per
/// frame, "an RT60 of 135 ms", with the previous gain scaled by the frames' energy ratio so that a
/// sudden loud noise is not let through); here the ratio is of amplitudes, so the bound is on the
/// output itself: g_b(t) &gt;= a min(1, g_b(t-1) sqrt(E_b(t-1) / E_b(t))), a = 10^(-3 * 10 ms / T).
/// </summary>
/// <remarks>
/// A network that drops a band's gain between two frames of a word (a weak consonant, the tail of
/// a vowel) then leaves a decay of at most 60 dB per T milliseconds in place of a gap, and where
/// the input itself falls (the end of a word, a noise that stops) the bound falls with it. When the
/// input gets louder the bound is lowered by the same factor, so the bound never lets a band's
/// output rise. 34 floats of state, no allocation per frame.
/// </remarks>
internal sealed class GainRelease
{
    private const float Tiny = 1e-20f;
    private readonly float[] _lastGain = new float[FrameLayout.BandCount];
    private readonly float[] _lastEnergy = new float[FrameLayout.BandCount];
    private double _releaseMs;

    /// <summary>The largest release time accepted, in ms (10 s).</summary>
    public const double MaxReleaseMs = 10_000;

    /// <summary>The shortest release time accepted, in ms: 10 ms, one frame for 60 dB.</summary>
    public const double MinReleaseMs = 10;

    /// <summary>Creates the limiter for a 60 dB release time of <paramref name="releaseMs"/> milliseconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [<see cref="MinReleaseMs"/>, <see cref="MaxReleaseMs"/>].</exception>
    public GainRelease(double releaseMs) => ReleaseMs = releaseMs;

    /// <summary>Time for the bound to fall by 60 dB, in ms; may be changed between frames (the state is kept).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [<see cref="MinReleaseMs"/>, <see cref="MaxReleaseMs"/>].</exception>
    public double ReleaseMs
    {
        get => _releaseMs;
        set
        {
            if (!(value >= MinReleaseMs && value <= MaxReleaseMs))
                throw new ArgumentOutOfRangeException(nameof(value), $"the gain release time must be within [{MinReleaseMs}, {MaxReleaseMs}] ms (got {value})");
            _releaseMs = value;
            Factor = FactorFor(value);
        }
    }

    /// <summary>The largest fall of a band's output per frame, as an amplitude factor a in (0, 1).</summary>
    public float Factor { get; private set; }

    /// <summary>a = 10^(-3 frame / T): the per-frame factor of a 60 dB fall in <paramref name="releaseMs"/>.</summary>
    public static float FactorFor(double releaseMs) => (float)Math.Pow(10, -3.0 * FrameLayout.FrameSize * 1000 / FrameLayout.SampleRate / releaseMs);

    /// <summary>
    /// Raises <paramref name="gains"/> (34 band gains) to the bound given the band energies
    /// <paramref name="energy"/> of the frame they apply to, and remembers both for the next frame.
    /// </summary>
    public void Apply(Span<float> gains, ReadOnlySpan<float> energy)
    {
        Debug.Assert(gains.Length >= FrameLayout.BandCount && energy.Length >= FrameLayout.BandCount);
        for (int b = 0; b < FrameLayout.BandCount; b++)
        {
            float e = energy[b];
            float held = _lastGain[b] * MathF.Sqrt((_lastEnergy[b] + Tiny) / (e + Tiny));
            float g = Math.Max(gains[b], Factor * Math.Min(1f, held));
            gains[b] = g;
            _lastGain[b] = g;
            _lastEnergy[b] = e;
        }
    }

    /// <summary>Forgets the previous frame (a new stream: no bound on the first frame).</summary>
    public void Reset()
    {
        Array.Clear(_lastGain);
        Array.Clear(_lastEnergy);
    }
}
