// FROZEN COPY of src/PercepNet.Core/Dsp/PitchEstimator.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using System.Diagnostics;
using System.Numerics;

using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// Per-frame pitch search (no tracking, no look-ahead): for the newest analysis window it returns a
/// short list of period candidates with their normalised correlations.
/// <para>
/// Pipeline (the Opus/RNNoise approach, our code): 40 Hz high-pass -> 48 kHz history -> 2x decimation ([1,2,1]/4)
/// -> LPC whitening at 24 kHz (order 4, Hann-windowed autocorrelation, Gaussian lag window,
/// bandwidth expansion, plus a (1 + 0.8 z^-1) tilt) -> 2x decimation again -> coarse normalised
/// cross-correlation over every lag at 12 kHz -> the best local maxima refined at 24 kHz (+-2 lags,
/// parabolic interpolation of the peak) and at 48 kHz on the input signal (+-1 sample) -> the
/// sub-multiples T/k of the strongest candidate are tested and added when their correlation is close,
/// so that the tracker can undo period doubling.
/// </para>
/// All buffers are allocated in the constructor; <see cref="Analyze"/> allocates nothing.
/// </summary>
internal sealed class PitchEstimator
{
    /// <summary>Most candidates returned per frame (coarse peaks plus sub-multiples).</summary>
    public const int MaxCandidates = 8;

    /// <summary>Local maxima of the coarse (12 kHz) correlation that are refined.</summary>
    internal const int CoarseCandidates = 5;

    /// <summary>A sub-multiple T/k of the strongest candidate becomes a candidate when its correlation is
    /// at least this fraction of the strongest one (Opus uses thresholds of 0.7-0.9 for its decision;
    /// here it only gates the candidate list, the tracker's cost decides).</summary>
    internal const float SubMultipleRatio = 0.7f;

    /// <summary>Highest divisor k tried for sub-multiples T/k (Opus goes to 15; T/k must stay >= MinPeriod).</summary>
    internal const int MaxSubMultiple = 12;

    internal const int LpcOrder = 4;

    /// <summary>Bandwidth expansion of the LPC polynomial: a_j *= 0.8^j, i.e. partial whitening. Full-ish
    /// whitening (0.9) over-weights the high harmonics, which vibrato decorrelates first and where noise
    /// dominates (0 dB white: GPE of the raw estimate 8.7% at 0.9, 5.2% at 0.8, 2.7% at 0.7); weaker
    /// whitening (0.7) raises the correlation of low-pass noise (mean 0.20 vs 0.19 at 0.8).</summary>
    internal const float LpcBandwidthExpansion = 0.8f;

    /// <summary>Gaussian lag window of the autocorrelation, expressed as a bandwidth in Hz at 24 kHz
    /// (r[k] *= exp(-0.5 (2 pi B k / fs)^2)); smooths the LPC envelope so it does not follow harmonics.</summary>
    internal const double LagWindowHz = 50.0;

    /// <summary>White-noise correction: r[0] *= 1 + 1e-4 (a -40 dB floor) keeps Levinson well conditioned.</summary>
    internal const double WhiteNoiseCorrection = 1e-4;

    /// <summary>Zero of the post-whitening tilt (1 + 0.8 z^-1): de-emphasises 6-12 kHz at 24 kHz, where the
    /// [1,2,1] decimator leaves aliases and speech has few harmonics.</summary>
    internal const float TiltCoefficient = 0.8f;

    /// <summary>Windows whose mean square after the high-pass is below this (-80 dBFS) are silence: no
    /// candidates, correlation 0. The pauses of 16-bit recordings (LSB-level drift near -85 dBFS) otherwise
    /// correlate strongly at short lags; speech itself sits 30-60 dB higher.</summary>
    internal const double SilenceMeanSquare = 1e-8;

    /// <summary>Corner of the 2nd-order Butterworth high-pass applied to the input before analysis. Removes
    /// DC offsets and sub-audio wander (e.g. the -80 dBFS offset plus LSB drift in the pauses of 16-bit
    /// studio recordings, which otherwise correlates at every lag and reads as "voiced, r = 0.9");
    /// at 62.5 Hz, the lowest pitch, the loss is 1.2 dB.</summary>
    internal const double HighPassHz = 40.0;

    /// <summary>Inputs are clamped to +-8 so that no finite garbage can overflow the float sums.</summary>
    private const float InputClamp = 8f;

    // Sizes at the three rates. Window = the STFT window, lags = [MinPeriod, MaxPeriod] scaled.
    private const int Window48 = FrameLayout.WindowSize;                  // 960
    private const int History48 = Window48 + FrameLayout.MaxPeriod;       // 1728
    private const int Frame24 = FrameLayout.FrameSize / 2;                // 240
    private const int Window24 = Window48 / 2;                            // 480
    private const int MinLag24 = FrameLayout.MinPeriod / 2;               // 30
    private const int MaxLag24 = FrameLayout.MaxPeriod / 2;               // 384
    private const int Whitened24 = Window24 + MaxLag24;                   // 864
    private const int WhiteningTaps = LpcOrder + 2;                       // A(z) (1 + 0.8 z^-1)
    private const int History24 = Whitened24 + WhiteningTaps - 1;        // 869
    private const int Window12 = Window24 / 2;                            // 240
    private const int MinLag12 = MinLag24 / 2;                            // 15
    private const int MaxLag12 = MaxLag24 / 2;                            // 192
    private const int Length12 = Window12 + MaxLag12;                     // 432

    private readonly float[] _x48 = new float[History48];
    private readonly float[] _x24 = new float[History24];
    private readonly float[] _w24 = new float[Whitened24];
    private readonly float[] _x12 = new float[Length12];
    private readonly float[] _r12 = new float[MaxLag12 + 2];
    private readonly float[] _lpcWindow = new float[Window24];
    private readonly double[] _lagWindow = new double[LpcOrder + 1];
    private readonly float[] _whitening = new float[WhiteningTaps];
    private readonly double[] _ac = new double[LpcOrder + 1];
    private readonly double[] _lpc = new double[LpcOrder + 1];
    private readonly double[] _lpcPrev = new double[LpcOrder + 1];
    private readonly int[] _coarseLag = new int[CoarseCandidates];
    private readonly float[] _coarseCorr = new float[CoarseCandidates];

    private readonly double _hpB0, _hpA1, _hpA2;   // b1 = -2 b0, b2 = b0 for the Butterworth high-pass
    private double _hpX1, _hpX2, _hpY1, _hpY2;

    private double _xx24;
    private double _xx48;

    public PitchEstimator()
    {
        // Hann window over the newest 480 samples at 24 kHz for the LPC autocorrelation.
        for (int n = 0; n < Window24; n++)
            _lpcWindow[n] = (float)(0.5 - 0.5 * Math.Cos(2.0 * Math.PI * (n + 0.5) / Window24));
        double fs24 = FrameLayout.SampleRate / 2.0;
        for (int k = 0; k <= LpcOrder; k++)
        {
            double a = 2.0 * Math.PI * LagWindowHz * k / fs24;
            _lagWindow[k] = Math.Exp(-0.5 * a * a);
        }
        _lagWindow[0] = 1.0 + WhiteNoiseCorrection;

        // Bilinear-transform Butterworth high-pass.
        double kk = Math.Tan(Math.PI * HighPassHz / FrameLayout.SampleRate);
        double norm = 1.0 / (1.0 + Math.Sqrt(2.0) * kk + kk * kk);
        _hpB0 = norm;
        _hpA1 = 2.0 * (kk * kk - 1.0) * norm;
        _hpA2 = (1.0 - Math.Sqrt(2.0) * kk + kk * kk) * norm;
    }

    /// <summary>Forget all history (the next frame starts a new stream).</summary>
    public void Reset()
    {
        Array.Clear(_x48);
        Array.Clear(_x24);
        Array.Clear(_w24);
        Array.Clear(_x12);
        Array.Clear(_r12);
        _xx24 = 0;
        _xx48 = 0;
        _hpX1 = _hpX2 = _hpY1 = _hpY2 = 0;
    }

    /// <summary>
    /// Appends the newest <see cref="FrameLayout.FrameSize"/> samples and searches the window that ends
    /// with them. Writes up to <see cref="MaxCandidates"/> candidates (distinct periods, any order) and
    /// returns how many; 0 means silence.
    /// </summary>
    public int Analyze(ReadOnlySpan<float> frame, Span<PitchCandidate> candidates)
    {
        Debug.Assert(frame.Length == FrameLayout.FrameSize);
        Debug.Assert(candidates.Length >= MaxCandidates);
        Append(frame);
        Whiten();
        DecimateTo12k();

        ReadOnlySpan<float> win48 = _x48.AsSpan(History48 - Window48, Window48);
        _xx48 = Dot(win48, win48);
        ReadOnlySpan<float> win24 = _w24.AsSpan(MaxLag24, Window24);
        _xx24 = Dot(win24, win24);
        if (_xx48 < SilenceMeanSquare * Window48)
            return 0;
        if (_xx24 <= 0)
            return 0;

        int coarse = CoarseSearch();
        int count = 0;
        for (int i = 0; i < coarse; i++)
        {
            PitchCandidate c = Refine(2 * _coarseLag[i], 2);
            count = AddDistinct(candidates, count, c);
        }
        if (count == 0)
            return 0;

        // Sub-multiples of the strongest candidate (undo period doubling / tripling ...).
        int best = 0;
        for (int i = 1; i < count; i++)
            if (candidates[i].Correlation > candidates[best].Correlation) best = i;
        PitchCandidate top = candidates[best];
        for (int k = 2; k <= MaxSubMultiple; k++)
        {
            int sub = (top.Period + k / 2) / k;
            if (sub < FrameLayout.MinPeriod) break;
            PitchCandidate c = Refine((sub + 1) / 2, 1, out bool isPeak);
            if (isPeak && c.Correlation >= SubMultipleRatio * top.Correlation)
                count = AddDistinct(candidates, count, c);
        }
        return count;
    }

    /// <summary>
    /// Correlation of the newest window near a given period (24 kHz lags period/2 +- 1 searched, then
    /// the 48 kHz refinement), for the tracker's unvoiced state. Correlation 0 if the window is silent.
    /// </summary>
    public PitchCandidate MeasureAt(int period)
    {
        period = Math.Clamp(period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        if (_xx48 < SilenceMeanSquare * Window48 || _xx24 <= 0)
            return new PitchCandidate(period, 0f);
        return Refine((period + 1) / 2, 1);
    }

    /// <summary>Adds c unless a candidate within 3% of its period exists (then keeps the stronger).
    /// When the list is full the weakest entry is replaced if c is stronger.</summary>
    private static int AddDistinct(Span<PitchCandidate> list, int count, PitchCandidate c)
    {
        for (int i = 0; i < count; i++)
        {
            int d = Math.Abs(list[i].Period - c.Period);
            if (d * 100 <= 3 * Math.Min(list[i].Period, c.Period))
            {
                if (c.Correlation > list[i].Correlation) list[i] = c;
                return count;
            }
        }
        if (count < MaxCandidates)
        {
            list[count] = c;
            return count + 1;
        }
        int weakest = 0;
        for (int i = 1; i < count; i++)
            if (list[i].Correlation < list[weakest].Correlation) weakest = i;
        if (c.Correlation > list[weakest].Correlation) list[weakest] = c;
        return count;
    }

    private void Append(ReadOnlySpan<float> frame)
    {
        const int n = FrameLayout.FrameSize;
        Array.Copy(_x48, n, _x48, 0, History48 - n);
        Span<float> dst = _x48.AsSpan(History48 - n, n);
        double x1 = _hpX1, x2 = _hpX2, y1 = _hpY1, y2 = _hpY2;
        for (int i = 0; i < n; i++)
        {
            float v = frame[i];
            // NaN/Inf get a defined path (silence), never an exception on the audio thread.
            double x0 = float.IsFinite(v) ? Math.Clamp(v, -InputClamp, InputClamp) : 0.0;
            double y0 = _hpB0 * (x0 - 2.0 * x1 + x2) - _hpA1 * y1 - _hpA2 * y2;
            x2 = x1; x1 = x0; y2 = y1; y1 = y0;
            dst[i] = (float)y0;
        }
        // Flush the decaying tail after the input stops, so the state never goes subnormal.
        if (Math.Abs(y1) < 1e-30 && Math.Abs(y2) < 1e-30) y1 = y2 = 0;
        _hpX1 = x1; _hpX2 = x2; _hpY1 = y1; _hpY2 = y2;

        // 48 -> 24 kHz with the [1,2,1]/4 half-band-ish lowpass (zero at 12 kHz).
        Array.Copy(_x24, Frame24, _x24, 0, History24 - Frame24);
        int src = History48 - n;
        int o = History24 - Frame24;
        for (int i = 0; i < Frame24; i++)
        {
            // 24 kHz sample i sits on 48 kHz sample src + 2i; its neighbours are inside the history
            // (j - 1 >= src - 1 is the previous frame's last sample, j + 1 <= History48 - 1).
            int j = src + 2 * i;
            _x24[o + i] = 0.25f * _x48[j - 1] + 0.5f * _x48[j] + 0.25f * _x48[j + 1];
        }
    }

    /// <summary>LPC analysis of the newest window at 24 kHz and whitening of the whole 24 kHz history
    /// with that one filter (stateless, so nothing depends on the previous frame's filter).</summary>
    private void Whiten()
    {
        ReadOnlySpan<float> newest = _x24.AsSpan(History24 - Window24, Window24);
        for (int k = 0; k <= LpcOrder; k++)
        {
            double s = 0;
            for (int n = k; n < Window24; n++)
                s += (double)(newest[n] * _lpcWindow[n]) * (newest[n - k] * _lpcWindow[n - k]);
            _ac[k] = s * _lagWindow[k];
        }
        Levinson(_ac, _lpc, _lpcPrev);

        // A(z) with bandwidth expansion, convolved with the tilt (1 + c z^-1).
        double g = 1.0;
        Span<float> a = stackalloc float[LpcOrder + 1];
        for (int j = 0; j <= LpcOrder; j++)
        {
            a[j] = (float)(_lpc[j] * g);
            g *= LpcBandwidthExpansion;
        }
        _whitening[0] = a[0];
        for (int j = 1; j <= LpcOrder; j++)
            _whitening[j] = a[j] + TiltCoefficient * a[j - 1];
        _whitening[LpcOrder + 1] = TiltCoefficient * a[LpcOrder];

        for (int n = 0; n < Whitened24; n++)
        {
            float s = 0f;
            int top = n + WhiteningTaps - 1;
            for (int j = 0; j < WhiteningTaps; j++)
                s += _whitening[j] * _x24[top - j];
            _w24[n] = s;
        }
    }

    /// <summary>Levinson-Durbin: prediction-error polynomial a (a[0] = 1) from autocorrelation r.
    /// Stops early (keeping the lower order) if the recursion becomes ill-conditioned.</summary>
    internal static void Levinson(ReadOnlySpan<double> r, Span<double> a, Span<double> tmp)
    {
        int p = r.Length - 1;
        a.Clear();
        a[0] = 1.0;
        double err = r[0];
        if (!(err > 1e-20)) return;
        for (int i = 1; i <= p; i++)
        {
            double acc = r[i];
            for (int j = 1; j < i; j++) acc += a[j] * r[i - j];
            double k = -acc / err;
            if (Math.Abs(k) >= 0.9999) break;
            a.CopyTo(tmp);
            for (int j = 1; j < i; j++) a[j] = tmp[j] + k * tmp[i - j];
            a[i] = k;
            err *= 1.0 - k * k;
            if (err <= 1e-9 * r[0]) break;
        }
    }

    /// <summary>24 -> 12 kHz decimation of the whitened signal, again with [1,2,1]/4.</summary>
    private void DecimateTo12k()
    {
        for (int i = 0; i < Length12; i++)
        {
            int j = 2 * i;
            float prev = j > 0 ? _w24[j - 1] : _w24[j];
            _x12[i] = 0.25f * prev + 0.5f * _w24[j] + 0.25f * _w24[j + 1];
        }
    }

    /// <summary>Normalised correlation at every lag 14..192 at 12 kHz (periods 56..768 at 48 kHz; lag 14
    /// only to qualify a peak at 15); keeps the strongest local maxima of 15..192 in _coarseLag (12 kHz
    /// lags) and returns their number.</summary>
    private int CoarseSearch()
    {
        ReadOnlySpan<float> win = _x12.AsSpan(MaxLag12, Window12);
        double xx = Dot(win, win);
        // One lag below the range as well, so that a peak at the shortest period must be a real maximum:
        // a correlation that only falls from the shortest lag on (low-pass noise, DC wander) has no peak.
        ReadOnlySpan<float> first = _x12.AsSpan(MaxLag12 - (MinLag12 - 1), Window12);
        double yy = Dot(first, first);
        for (int lag = MinLag12 - 1; lag <= MaxLag12; lag++)
        {
            ReadOnlySpan<float> y = _x12.AsSpan(MaxLag12 - lag, Window12);
            double xy = Dot(win, y);
            double den = xx * yy;
            _r12[lag] = den > 1e-30 ? (float)(xy / Math.Sqrt(den)) : 0f;
            if (lag < MaxLag12)
            {
                // Slide the lagged energy one sample further into the past.
                float inS = _x12[MaxLag12 - lag - 1];
                float outS = _x12[MaxLag12 - lag + Window12 - 1];
                yy += (double)inS * inS - (double)outS * outS;
                if (yy < 0) yy = 0;
            }
        }

        int count = 0;
        for (int lag = MinLag12; lag <= MaxLag12; lag++)
        {
            float r = _r12[lag];
            if (r <= 0f) continue;
            bool leftOk = r > _r12[lag - 1];
            bool rightOk = lag == MaxLag12 || r >= _r12[lag + 1];
            if (!leftOk || !rightOk) continue;
            // Insert into the small list sorted by decreasing correlation.
            int pos = count;
            while (pos > 0 && _coarseCorr[pos - 1] < r) pos--;
            if (pos >= CoarseCandidates) continue;
            int last = Math.Min(count, CoarseCandidates - 1);
            for (int m = last; m > pos; m--)
            {
                _coarseCorr[m] = _coarseCorr[m - 1];
                _coarseLag[m] = _coarseLag[m - 1];
            }
            _coarseCorr[pos] = r;
            _coarseLag[pos] = lag;
            if (count < CoarseCandidates) count++;
        }
        return count;
    }

    /// <summary>Searches 24 kHz lags center +- halfWidth on the whitened signal, interpolates the peak
    /// parabolically, then picks the best of three neighbouring 48 kHz periods on the input signal.</summary>
    private PitchCandidate Refine(int center, int halfWidth) => Refine(center, halfWidth, out _);

    /// <param name="center">Centre of the search, a 24 kHz lag.</param>
    /// <param name="halfWidth">Lags searched either side of the centre.</param>
    /// <param name="isPeak">false when the best lag of the window is not a local maximum (the correlation
    /// still rises beyond the window edge): not a period of its own, just the slope of another peak.</param>
    private PitchCandidate Refine(int center, int halfWidth, out bool isPeak)
    {
        int lo = Math.Max(MinLag24, center - halfWidth);
        int hi = Math.Min(MaxLag24, center + halfWidth);
        if (lo > hi) lo = hi = Math.Clamp(center, MinLag24, MaxLag24);
        // Correlations at lo-1 .. hi+1 (the outer two only for the parabola), clamped to the lag range.
        Span<float> r = stackalloc float[2 * halfWidth + 3];
        int first = Math.Max(MinLag24 - 1, lo - 1);
        int last = Math.Min(MaxLag24, hi + 1);
        for (int lag = first; lag <= last; lag++)
            r[lag - first] = Corr24(lag);
        int bestLag = lo;
        float best = float.NegativeInfinity;
        for (int lag = lo; lag <= hi; lag++)
        {
            if (r[lag - first] > best) { best = r[lag - first]; bestLag = lag; }
        }
        float left = bestLag > first ? r[bestLag - 1 - first] : best;
        float right = bestLag < last ? r[bestLag + 1 - first] : best;
        isPeak = best >= left && best >= right;
        float offset = 0f;
        float peak = best;
        float curv = left - 2f * best + right;
        if (curv < 0f)
        {
            offset = Math.Clamp(0.5f * (left - right) / curv, -0.5f, 0.5f);
            peak = best - 0.25f * (left - right) * offset;
        }

        int start = (int)MathF.Round(2f * (bestLag + offset));
        int period = start;
        float bestFull = float.NegativeInfinity;
        for (int t = start - 1; t <= start + 1; t++)
        {
            if (t < FrameLayout.MinPeriod || t > FrameLayout.MaxPeriod) continue;
            float rf = Corr48(t);
            if (rf > bestFull) { bestFull = rf; period = t; }
        }
        period = Math.Clamp(period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        return new PitchCandidate(period, Math.Clamp(peak, 0f, 1f));
    }

    private float Corr24(int lag)
    {
        ReadOnlySpan<float> win = _w24.AsSpan(MaxLag24, Window24);
        ReadOnlySpan<float> y = _w24.AsSpan(MaxLag24 - lag, Window24);
        double den = _xx24 * Dot(y, y);
        return den > 1e-30 ? (float)(Dot(win, y) / Math.Sqrt(den)) : 0f;
    }

    private float Corr48(int lag)
    {
        ReadOnlySpan<float> win = _x48.AsSpan(History48 - Window48, Window48);
        ReadOnlySpan<float> y = _x48.AsSpan(History48 - Window48 - lag, Window48);
        double den = _xx48 * Dot(y, y);
        return den > 1e-30 ? (float)(Dot(win, y) / Math.Sqrt(den)) : 0f;
    }

    /// <summary>Float dot product. OPT: Vector&lt;float&gt; lanes; the lane order is fixed for a given
    /// machine, so results repeat bit-exactly run to run.</summary>
    internal static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Debug.Assert(a.Length == b.Length);
        int n = a.Length;
        int i = 0;
        float s = 0f;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                acc0 += new Vector<float>(a.Slice(i, w)) * new Vector<float>(b.Slice(i, w));
                acc1 += new Vector<float>(a.Slice(i + w, w)) * new Vector<float>(b.Slice(i + w, w));
            }
            s = Vector.Sum(acc0 + acc1);
        }
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }
}
