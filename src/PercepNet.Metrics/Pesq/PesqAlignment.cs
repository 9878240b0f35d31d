using System.Diagnostics;

namespace PercepNet.Metrics.Pesq;

/// <summary>One utterance of the reference: its span in 4 ms windows and the delay of the degraded signal.</summary>
internal struct Utterance
{
    /// <summary>Span searched for this utterance's delay, in windows of the reference.</summary>
    public int SearchStart, SearchEnd;

    /// <summary>Span scored with this utterance's delay, in windows of the reference.</summary>
    public int Start, End;

    /// <summary>Envelope-based delay estimate and the fine (histogram) delay, in samples (degraded minus reference).</summary>
    public int DelayEstimate, Delay;

    /// <summary>Confidence of <see cref="Delay"/>: height of the smoothed histogram peak.</summary>
    public double Confidence;
}

/// <summary>
/// Time alignment of P.862 clause 10.1.3: crude delay from the envelopes, utterance detection, per
/// utterance a crude then a fine (histogram of cross-correlation peaks over 64 ms frames) delay,
/// utterance boundaries placed between utterances, and the splitting of an utterance in two when
/// two different delays fit its halves better than one fits the whole.
/// </summary>
internal sealed class PesqAlignment
{
    /// <summary>The reference implementation's fixed capacity: no split once this many utterances exist.</summary>
    private const int MaxUtterances = 50;

    /// <summary>Speech runs shorter than this many windows (200 ms) are not utterances.</summary>
    private const int MinUtteranceWindows = 50;

    /// <summary>Only utterances with at least this much speech (800 ms) are tried for a split.</summary>
    private const int MinSplitWindows = 200;

    /// <summary>Where the split search's analysis window starts in the reference's shared scratch buffer.</summary>
    private int SharedWindowOffset => 3 * _cfg.AlignNfft + 6;

    private readonly PesqConfig _cfg;
    private readonly PaddedSignal _ref, _deg;
    private readonly PesqVad _refVad, _degVad;
    private readonly double[] _window;
    private readonly double[] _re, _im, _corr, _hist, _scratch;
    private int _crudeDelay;

    private PesqAlignment(PesqConfig cfg, PaddedSignal reference, PaddedSignal degraded, PesqVad refVad, PesqVad degVad)
    {
        _cfg = cfg;
        _ref = reference;
        _deg = degraded;
        _refVad = refVad;
        _degVad = degVad;
        int n = cfg.AlignNfft;
        _window = new double[n];
        for (int i = 0; i < n; i++) _window[i] = 0.5 * (1.0 - Math.Cos(2.0 * Math.PI * i / n));
        _re = new double[n];
        _im = new double[n];
        _corr = new double[n];
        _hist = new double[n];
        _scratch = new double[n];
    }

    public List<Utterance> Utterances { get; } = new();

    /// <summary>
    /// Runs the whole alignment on the alignment-filtered signals. The result may be empty (no
    /// utterance found in the reference).
    /// </summary>
    public static List<Utterance> Run(PesqConfig cfg, PaddedSignal reference, PaddedSignal degraded)
    {
        var refVad = PesqVad.Compute(reference, cfg);
        var degVad = PesqVad.Compute(degraded, cfg);
        var a = new PesqAlignment(cfg, reference, degraded, refVad, degVad);
        int ds = cfg.Downsample;
        a._crudeDelay = a.CrudeLag(0, reference.Length / ds, 0, degraded.Length / ds) * ds;
        a.FindSearchWindows();
        for (int u = 0; u < a.Utterances.Count; u++)
        {
            var utt = a.Utterances[u];
            utt.DelayEstimate = a.CrudeDelayIn(utt.SearchStart, utt.SearchEnd, a._crudeDelay);
            (utt.Delay, utt.Confidence) = a.FineDelay(utt.SearchStart, utt.SearchEnd, utt.DelayEstimate);
            a.Utterances[u] = utt;
        }
        a.PlaceBoundaries();
        a.SplitUtterances();
        return a.Utterances;
    }

    /// <summary>
    /// Lag (in windows, degraded minus reference) maximising the cross-correlation of the log
    /// envelopes over the given spans; 0 when the spans are too short or nothing correlates.
    /// </summary>
    /// <param name="sharedWindow">When given, receives the correlation values the reference
    /// implementation's shared scratch buffer leaves in the analysis window (see <see cref="FindSplit"/>).</param>
    private int CrudeLag(int startRef, int nRef, int startDeg, int nDeg, double[]? sharedWindow = null)
    {
        if (nRef <= 1 || nDeg <= 1) return 0;
        var x = _refVad.LogEnvelope;
        var y = _degVad.LogEnvelope;
        int size = 2 * PesqFft.NextPow2(Math.Max(nRef, nDeg));
        var re = new double[size];
        var im = new double[size];
        // z = reversed(x) + j*y; the product of the two real spectra gives the linear correlation.
        for (int i = 0; i < nRef; i++) re[nRef - 1 - i] = x[startRef + i];
        for (int i = 0; i < nDeg; i++) im[i] = y[startDeg + i];
        var fft = PesqFft.Get(size);
        fft.Forward(re, im);
        // Split the two spectra (A from the real part, B from the imaginary part) and multiply: A*B.
        var pr = new double[size];
        var pi = new double[size];
        for (int k = 0; k < size; k++)
        {
            int m = (size - k) & (size - 1);
            double ar = 0.5 * (re[k] + re[m]), ai = 0.5 * (im[k] - im[m]);
            double br = 0.5 * (im[k] + im[m]), bi = -0.5 * (re[k] - re[m]);
            pr[k] = ar * br - ai * bi;
            pi[k] = ar * bi + ai * br;
        }
        fft.Inverse(pr, pi);
        if (sharedWindow != null)
        {
            int offset = SharedWindowOffset;
            for (int i = 0; i < sharedWindow.Length && offset + i < nRef + nDeg - 1; i++) sharedWindow[i] = pr[offset + i];
        }
        double max = 0;
        int best = nRef - 1;
        for (int k = 0; k < nRef + nDeg - 1; k++)
        {
            if (pr[k] > max)
            {
                max = pr[k];
                best = k;
            }
        }
        return best - nRef + 1;
    }

    /// <summary>Crude delay (samples) of the span [searchStart, searchEnd) given a prior estimate in samples.</summary>
    private int CrudeDelayIn(int searchStart, int searchEnd, int estimate, double[]? sharedWindow = null)
    {
        int ds = _cfg.Downsample;
        int degWindows = _deg.Length / ds;
        int startr = searchStart;
        int startd = startr + estimate / ds;
        if (startd < 0)
        {
            startr = -estimate / ds;
            startd = 0;
        }
        int nr = searchEnd - startr;
        int nd = nr;
        if (startd + nd > degWindows) nd = degWindows - startd;
        return CrudeLag(startr, nr, startd, nd, sharedWindow) * ds + estimate;
    }

    /// <summary>Speech runs of the reference envelope that qualify as utterances, with search margins.</summary>
    private void FindSearchWindows()
    {
        int ds = _cfg.Downsample;
        var vad = _refVad.Envelope;
        int n = vad.Length;
        int delStart = MinUtteranceWindows - _crudeDelay / ds;
        int delEnd = (_deg.Length - _crudeDelay) / ds - MinUtteranceWindows;
        bool inSpeech = false;
        int thisStart = 0, searchStart = 0;
        for (int w = 0; w < n; w++)
        {
            double v = vad[w];
            if (v > 0 && !inSpeech)
            {
                inSpeech = true;
                thisStart = w;
                searchStart = Math.Max(0, w - PesqConfig.SearchBufferWindows);
            }
            if ((v == 0 || w == n - 1) && inSpeech)
            {
                inSpeech = false;
                int searchEnd = Math.Min(n - 1, w + PesqConfig.SearchBufferWindows);
                if (w - thisStart >= MinUtteranceWindows && thisStart < delEnd && w > delStart)
                    Utterances.Add(new Utterance { SearchStart = searchStart, SearchEnd = searchEnd, Start = thisStart, End = w });
            }
        }
    }

    /// <summary>
    /// Utterance spans for scoring: the first starts at the signal start, the last ends at the signal
    /// end, and neighbours meet half-way; then kept inside the degraded signal and non-overlapping
    /// once their delays are applied.
    /// </summary>
    private void PlaceBoundaries()
    {
        int ds = _cfg.Downsample, sbw = PesqConfig.SearchBufferWindows;
        int count = Utterances.Count;
        if (count == 0) return;
        int nw = _ref.Length / ds;
        var u = CollectionsMarshalSpan();
        u[0].Start = sbw;
        u[count - 1].End = nw - sbw;
        for (int i = 1; i < count; i++)
        {
            int mid = (u[i].Start + u[i - 1].End) / 2;
            u[i].Start = mid;
            u[i - 1].End = mid;
        }
        if (u[0].Start * ds + u[0].Delay < sbw * ds)
            u[0].Start = sbw + (ds - 1 - u[0].Delay) / ds;
        int lastEnd = u[count - 1].End * ds + u[count - 1].Delay;
        if (lastEnd > _deg.Length - sbw * ds)
            u[count - 1].End = (_deg.Length - u[count - 1].Delay) / ds - sbw;
        for (int i = 1; i < count; i++)
        {
            int thisStart = u[i].Start * ds + u[i].Delay;
            int prevEnd = u[i - 1].End * ds + u[i - 1].Delay;
            if (thisStart < prevEnd)
            {
                int mid = (thisStart + prevEnd) / 2;
                u[i].Start = (ds - 1 + mid - u[i].Delay) / ds;
                u[i - 1].End = (mid - u[i - 1].Delay) / ds;
            }
        }
    }

    private Span<Utterance> CollectionsMarshalSpan() => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Utterances);

    /// <summary>
    /// Fine delay over [searchStart, searchEnd): for 64 ms Hann frames hopped by 16 ms, the lags whose
    /// |cross-correlation| is within 1% of the frame's maximum each add max^0.125 to a histogram; the
    /// histogram is smoothed with a triangle of ±1 ms and its peak, normalised by the total, is the
    /// confidence.
    /// </summary>
    private (int Delay, double Confidence) FineDelay(int searchStart, int searchEnd, int estimate)
    {
        int n = _cfg.AlignNfft, ds = _cfg.Downsample;
        var h = _hist;
        Array.Clear(h);
        int startr = searchStart * ds;
        int startd = startr + estimate;
        if (startd < 0)
        {
            startr = -estimate;
            startd = 0;
        }
        while (startd + n <= _deg.Length && startr + n <= searchEnd * ds)
        {
            double vmax = FrameCorrelation(startr, startd, _window);
            double vote = Math.Pow(vmax, 0.125);
            for (int k = 0; k < n; k++) if (_corr[k] > vmax) h[k] += vote;
            startr += n / 4;
            startd += n / 4;
        }
        double hsum = 0;
        for (int k = 0; k < n; k++) hsum += h[k];
        int kernel = n / 64;
        var smooth = _corr;
        for (int k = 0; k < n; k++)
        {
            double acc = h[k];
            for (int j = 1; j < kernel; j++)
            {
                double w = 1.0 - (double)j / kernel;
                acc += w * (h[(k - j + n) % n] + h[(k + j) % n]);
            }
            smooth[k] = acc;
        }
        double best = 0;
        int imax = 0;
        for (int k = 0; k < n; k++)
        {
            double v = hsum > 0 ? Math.Abs(smooth[k]) / hsum : 0;
            if (v > best)
            {
                best = v;
                imax = k;
            }
        }
        if (imax >= n / 2) imax -= n;
        return (estimate + imax, best);
    }

    /// <summary>
    /// |circular cross-correlation| of one Hann-windowed 64 ms frame of each signal into
    /// <see cref="_corr"/> (index = lag of the degraded); returns 0.99 times its maximum.
    /// </summary>
    private double FrameCorrelation(int startr, int startd, double[] window)
    {
        int n = _cfg.AlignNfft;
        var re = _re;
        var im = _im;
        for (int i = 0; i < n; i++)
        {
            re[i] = _ref.Data[startr + i] * window[i];
            im[i] = _deg.Data[startd + i] * window[i];
        }
        var fft = PesqFft.Get(n);
        fft.Forward(re, im);
        // conj(X) * Y from the packed spectrum Z = X + jY; the result is Hermitian, so one inverse
        // transform of it gives the real correlation.
        var pr = _corr;
        var pi = _scratch;
        for (int k = 0; k < n; k++)
        {
            int m = (n - k) & (n - 1);
            double xr = 0.5 * (re[k] + re[m]), xi = 0.5 * (im[k] - im[m]);
            double yr = 0.5 * (im[k] + im[m]), yi = -0.5 * (re[k] - re[m]);
            pr[k] = xr * yr + xi * yi;
            pi[k] = xr * yi - xi * yr;
        }
        fft.Inverse(pr, pi);
        double vmax = 0;
        for (int k = 0; k < n; k++)
        {
            double a = Math.Abs(pr[k]);
            pr[k] = a;
            if (a > vmax) vmax = a;
        }
        return vmax * 0.99;
    }

    /// <summary>
    /// Tries to split utterances in two (P.862 10.1.3.3, utterance splitting): for candidate break points, delays of the part
    /// before and after are estimated separately; the best pair with clearly different delays and
    /// both confidences above the whole utterance's replaces it. Repeats on the first half.
    /// </summary>
    private void SplitUtterances()
    {
        int ds = _cfg.Downsample, sbw = PesqConfig.SearchBufferWindows;
        var vad = _refVad.Envelope;
        int id = 0;
        while (id < Utterances.Count && Utterances.Count < MaxUtterances)
        {
            var u = Utterances[id];
            int speechStart = u.Start;
            while (speechStart < u.End && vad[speechStart] <= 0) speechStart++;
            int speechEnd = u.End;
            while (speechEnd > u.Start && vad[speechEnd] <= 0) speechEnd--;
            speechEnd++;
            if (speechEnd - speechStart < MinSplitWindows)
            {
                id++;
                continue;
            }
            var best = FindSplit(u.Start, speechStart, speechEnd, u.End, u.DelayEstimate, u.Confidence);
            if (!(best.Dc1 > u.Confidence && best.Dc2 > u.Confidence))
            {
                id++;
                continue;
            }
            var first = u;
            var second = u;
            first.DelayEstimate = best.Ed1;
            first.Delay = best.D1;
            first.Confidence = best.Dc1;
            second.DelayEstimate = best.Ed2;
            second.Delay = best.D2;
            second.Confidence = best.Dc2;
            if (best.D2 < best.D1)
            {
                first.End = best.Bp;
                second.Start = best.Bp;
            }
            else
            {
                first.End = best.Bp + (best.D2 - best.D1) / (2 * ds);
                second.Start = best.Bp - (best.D2 - best.D1) / (2 * ds);
            }
            if ((first.Start - sbw) * ds + best.D1 < 0)
                first.Start = sbw + (ds - 1 - best.D1) / ds;
            if (second.End * ds + best.D2 > _deg.Length - sbw * ds)
                second.End = (_deg.Length - best.D2) / ds - sbw;
            Utterances[id] = first;
            Utterances.Insert(id + 1, second);
        }
    }

    private struct SplitResult
    {
        public int Ed1, D1, Ed2, D2, Bp;
        public double Dc1, Dc2;
    }

    /// <summary>Histogram accumulator shared by the forward and backward passes of <see cref="FindSplit"/>.</summary>
    private sealed class SpreadHistogram
    {
        public SpreadHistogram(int size) => H = new double[size];

        public readonly double[] H;
        public double Sum;

        public void Reset()
        {
            Array.Clear(H);
            Sum = 0;
        }

        /// <summary>Adds each peak lag as a triangle of ±kernel bins weighted by max^0.125.</summary>
        public void Add(double[] corr, double vmax, int kernel)
        {
            int n = H.Length;
            double unit = Math.Pow(vmax, 0.125) / kernel;
            for (int c = 0; c < n; c++)
            {
                if (corr[c] <= vmax) continue;
                Sum += unit * kernel;
                for (int k = 1 - kernel; k < kernel; k++)
                    H[(c + k + n) % n] += unit * (kernel - Math.Abs(k));
            }
        }

        public (int Lag, double Confidence) Peak()
        {
            int n = H.Length;
            double vmax = 0;
            int imax = 0;
            for (int c = 0; c < n; c++)
            {
                if (H[c] > vmax)
                {
                    vmax = H[c];
                    imax = c;
                }
            }
            if (imax >= n / 2) imax -= n;
            return (imax, Sum > 0 ? vmax / Sum : 0);
        }
    }

    private SplitResult FindSplit(int uttStart, int speechStart, int speechEnd, int uttEnd, int delayEst, double delayConf)
    {
        int n = _cfg.AlignNfft, ds = _cfg.Downsample;
        int kernel = n / 64;
        int len = speechEnd - speechStart;
        int delta = n / (4 * ds);
        int step = (int)((0.801 * len + 40 * delta - 1) / (40 * delta)) * delta;
        int pad = Math.Max(len / 10, 75);
        var bps = new List<int> { speechStart + pad };
        // Break points every `step` windows (~2% of the speech), at most 40, `pad` away from the ends.
        // As in the reference, the point that first passes the end stops the list but is not tried.
        int next;
        do
        {
            next = bps[^1] + step;
            if (next <= speechEnd - pad && bps.Count < 40) bps.Add(next);
            else break;
        } while (true);
        int nbp = bps.Count;

        var ed1 = new int[nbp];
        var ed2 = new int[nbp];
        var d1 = new int[nbp];
        var d2 = new int[nbp];
        var dc1 = new double[nbp];
        var dc2 = new double[nbp];
        // The reference implementation computes these envelope correlations into the scratch buffer
        // that also holds the Hann window of the frame correlations below, starting 3N+6 values
        // before the window. A correlation has about twice as many values as its span has 4 ms
        // windows, so parts longer than about 3 s (8 kHz) or 6 s (16 kHz) overwrite the start of
        // the window, and the normative results were computed with that window. We reproduce it:
        // with a clean window one test file scored 0.12 MOS away from the reference.
        var window = (double[])_window.Clone();
        for (int b = 0; b < nbp; b++)
        {
            ed1[b] = CrudeDelayIn(uttStart, bps[b], delayEst, window);
            ed2[b] = CrudeDelayIn(bps[b], uttEnd, delayEst, window);
        }

        const double Unset = -2.0;
        var hist = new SpreadHistogram(n);

        // Forward: delay of [uttStart, bp) for each break point, sharing frames between break points
        // with the same crude estimate.
        Array.Fill(dc1, Unset);
        while (true)
        {
            int b = 0;
            while (b < nbp && dc1[b] > Unset) b++;
            if (b >= nbp) break;
            int est = ed1[b];
            hist.Reset();
            int startr = uttStart * ds;
            int startd = startr + est;
            if (startd < 0)
            {
                startr = -est;
                startd = 0;
            }
            for (; b < nbp; b++)
            {
                if (ed1[b] != est || dc1[b] > Unset) continue;
                while (startd + n <= _deg.Length && startr + n <= bps[b] * ds)
                {
                    double vmax = FrameCorrelation(startr, startd, window);
                    hist.Add(_corr, vmax, kernel);
                    startr += n / 4;
                    startd += n / 4;
                }
                var (lag, conf) = hist.Peak();
                d1[b] = est + lag;
                dc1[b] = conf;
            }
        }

        // Backward: delay of [bp, uttEnd), only where the first part beat the whole utterance.
        for (int b = 0; b < nbp; b++) dc2[b] = dc1[b] > delayConf ? Unset : 0.0;
        while (true)
        {
            int b = nbp - 1;
            while (b >= 0 && dc2[b] > Unset) b--;
            if (b < 0) break;
            int est = ed2[b];
            hist.Reset();
            int startr = uttEnd * ds - n;
            int startd = startr + est;
            if (startd + n > _deg.Length)
            {
                startd = _deg.Length - n;
                startr = startd - est;
            }
            for (; b >= 0; b--)
            {
                if (ed2[b] != est || dc2[b] > Unset) continue;
                while (startd >= 0 && startr >= bps[b] * ds)
                {
                    double vmax = FrameCorrelation(startr, startd, window);
                    hist.Add(_corr, vmax, kernel);
                    startr -= n / 4;
                    startd -= n / 4;
                }
                var (lag, conf) = hist.Peak();
                d2[b] = est + lag;
                dc2[b] = conf;
            }
        }

        var best = new SplitResult();
        for (int b = 0; b < nbp; b++)
        {
            if (Math.Abs(d2[b] - d1[b]) >= ds && dc1[b] + dc2[b] > best.Dc1 + best.Dc2
                && dc1[b] > delayConf && dc2[b] > delayConf)
            {
                best = new SplitResult { Ed1 = ed1[b], D1 = d1[b], Dc1 = dc1[b], Ed2 = ed2[b], D2 = d2[b], Dc2 = dc2[b], Bp = bps[b] };
            }
        }
        Debug.Assert(best.Dc1 >= 0 && best.Dc2 >= 0);
        return best;
    }
}
