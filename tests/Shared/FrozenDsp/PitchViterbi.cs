// FROZEN COPY of src/PercepNet.Core/Dsp/PitchViterbi.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using System.Diagnostics;

using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// Fixed-lag Viterbi smoother over per-frame pitch candidates. State 0 of every frame is "unvoiced";
/// states 1.. are that frame's candidates. Costs (lower is better):
/// <list type="bullet">
/// <item>voiced state: 1 - r + <see cref="LagBiasPerOctave"/> * log2(T / MinPeriod) (the small bias
/// towards short periods breaks the near-tie between T and 2T, 3T ... in favour of T);</item>
/// <item>unvoiced state: <see cref="UnvoicedCost"/> (so a candidate must reach r of about
/// 1 - UnvoicedCost to be preferred to "unvoiced");</item>
/// <item>voiced to voiced: min(<see cref="JumpCostPerOctave"/> * |log2(T'/T)|, <see cref="MaxJumpCost"/>);
/// voiced to/from unvoiced: <see cref="VoicingSwitchCost"/>; unvoiced to unvoiced: 0.</item>
/// </list>
/// The cumulative cost runs over the whole stream; the decision for frame n - lag is read by
/// back-tracking from the best state of the newest frame n. Allocation-free after construction.
/// </summary>
internal sealed class PitchViterbi
{
    public const int MaxStates = PitchEstimator.MaxCandidates + 1;

    /// <summary>Relative weight per octave of period: a candidate at 2T needs a correlation about 6% higher
    /// than one at T to win (RAPT-style multiplicative lag weight; an additive bias let weak short-lag
    /// noise peaks win at low correlation). Tuned on the GPE table (docs/pitch.md): 0.04 locks onto 2T
    /// more often in 0 dB babble, 0.08 starts to pick sub-multiples in the raw estimate at 20 dB.</summary>
    internal const float LagBiasPerOctave = 0.06f;

    /// <summary>Local cost of "unvoiced": a candidate must reach a (lag-weighted) correlation of about
    /// 0.3 to beat it. 0.65 lets more noise frames be voiced (worse at 0 dB white), 0.75 holds less.</summary>
    internal const float UnvoicedCost = 0.7f;

    /// <summary>Jump cost per octave of period change between voiced frames: the +-5% vibrato moves at most
    /// ~2%/frame (0.03 octave, cost 0.04); a 20% jump costs 0.39.</summary>
    internal const float JumpCostPerOctave = 1.5f;

    /// <summary>Cap of the jump cost, so a real pitch reset (new talker, octave break) costs a bounded
    /// amount, about what one strongly voiced frame earns.</summary>
    internal const float MaxJumpCost = 0.5f;

    /// <summary>Cost of entering or leaving the unvoiced state.</summary>
    internal const float VoicingSwitchCost = 0.15f;

    private readonly int _depth;
    private readonly int[] _period;     // [slot * MaxStates + state]
    private readonly float[] _corr;
    private readonly float[] _log2;
    private readonly int[] _back;
    private readonly bool[] _holdValid; // per slot: the unvoiced state's path has been voiced before
    private readonly int[] _count;      // states in each slot (>= 1: unvoiced is always there)
    private readonly float[] _cost = new float[MaxStates];
    private readonly float[] _next = new float[MaxStates];
    private long _frames;

    /// <param name="maxLag">Largest lag (in frames) that <see cref="Decide"/> will be asked for.</param>
    public PitchViterbi(int maxLag)
    {
        _depth = maxLag + 1;
        _period = new int[_depth * MaxStates];
        _corr = new float[_depth * MaxStates];
        _log2 = new float[_depth * MaxStates];
        _back = new int[_depth * MaxStates];
        _count = new int[_depth];
        _holdValid = new bool[_depth];
    }

    /// <summary>Frames pushed since construction or <see cref="Reset"/>.</summary>
    public long Frames => _frames;

    public void Reset()
    {
        Array.Clear(_period);
        Array.Clear(_corr);
        Array.Clear(_log2);
        Array.Clear(_back);
        Array.Clear(_count);
        Array.Clear(_holdValid);
        Array.Clear(_cost);
        Array.Clear(_next);
        _frames = 0;
    }

    /// <summary>Local cost of a voiced candidate.</summary>
    internal static float VoicedCost(int period, float correlation) =>
        1f - correlation * (1f - LagBiasPerOctave * MathF.Log2((float)period / FrameLayout.MinPeriod));

    /// <summary>
    /// Adds one frame and returns the period the unvoiced state of this frame holds: the period of the
    /// best path into it (the last voiced period before an unvoiced stretch), or
    /// <paramref name="fallbackPeriod"/> (the frame's raw estimate) while that path has never been voiced. The caller then measures the correlation at
    /// that period and reports both with <see cref="SetUnvoiced"/>, so an unvoiced decision still carries
    /// a continuous period and its honest correlation.
    /// </summary>
    public int Push(ReadOnlySpan<PitchCandidate> candidates, int fallbackPeriod)
    {
        Debug.Assert(candidates.Length < MaxStates);
        int slot = (int)(_frames % _depth);
        int b = slot * MaxStates;
        int n = candidates.Length + 1;
        _count[slot] = n;
        _corr[b] = 0f;
        _log2[b] = 0f;
        for (int i = 0; i < candidates.Length; i++)
        {
            _period[b + 1 + i] = candidates[i].Period;
            _corr[b + 1 + i] = candidates[i].Correlation;
            _log2[b + 1 + i] = MathF.Log2(candidates[i].Period);
        }

        int hold = fallbackPeriod;
        bool holdValid = false;
        if (_frames == 0)
        {
            _next[0] = UnvoicedCost;
            _back[b] = 0;
            for (int s = 1; s < n; s++)
            {
                _next[s] = VoicedCost(_period[b + s], _corr[b + s]);
                _back[b + s] = 0;
            }
        }
        else
        {
            int prevSlot = (int)((_frames - 1) % _depth);
            int pb = prevSlot * MaxStates;
            int pn = _count[prevSlot];
            for (int s = 0; s < n; s++)
            {
                float bestCost = float.PositiveInfinity;
                int bestPrev = 0;
                for (int p = 0; p < pn; p++)
                {
                    float t;
                    if (s == 0) t = p == 0 ? 0f : VoicingSwitchCost;
                    else if (p == 0) t = VoicingSwitchCost;
                    else t = MathF.Min(JumpCostPerOctave * MathF.Abs(_log2[b + s] - _log2[pb + p]), MaxJumpCost);
                    float c = _cost[p] + t;
                    if (c < bestCost) { bestCost = c; bestPrev = p; }
                }
                if (s == 0 && (bestPrev != 0 || _holdValid[prevSlot]))
                {
                    hold = _period[pb + bestPrev];
                    holdValid = true;
                }
                float local = s == 0 ? UnvoicedCost : VoicedCost(_period[b + s], _corr[b + s]);
                _next[s] = bestCost + local;
                _back[b + s] = bestPrev;
            }
        }

        // Renormalise so the running costs stay small (subtracting a constant changes no decision).
        float min = float.PositiveInfinity;
        for (int s = 0; s < n; s++) min = MathF.Min(min, _next[s]);
        for (int s = 0; s < n; s++) _cost[s] = _next[s] - min;
        for (int s = n; s < MaxStates; s++) _cost[s] = float.PositiveInfinity;
        _period[b] = hold;
        _holdValid[slot] = holdValid;
        _frames++;
        return hold;
    }

    /// <summary>Sets what the newest frame reports if a path declares it unvoiced.</summary>
    public void SetUnvoiced(PitchResult unvoiced)
    {
        int b = (int)((_frames - 1) % _depth) * MaxStates;
        _period[b] = unvoiced.Period;
        _corr[b] = unvoiced.Correlation;
    }

    /// <summary>
    /// Decision for the frame pushed <paramref name="lag"/> frames before the newest one, on the best
    /// path ending at the newest frame. <paramref name="voiced"/> tells whether that state is voiced.
    /// </summary>
    public PitchResult Decide(int lag, out bool voiced)
    {
        Debug.Assert(lag >= 0 && lag < _depth && lag < _frames);
        int newest = (int)((_frames - 1) % _depth);
        int n = _count[newest];
        int s = 0;
        for (int i = 1; i < n; i++)
            if (_cost[i] < _cost[s]) s = i;
        int slot = newest;
        for (int k = 0; k < lag; k++)
        {
            s = _back[slot * MaxStates + s];
            slot = (slot - 1 + _depth) % _depth;
        }
        voiced = s != 0;
        int idx = slot * MaxStates + s;
        return new PitchResult(_period[idx], _corr[idx]);
    }
}
