using System.Diagnostics;

namespace PercepNet.Metrics.Pesq;

/// <summary>
/// The perceptual model of P.862 clause 10.2 (including its cognitive part): 32 ms Hann frames
/// (50% overlap) of both signals, the degraded frame taken at its utterance's delay; pitch power
/// densities on the Bark bands; partial compensation of the reference for the system's frequency
/// response; per-frame gain compensation of the degraded; Zwicker loudness; symmetric and
/// asymmetric disturbance with the dead zone; re-alignment of bad intervals; Lp aggregation.
/// </summary>
internal sealed class PesqPerceptualModel
{
    /// <summary>Sum of |x| over 5 samples below which the reference counts as silent at its ends (16-bit units).</summary>
    private const double SilenceOf5Samples = 500;

    /// <summary>Zwicker's power law exponent (before the low-frequency correction).</summary>
    private const double ZwickerPower = 0.23;

    /// <summary>Frames whose symmetric disturbance exceeds this are "bad" and get a local re-alignment.</summary>
    private const double BadFrameThreshold = 30;

    /// <summary>Frames per "syllable" interval of the L6 aggregation (20 frames of 16 ms = 320 ms).</summary>
    private const int FramesPerSyllable = 20;

    /// <summary>Lp exponents: frequency (sym 2, asym 1), split-second (6), time (2).</summary>
    private const double DPowF = 2, DPowS = 6, DPowT = 2, APowF = 1, APowS = 6, APowT = 2;

    /// <summary>Raw score = 4.5 - DWeight * d_sym - AWeight * d_asym.</summary>
    private const double DWeight = 0.1, AWeight = 0.0309;

    private readonly PesqConfig _cfg;
    private readonly BarkTables _bark;
    private readonly int _nb, _nf;
    private readonly double[] _hann;
    private readonly double[] _re, _im, _spectrum;
    private readonly double[] _loudExp, _loudScale;
    private readonly double[] _loudRef, _loudDeg, _dist;

    private PesqPerceptualModel(PesqConfig cfg)
    {
        _cfg = cfg;
        _bark = cfg.Bark;
        _nb = _bark.Count;
        _nf = cfg.FrameLength;
        _hann = new double[_nf];
        for (int i = 0; i < _nf; i++) _hann[i] = 0.5 * (1.0 - Math.Cos(2.0 * Math.PI * i / _nf));
        _re = new double[_nf];
        _im = new double[_nf];
        _spectrum = new double[_nf / 2];
        _loudExp = new double[_nb];
        _loudScale = new double[_nb];
        for (int b = 0; b < _nb; b++)
        {
            // Below 4 Bark the exponent grows (up to 2^0.15 times) to model the steeper loudness
            // growth at low frequencies.
            double h = _bark.CentreBark[b] < 4 ? 6.0 / (_bark.CentreBark[b] + 2.0) : 1.0;
            h = Math.Min(h, 2.0);
            _loudExp[b] = ZwickerPower * Math.Pow(h, 0.15);
            _loudScale[b] = Math.Pow(_bark.AbsoluteThresholdPower[b] / 0.5, _loudExp[b]);
        }
        _loudRef = new double[_nb];
        _loudDeg = new double[_nb];
        _dist = new double[_nb];
    }

    /// <summary>
    /// Raw PESQ score. Both signals' buffers hold <paramref name="maxLength"/> plus padding samples
    /// (level-aligned and input-filtered, not alignment-filtered); <paramref name="utterances"/> is non-empty.
    /// </summary>
    public static double RawScore(PesqConfig cfg, double[] refData, double[] degData, int maxLength, List<Utterance> utterances)
        => new PesqPerceptualModel(cfg).Score(refData, degData, maxLength, utterances);

    private double Score(double[] refData, double[] degData, int maxLength, List<Utterance> utts)
    {
        int sb = _cfg.SearchBuffer, dp = _cfg.Padding, ds = _cfg.Downsample;
        int nb = _nb, nf = _nf, hop = nf / 2;
        var thr = _bark.AbsoluteThresholdPower;

        // Leading and trailing silence of the reference is not scored.
        int skipStart = 0;
        double sum5;
        do
        {
            sum5 = 0;
            for (int i = 0; i < 5; i++) sum5 += Math.Abs(refData[sb + skipStart + i]);
            if (sum5 < SilenceOf5Samples) skipStart++;
        } while (sum5 < SilenceOf5Samples && skipStart < maxLength / 2);
        int skipEnd = 0;
        do
        {
            sum5 = 0;
            for (int i = 0; i < 5; i++) sum5 += Math.Abs(refData[maxLength - sb + dp - 1 - skipEnd - i]);
            if (sum5 < SilenceOf5Samples) skipEnd++;
        } while (sum5 < SilenceOf5Samples && skipEnd < maxLength / 2);
        int startFrame = skipStart / hop;
        int stopFrame = (maxLength - 2 * sb + dp - skipEnd) / hop - 1;
        int frames = stopFrame + 1;
        // Inputs of at least 0.25 s (checked at the public edge) always leave frames to score.
        Debug.Assert(frames > 0 && startFrame <= stopFrame, "PESQ: no frame to score");

        var ppRef = new double[frames * nb];
        var ppDeg = new double[frames * nb];
        var silent = new bool[frames];
        for (int f = 0; f < frames; f++)
        {
            int startRef = sb + f * hop;
            int startDeg = startRef + DelayAt(utts, startRef, ds);
            PitchPowerDensity(refData, startRef, ppRef.AsSpan(f * nb, nb));
            if (startDeg > 0 && startDeg + nf < maxLength + dp)
                PitchPowerDensity(degData, startDeg, ppDeg.AsSpan(f * nb, nb));
            // Silent: the bands more than 20 dB above threshold carry less than 1e7 in total.
            silent[f] = TotalAudible(ppRef.AsSpan(f * nb, nb), 1e2) < 1e7;
        }

        // Partial frequency-response compensation: scale the reference by the ratio of the two
        // time-averaged spectra over speech frames, counting only bands 20 dB above threshold
        // (bounded to ±20 dB, offset 1000 so near-empty bands are not compensated).
        int avgFrames = (maxLength - 2 * sb + dp) / hop - 1;
        for (int b = 0; b < nb; b++)
        {
            double sr = 0, sd = 0;
            for (int f = 0; f < frames; f++)
            {
                if (silent[f]) continue;
                double hr = ppRef[f * nb + b], hd = ppDeg[f * nb + b];
                if (hr > 100 * thr[b]) sr += hr;
                if (hd > 100 * thr[b]) sd += hd;
            }
            double x = (sd / avgFrames + 1000) / (sr / avgFrames + 1000);
            x = Math.Clamp(x, 0.01, 100.0);
            for (int f = 0; f < frames; f++) ppRef[f * nb + b] *= x;
        }

        var totalPowerRef = new double[frames];
        var fd = new double[frames];
        var fda = new double[frames];
        bool anyBad = false;
        double oldScale = 1;
        for (int f = 0; f < frames; f++)
        {
            totalPowerRef[f] = TotalAudible(ppRef.AsSpan(f * nb, nb), 1);
            (fd[f], fda[f]) = FrameDisturbance(ppRef.AsSpan(f * nb, nb), ppDeg.AsSpan(f * nb, nb), f, ref oldScale);
            if (fd[f] > BadFrameThreshold) anyBad = true;
        }

        // Frames around a large negative delay jump (the degraded repeats material) are not scored.
        for (int u = 1; u < utts.Count; u++)
        {
            int frame1 = ((utts[u].Start - PesqConfig.SearchBufferWindows) * ds + utts[u].Delay) / hop;
            int j = ((utts[u - 1].End - PesqConfig.SearchBufferWindows) * ds + utts[u - 1].Delay) / hop;
            int jump = utts[u].Delay - utts[u - 1].Delay;
            frame1 = Math.Max(0, Math.Min(frame1, j));
            if (jump < -hop)
            {
                int frame2 = ((utts[u].Start - PesqConfig.SearchBufferWindows) * ds + Math.Abs(jump)) / hop + 1;
                for (int f = frame1; f <= frame2; f++)
                {
                    if (f < stopFrame)
                    {
                        fd[f] = 0;
                        fda[f] = 0;
                    }
                }
            }
        }

        if (anyBad) RealignBadIntervals(refData, degData, maxLength, utts, ppRef, ppDeg, fd, fda, stopFrame);

        // Long files (> 16 s): later frames weigh more (recency), up to 1:2.
        var timeWeight = new double[frames];
        for (int f = 0; f < frames; f++)
        {
            double h = 1;
            if (frames > 1000)
            {
                int n = (maxLength - 2 * sb) / hop - 1;
                // Weight rises linearly from 1 - factor to 1 over the file; factor = (frames - 1000)
                // / 5500, capped at 0.5 (reached at 3750 frames of 16 ms, 60 s).
                double factor = Math.Min((n - 1000.0) / 5500.0, 0.5);
                h = (1.0 - factor) + factor * f / n;
            }
            timeWeight[f] = h;
        }

        // Quieter reference frames weigh the disturbance more (divide by ((P + 1e5) / 1e7)^0.04 of
        // the reference's audible power P); per-frame disturbances are capped at 45.
        for (int f = 0; f < frames; f++)
        {
            double h = Math.Pow((totalPowerRef[f] + 1e5) / 1e7, 0.04);
            fd[f] = Math.Min(fd[f] / h, 45);
            fda[f] = Math.Min(fda[f] / h, 45);
        }

        double dSym = LpqWeight(startFrame, stopFrame, DPowS, DPowT, fd, timeWeight);
        double dAsym = LpqWeight(startFrame, stopFrame, APowS, APowT, fda, timeWeight);
        return 4.5 - DWeight * dSym - AWeight * dAsym;
    }

    private static int DelayAt(List<Utterance> utts, int sample, int ds)
    {
        int u = utts.Count - 1;
        while (u >= 0 && utts[u].Start * ds > sample) u--;
        return u >= 0 ? utts[u].Delay : utts[0].Delay;
    }

    /// <summary>Power spectrum of one Hann frame (DC bin dropped) summed into Bark bands, times Sp.</summary>
    private void PitchPowerDensity(double[] data, int start, Span<double> bands)
    {
        int nf = _nf;
        for (int i = 0; i < nf; i++)
        {
            _re[i] = data[start + i] * _hann[i];
            _im[i] = 0;
        }
        PesqFft.Get(nf).Forward(_re, _im);
        for (int k = 0; k < nf / 2; k++) _spectrum[k] = _re[k] * _re[k] + _im[k] * _im[k];
        _spectrum[0] = 0;
        int bin = 0;
        for (int b = 0; b < _nb; b++)
        {
            double sum = 0;
            for (int i = 0; i < _bark.HzBandsPerBarkBand[b]; i++) sum += _spectrum[bin++];
            bands[b] = sum * _bark.PowerDensityCorrection[b] * _cfg.Sp;
        }
    }

    /// <summary>Sum of the band densities above factor x hearing threshold (band 0 excluded).</summary>
    private double TotalAudible(ReadOnlySpan<double> bands, double factor)
    {
        double sum = 0;
        for (int b = 1; b < _nb; b++)
            if (bands[b] > factor * _bark.AbsoluteThresholdPower[b]) sum += bands[b];
        return sum;
    }

    /// <summary>
    /// Gain-compensates the degraded frame (in place) and returns its symmetric and asymmetric
    /// frame disturbances. <paramref name="oldScale"/> carries the smoothed gain between frames.
    /// </summary>
    private (double Sym, double Asym) FrameDisturbance(ReadOnlySpan<double> ppRef, Span<double> ppDeg, int frame, ref double oldScale)
    {
        const double MaxScale = 5.0, MinScale = 3e-4;
        double tRef = TotalAudible(ppRef, 1);
        double tDeg = TotalAudible(ppDeg, 1);
        // Ratio of audible powers; the 5e3 offset keeps near-silent frames from being rescaled.
        double scale = (tRef + 5e3) / (tDeg + 5e3);
        if (frame > 0) scale = 0.2 * oldScale + 0.8 * scale;
        oldScale = scale;
        scale = Math.Clamp(scale, MinScale, MaxScale);
        for (int b = 0; b < _nb; b++) ppDeg[b] *= scale;

        Loudness(ppRef, _loudRef);
        Loudness(ppDeg, _loudDeg);
        var d = _dist;
        for (int b = 0; b < _nb; b++)
        {
            double diff = _loudDeg[b] - _loudRef[b];
            double m = 0.25 * Math.Min(_loudDeg[b], _loudRef[b]);
            d[b] = diff > m ? diff - m : diff < -m ? diff + m : 0;
        }
        double sym = PseudoLp(d, DPowF);
        // Asymmetry: additive distortion (degraded louder) is far more annoying than missing energy.
        for (int b = 0; b < _nb; b++)
        {
            double h = Math.Pow((ppDeg[b] + 50) / (ppRef[b] + 50), 1.2);
            if (h > 12) h = 12;
            if (h < 3) h = 0;
            d[b] *= h;
        }
        double asym = PseudoLp(d, APowF);
        return (sym, asym);
    }

    /// <summary>Zwicker loudness density (sone/Bark) of one frame.</summary>
    private void Loudness(ReadOnlySpan<double> pp, Span<double> loud)
    {
        var thr = _bark.AbsoluteThresholdPower;
        for (int b = 0; b < _nb; b++)
        {
            double input = pp[b];
            loud[b] = input > thr[b]
                ? _loudScale[b] * (Math.Pow(0.5 + 0.5 * input / thr[b], _loudExp[b]) - 1) * _cfg.Sl
                : 0;
        }
    }

    /// <summary>Bark-width-weighted Lp norm over bands 1..Nb-1, times the total width.</summary>
    private double PseudoLp(ReadOnlySpan<double> x, double p)
    {
        double total = 0, weight = 0;
        for (int b = 1; b < _nb; b++)
        {
            double w = _bark.WidthBark[b];
            total += Math.Pow(Math.Abs(x[b]) * w, p);
            weight += w;
        }
        return Math.Pow(total / weight, 1 / p) * weight;
    }

    /// <summary>
    /// L_p over split-second intervals of 20 frames with 50% overlap (frames past the end count as
    /// zeros), then a weighted L_q over those intervals.
    /// </summary>
    private static double LpqWeight(int startFrame, int stopFrame, double pSyl, double pTime, double[] frameDist, double[] timeWeight)
    {
        double resultTime = 0, totalWeight = 0;
        for (int s = startFrame; s <= stopFrame; s += FramesPerSyllable / 2)
        {
            double syl = 0;
            for (int f = s; f < s + FramesPerSyllable; f++)
                if (f <= stopFrame) syl += Math.Pow(frameDist[f], pSyl);
            syl = Math.Pow(syl / FramesPerSyllable, 1 / pSyl);
            double w = timeWeight[s - startFrame];
            resultTime += Math.Pow(w * syl, pTime);
            totalWeight += Math.Pow(w, pTime);
        }
        return Math.Pow(resultTime / totalWeight, 1 / pTime);
    }

    /// <summary>
    /// Bad intervals (runs of frames with a large symmetric disturbance, smeared by ±2 frames, at least
    /// 5 frames) are re-aligned by a cross-correlation of the envelopes within ±4 frames; the
    /// disturbances of their frames become the smaller of before and after.
    /// </summary>
    private void RealignBadIntervals(double[] refData, double[] degData, int maxLength, List<Utterance> utts,
        double[] ppRef, double[] ppDeg, double[] fd, double[] fda, int stopFrame)
    {
        const int SmearRange = 2, MinBadFrames = 5, SearchRangeFrames = 4;
        int sb = _cfg.SearchBuffer, dp = _cfg.Padding, ds = _cfg.Downsample;
        int nf = _nf, hop = nf / 2, nb = _nb;
        int frames = stopFrame + 1;

        // The degraded signal with each utterance's delay applied.
        int nn = dp + maxLength;
        var tweaked = new double[nn];
        for (int i = sb; i < nn - sb; i++)
        {
            int j = i + DelayAt(utts, i, ds);
            j = Math.Clamp(j, sb, nn - sb - 1);
            tweaked[i] = degData[j];
        }

        var bad = new bool[frames];
        for (int f = 0; f < frames; f++) bad[f] = fd[f] > BadFrameThreshold;
        bad[0] = false;
        var smeared = new bool[frames];
        for (int f = SmearRange; f < stopFrame - SmearRange; f++)
        {
            bool left = false, right = false;
            for (int i = -SmearRange; i <= 0; i++) left |= bad[f + i];
            for (int i = 0; i <= SmearRange; i++) right |= bad[f + i];
            smeared[f] = left && right;
        }

        var intervals = new List<(int StartFrame, int StopFrame)>();
        int fr = 0;
        while (fr <= stopFrame)
        {
            while (fr <= stopFrame && !smeared[fr]) fr++;
            if (fr > stopFrame) break;
            int s = fr;
            while (fr <= stopFrame && smeared[fr]) fr++;
            // An interval still open at the last frame is dropped, as in the reference.
            if (fr <= stopFrame && fr - s >= MinBadFrames) intervals.Add((s, fr));
        }
        if (intervals.Count == 0) return;

        int searchRange = SearchRangeFrames * nf;
        var delays = new int[intervals.Count];
        for (int k = 0; k < intervals.Count; k++)
        {
            int startSample = intervals[k].StartFrame * hop + sb;
            int stopSample = intervals[k].StopFrame * hop + nf + sb;
            int count = stopSample - startSample;
            int total = 2 * searchRange + count;
            var r = new double[total];
            var d = new double[total];
            for (int i = 0; i < count; i++) r[searchRange + i] = refData[startSample + i];
            int limit = maxLength - sb + dp;
            for (int i = 0; i < total; i++)
            {
                int j = Math.Clamp(startSample - searchRange + i, sb, limit - 1);
                d[i] = tweaked[j];
            }
            int delay = EnvelopeDelay(r, d, searchRange, out double correlation);
            // A weak correlation (below 0.5) means no reliable re-alignment: keep the delay.
            delays[k] = correlation < 0.5 ? 0 : delay;
        }

        var doubly = (double[])tweaked.Clone();
        for (int k = 0; k < intervals.Count; k++)
        {
            int startSample = intervals[k].StartFrame * hop + sb;
            int stopSample = intervals[k].StopFrame * hop + nf + sb;
            for (int i = startSample; i < stopSample; i++)
            {
                int j = Math.Clamp(i + delays[k], 0, maxLength - 1);
                doubly[i] = tweaked[j];
            }
        }

        foreach (var (s, e0) in intervals)
        {
            int e = Math.Min(e0, stopFrame);
            for (int f = s; f < e; f++)
                PitchPowerDensity(doubly, sb + f * hop, ppDeg.AsSpan(f * nb, nb));
            double oldScale = 1;
            for (int f = s; f < e; f++)
            {
                var (sym, asym) = FrameDisturbance(ppRef.AsSpan(f * nb, nb), ppDeg.AsSpan(f * nb, nb), f, ref oldScale);
                fd[f] = Math.Min(fd[f], sym);
                fda[f] = Math.Min(fda[f], asym);
            }
        }
    }

    /// <summary>
    /// Lag within ±<paramref name="searchRange"/> maximising the normalised cross-correlation of |x| and
    /// |y| (y later by the lag); 0 with correlation 0 when either is (nearly) silent.
    /// </summary>
    internal static int EnvelopeDelay(double[] x, double[] y, int searchRange, out double maxCorrelation)
    {
        int n = x.Length;
        int size = PesqFft.NextPow2(2L * n);
        double p1 = 0, p2 = 0;
        for (int i = 0; i < n; i++)
        {
            p1 += x[i] * x[i];
            p2 += y[i] * y[i];
        }
        // Mean power scaled by n/size, as the reference normalises its unscaled correlation.
        p1 = p1 / n * n / size;
        p2 = p2 / n * n / size;
        maxCorrelation = 0;
        if (p1 <= 1e-6 || p2 <= 1e-6) return 0;
        double norm = Math.Sqrt(p1 * p2);
        var re = new double[size];
        var im = new double[size];
        for (int i = 0; i < n; i++)
        {
            re[i] = Math.Abs(x[i]);
            im[i] = Math.Abs(y[i]);
        }
        var fft = PesqFft.Get(size);
        fft.Forward(re, im);
        var pr = new double[size];
        var pi = new double[size];
        for (int k = 0; k < size; k++)
        {
            int m = (size - k) & (size - 1);
            double xr = 0.5 * (re[k] + re[m]), xi = 0.5 * (im[k] - im[m]);
            double yr = 0.5 * (im[k] + im[m]), yi = -0.5 * (re[k] - re[m]);
            pr[k] = (xr * yr + xi * yi) / size;
            pi[k] = (xr * yi - xi * yr) / size;
        }
        fft.Inverse(pr, pi);
        int best = 0;
        for (int i = -searchRange; i <= -1; i++)
        {
            double h = Math.Abs(pr[i + size]) / norm;
            if (h > maxCorrelation)
            {
                maxCorrelation = h;
                best = i;
            }
        }
        for (int i = 0; i < searchRange; i++)
        {
            double h = Math.Abs(pr[i]) / norm;
            if (h > maxCorrelation)
            {
                maxCorrelation = h;
                best = i;
            }
        }
        return best;
    }
}
