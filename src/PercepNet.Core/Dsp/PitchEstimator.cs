using System.Diagnostics;
using System.Numerics;

namespace PercepNet.Dsp;

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

    internal const int LpcOrder = 4;   // Autocorrelate() is written out for this order

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
    private readonly float[] _xy12 = new float[MaxLag12 + 1];
    private readonly float[] _lpcWindow = new float[Window24];
    private readonly double[] _windowed = new double[Window24];
    private readonly double[] _lagWindow = new double[LpcOrder + 1];
    private readonly float[] _whitening = new float[WhiteningTaps];
    private readonly double[] _ac = new double[LpcOrder + 1];
    private readonly double[] _lpc = new double[LpcOrder + 1];
    private readonly double[] _lpcPrev = new double[LpcOrder + 1];
    private readonly int[] _coarseLag = new int[CoarseCandidates];
    // Per-frame memo of the normalised correlations (NaN: not computed yet): the refinement windows of
    // the coarse peaks, their sub-multiples and MeasureAt overlap, and each lag costs two dot products.
    private readonly float[] _corr24 = new float[MaxLag24 + 1];
    private readonly float[] _corr48 = new float[FrameLayout.MaxPeriod + 1];
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
        Array.Fill(_corr24, float.NaN);
        Array.Fill(_corr48, float.NaN);

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
        Autocorrelate();
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

        // OPT: vectorised over n; each output sums its taps in the order j = 0.. from 0, as the scalar loop.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= Whitened24 - w; i += w)
            {
                var acc = Vector<float>.Zero;
                for (int j = 0; j < WhiteningTaps; j++)
                    acc += new Vector<float>(_x24.AsSpan(i + WhiteningTaps - 1 - j, w)) * _whitening[j];
                acc.CopyTo(_w24.AsSpan(i, w));
            }
        }
        for (; i < Whitened24; i++)
        {
            float s = 0f;
            int top = i + WhiteningTaps - 1;
            for (int j = 0; j < WhiteningTaps; j++)
                s += _whitening[j] * _x24[top - j];
            _w24[i] = s;
        }
    }

    /// <summary>Lag-windowed autocorrelation r[0..4] of the Hann-windowed newest 480 samples at 24 kHz
    /// into _ac (double sums over n in increasing order).</summary>
    private void Autocorrelate()
    {
        ReadOnlySpan<float> newest = _x24.AsSpan(History24 - Window24, Window24);
        // The windowed samples as doubles (exact): a scalar float-to-double conversion per product
        // would chain every product to the previous one (cvtss2sd merges into its destination).
        Span<double> v = _windowed;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= Window24 - w; i += w)
            {
                var x = new Vector<float>(newest.Slice(i, w)) * new Vector<float>(_lpcWindow.AsSpan(i, w));
                Vector.Widen(x, out Vector<double> lo, out Vector<double> hi);
                lo.CopyTo(v.Slice(i, w / 2));
                hi.CopyTo(v.Slice(i + w / 2, w / 2));
            }
        }
        for (; i < Window24; i++) v[i] = newest[i] * _lpcWindow[i];
        // OPT: the five sums advance together (five independent add chains instead of one after the
        // other); each still adds its terms in increasing n, so the result is bit-identical.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        for (int n = 0; n < LpcOrder; n++)
        {
            s0 += v[n] * v[n];
            if (n >= 1) s1 += v[n] * v[n - 1];
            if (n >= 2) s2 += v[n] * v[n - 2];
            if (n >= 3) s3 += v[n] * v[n - 3];
        }
        for (int n = LpcOrder; n < Window24; n++)
        {
            double x = v[n];
            s0 += x * x;
            s1 += x * v[n - 1];
            s2 += x * v[n - 2];
            s3 += x * v[n - 3];
            s4 += x * v[n - 4];
        }
        _ac[0] = s0 * _lagWindow[0];
        _ac[1] = s1 * _lagWindow[1];
        _ac[2] = s2 * _lagWindow[2];
        _ac[3] = s3 * _lagWindow[3];
        _ac[4] = s4 * _lagWindow[4];
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
        // OPT: the cross terms of four lags per pass over the window (see Dot4).
        int l = MinLag12 - 1;
        for (; l + 3 <= MaxLag12; l += 4) Dot4(win, _x12, MaxLag12 - l, _xy12.AsSpan(l, 4));
        for (; l <= MaxLag12; l++) _xy12[l] = Dot(win, _x12.AsSpan(MaxLag12 - l, Window12));
        for (int lag = MinLag12 - 1; lag <= MaxLag12; lag++)
        {
            double xy = _xy12[lag];
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
        Fill(_corr24, _w24, MaxLag24, Window24, _xx24, first, last);
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
        Fill(_corr48, _x48, History48 - Window48, Window48, _xx48,
            Math.Max(FrameLayout.MinPeriod, start - 1), Math.Min(FrameLayout.MaxPeriod, start + 1));
        for (int t = start - 1; t <= start + 1; t++)
        {
            if (t < FrameLayout.MinPeriod || t > FrameLayout.MaxPeriod) continue;
            float rf = Corr48(t);
            if (rf > bestFull) { bestFull = rf; period = t; }
        }
        period = Math.Clamp(period, FrameLayout.MinPeriod, FrameLayout.MaxPeriod);
        return new PitchCandidate(period, Math.Clamp(peak, 0f, 1f));
    }

    /// <summary>Normalised correlation of the whitened 24 kHz window at <paramref name="lag"/> (memoised per frame).</summary>
    private float Corr24(int lag)
    {
        float r = _corr24[lag];
        if (float.IsNaN(r))
        {
            ReadOnlySpan<float> win = _w24.AsSpan(MaxLag24, Window24);
            ReadOnlySpan<float> y = _w24.AsSpan(MaxLag24 - lag, Window24);
            r = _corr24[lag] = Normalised(win, y, _xx24);
        }
        return r;
    }

    /// <summary>Normalised correlation of the 48 kHz window at <paramref name="lag"/> (memoised per frame).</summary>
    private float Corr48(int lag)
    {
        float r = _corr48[lag];
        if (float.IsNaN(r))
        {
            ReadOnlySpan<float> win = _x48.AsSpan(History48 - Window48, Window48);
            ReadOnlySpan<float> y = _x48.AsSpan(History48 - Window48 - lag, Window48);
            r = _corr48[lag] = Normalised(win, y, _xx48);
        }
        return r;
    }

    /// <summary>
    /// Memoises the normalised correlations of lags <paramref name="first"/>..<paramref name="last"/>
    /// of the window <paramref name="signal"/>[windowStart..+length] into <paramref name="memo"/>:
    /// runs of three lags not computed yet go through <see cref="Normalised3"/> (one pass for three),
    /// the rest are left to the single-lag path. Same values as computing them one by one.
    /// </summary>
    private static void Fill(float[] memo, float[] signal, int windowStart, int length, double xx, int first, int last)
    {
        ReadOnlySpan<float> win = signal.AsSpan(windowStart, length);
        for (int lag = first; lag + 2 <= last; lag++)
        {
            if (!float.IsNaN(memo[lag]) || !float.IsNaN(memo[lag + 1]) || !float.IsNaN(memo[lag + 2])) continue;
            Normalised3(win, signal, windowStart - lag, xx, memo.AsSpan(lag, 3));
            lag += 2;
        }
    }

    /// <summary>
    /// r[j] = <see cref="Normalised"/>(x, y.Slice(start - j, x.Length), xx) for j = 0..2, bit-identical
    /// to the single calls (same lanes and order in each dot product), with one load of x for all three.
    /// </summary>
    private static void Normalised3(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int start, double xx, Span<float> r)
    {
        int n = x.Length;
        if (!Vector.IsHardwareAccelerated || n < 2 * Vector<float>.Count)
        {
            for (int j = 0; j < 3; j++) r[j] = Normalised(x, y.Slice(start - j, n), xx);
            return;
        }
        int w = Vector<float>.Count;
        ReadOnlySpan<float> y0 = y.Slice(start, n), y1 = y.Slice(start - 1, n), y2 = y.Slice(start - 2, n);
        Vector<float> a0 = default, b0 = default, e0 = default, f0 = default;
        Vector<float> a1 = default, b1 = default, e1 = default, f1 = default;
        Vector<float> a2 = default, b2 = default, e2 = default, f2 = default;
        int i = 0;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var u = new Vector<float>(x.Slice(i, w));
            var v = new Vector<float>(x.Slice(i + w, w));
            var p = new Vector<float>(y0.Slice(i, w));
            var q = new Vector<float>(y0.Slice(i + w, w));
            a0 += u * p; b0 += v * q; e0 += p * p; f0 += q * q;
            p = new Vector<float>(y1.Slice(i, w));
            q = new Vector<float>(y1.Slice(i + w, w));
            a1 += u * p; b1 += v * q; e1 += p * p; f1 += q * q;
            p = new Vector<float>(y2.Slice(i, w));
            q = new Vector<float>(y2.Slice(i + w, w));
            a2 += u * p; b2 += v * q; e2 += p * p; f2 += q * q;
        }
        float s0 = Vector.Sum(a0 + b0), s1 = Vector.Sum(a1 + b1), s2 = Vector.Sum(a2 + b2);
        float t0 = Vector.Sum(e0 + f0), t1 = Vector.Sum(e1 + f1), t2 = Vector.Sum(e2 + f2);
        for (; i < n; i++)
        {
            s0 += x[i] * y0[i]; t0 += y0[i] * y0[i];
            s1 += x[i] * y1[i]; t1 += y1[i] * y1[i];
            s2 += x[i] * y2[i]; t2 += y2[i] * y2[i];
        }
        r[0] = Ratio(s0, t0, xx);
        r[1] = Ratio(s1, t1, xx);
        r[2] = Ratio(s2, t2, xx);
    }

    /// <summary>xy / sqrt(xx yy), 0 when the denominator vanishes.</summary>
    private static float Ratio(float xy, float yy, double xx)
    {
        double den = xx * yy;
        return den > 1e-30 ? (float)(xy / Math.Sqrt(den)) : 0f;
    }

    /// <summary>x.y / sqrt(xx y.y), 0 when the denominator vanishes.</summary>
    private static float Normalised(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double xx)
    {
        float xy = DotAndEnergy(x, y, out float yy);
        return Ratio(xy, yy, xx);
    }

    /// <summary><see cref="Dot"/>(a, b) and <see cref="Dot"/>(b, b) in one pass, each bit-identical to
    /// its own call (same lanes, same order).</summary>
    internal static float DotAndEnergy(ReadOnlySpan<float> a, ReadOnlySpan<float> b, out float bb)
    {
        Debug.Assert(a.Length == b.Length);
        int n = a.Length;
        int i = 0;
        float s = 0f, e = 0f;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            var en0 = Vector<float>.Zero;
            var en1 = Vector<float>.Zero;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                var b0 = new Vector<float>(b.Slice(i, w));
                var b1 = new Vector<float>(b.Slice(i + w, w));
                acc0 += new Vector<float>(a.Slice(i, w)) * b0;
                acc1 += new Vector<float>(a.Slice(i + w, w)) * b1;
                en0 += b0 * b0;
                en1 += b1 * b1;
            }
            s = Vector.Sum(acc0 + acc1);
            e = Vector.Sum(en0 + en1);
        }
        for (; i < n; i++)
        {
            s += a[i] * b[i];
            e += b[i] * b[i];
        }
        bb = e;
        return s;
    }

    /// <summary>
    /// result[j] = <see cref="Dot"/>(a, b.Slice(start - j, a.Length)) for j = 0..3, each bit-identical
    /// to its own call (same lanes, same order), with one load of <paramref name="a"/> for all four.
    /// </summary>
    internal static void Dot4(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int start, Span<float> result)
    {
        Debug.Assert(start >= 3 && start + a.Length <= b.Length && result.Length >= 4);
        int n = a.Length;
        if (!Vector.IsHardwareAccelerated || n < 2 * Vector<float>.Count)
        {
            for (int j = 0; j < 4; j++) result[j] = Dot(a, b.Slice(start - j, n));
            return;
        }
        int w = Vector<float>.Count;
        ReadOnlySpan<float> b0 = b.Slice(start, n), b1 = b.Slice(start - 1, n), b2 = b.Slice(start - 2, n), b3 = b.Slice(start - 3, n);
        Vector<float> p0 = default, q0 = default, p1 = default, q1 = default;
        Vector<float> p2 = default, q2 = default, p3 = default, q3 = default;
        int i = 0;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var x = new Vector<float>(a.Slice(i, w));
            var y = new Vector<float>(a.Slice(i + w, w));
            p0 += x * new Vector<float>(b0.Slice(i, w)); q0 += y * new Vector<float>(b0.Slice(i + w, w));
            p1 += x * new Vector<float>(b1.Slice(i, w)); q1 += y * new Vector<float>(b1.Slice(i + w, w));
            p2 += x * new Vector<float>(b2.Slice(i, w)); q2 += y * new Vector<float>(b2.Slice(i + w, w));
            p3 += x * new Vector<float>(b3.Slice(i, w)); q3 += y * new Vector<float>(b3.Slice(i + w, w));
        }
        float s0 = Vector.Sum(p0 + q0), s1 = Vector.Sum(p1 + q1), s2 = Vector.Sum(p2 + q2), s3 = Vector.Sum(p3 + q3);
        for (; i < n; i++)
        {
            s0 += a[i] * b0[i];
            s1 += a[i] * b1[i];
            s2 += a[i] * b2[i];
            s3 += a[i] * b3[i];
        }
        result[0] = s0; result[1] = s1; result[2] = s2; result[3] = s3;
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
