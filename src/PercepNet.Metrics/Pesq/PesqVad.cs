namespace PercepNet.Metrics.Pesq;

/// <summary>
/// The energy-based voice activity envelope of P.862 10.1.3.1 (envelope-based alignment), computed on 4 ms windows of the
/// alignment-filtered signal. <see cref="Envelope"/> is zero in noise and the window power in speech
/// (with short 0.1/0.3 ramps at the edges of each speech run); <see cref="LogEnvelope"/> is
/// log(power / threshold) where above the threshold, zero elsewhere, and is what the crude delay
/// estimation correlates.
/// </summary>
internal sealed class PesqVad
{
    /// <summary>Speech runs of at most this many windows (16 ms) are discarded.</summary>
    private const int MinSpeechWindows = 4;

    /// <summary>Gaps of at most this many windows (200 ms) between speech runs are filled.</summary>
    private const int JoinSpeechWindows = 50;

    private PesqVad(double[] envelope, double[] logEnvelope)
    {
        Envelope = envelope;
        LogEnvelope = logEnvelope;
    }

    public double[] Envelope { get; }

    public double[] LogEnvelope { get; }

    public static PesqVad Compute(PaddedSignal s, PesqConfig cfg)
    {
        int ds = cfg.Downsample;
        int nw = s.Length / ds;
        var v = new double[nw];
        for (int w = 0; w < nw; w++)
        {
            double acc = 0;
            for (int i = 0; i < ds; i++)
            {
                double g = s.Data[w * ds + i];
                acc += g * g;
            }
            v[w] = acc / ds;
        }

        // Floor at 40 dB below the loudest window, so that digital silence does not dominate the noise
        // statistics.
        double thresh = 0;
        for (int w = 0; w < nw; w++) thresh += v[w];
        thresh /= nw;
        double floor = 0;
        for (int w = 0; w < nw; w++) floor = Math.Max(floor, v[w]);
        floor = floor > 0 ? floor * 1e-4 : 1.0;
        for (int w = 0; w < nw; w++) if (v[w] < floor) v[w] = floor;

        // Noise level estimate: iterate "mean + 2 std of the windows at or below the threshold".
        for (int it = 0; it < 12; it++)
        {
            double noise = 0, std = 0;
            int count = 0;
            for (int w = 0; w < nw; w++)
            {
                if (v[w] <= thresh)
                {
                    noise += v[w];
                    count++;
                }
            }
            if (count > 0)
            {
                noise /= count;
                for (int w = 0; w < nw; w++)
                {
                    if (v[w] <= thresh)
                    {
                        double g = v[w] - noise;
                        std += g * g;
                    }
                }
                std = Math.Sqrt(std / count);
            }
            thresh = 1.001 * (noise + 2.0 * std);
        }

        double levelSig = 0, levelNoise = 0;
        int speech = 0;
        for (int w = 0; w < nw; w++)
        {
            if (v[w] > thresh)
            {
                levelSig += v[w];
                speech++;
            }
            else
            {
                levelNoise += v[w];
            }
        }
        if (speech > 0) levelSig /= speech;
        else thresh = -1.0;
        levelNoise = speech < nw ? levelNoise / (nw - speech) : 1.0;

        // Negative = non-speech from here on; the magnitude is kept so decisions can be undone.
        for (int w = 0; w < nw; w++) if (v[w] <= thresh) v[w] = -v[w];
        v[0] = -floor;
        v[nw - 1] = -floor;

        // Drop speech runs that are too short.
        int start = 0;
        for (int w = 1; w < nw; w++)
        {
            if (v[w] > 0 && v[w - 1] <= 0) start = w;
            if (v[w] <= 0 && v[w - 1] > 0 && w - start <= MinSpeechWindows)
                for (int k = start; k < w; k++) v[k] = -v[k];
        }

        // With a clean background (30 dB SNR or better) also drop runs whose mean is below 3x threshold.
        if (levelSig >= levelNoise * 1000.0)
        {
            for (int w = 1; w < nw; w++)
            {
                if (v[w] > 0 && v[w - 1] <= 0) start = w;
                if (v[w] <= 0 && v[w - 1] > 0)
                {
                    double sum = 0;
                    for (int k = start; k < w; k++) sum += v[k];
                    if (sum < 3.0 * thresh * (w - start))
                        for (int k = start; k < w; k++) v[k] = -v[k];
                }
            }
        }

        // Fill short gaps between speech runs.
        start = 0;
        int finish = 0;
        for (int w = 1; w < nw; w++)
        {
            if (v[w] > 0 && v[w - 1] <= 0)
            {
                start = w;
                if (finish > 0 && start - finish <= JoinSpeechWindows)
                    for (int k = finish; k < start; k++) v[k] = floor;
            }
            if (v[w] <= 0 && v[w - 1] > 0) finish = w;
        }

        // No speech at all: treat everything as speech.
        start = 0;
        for (int w = 1; w < nw; w++) if (v[w] > 0 && v[w - 1] <= 0) start = w;
        if (start == 0)
        {
            for (int w = 0; w < nw; w++) v[w] = Math.Abs(v[w]);
            v[0] = -floor;
            v[nw - 1] = -floor;
        }

        // Soft edges: 0.1 and 0.3 of the neighbouring speech window before onsets and after offsets.
        int c = 3;
        while (c < nw - 2)
        {
            if (v[c] > 0 && v[c - 2] <= 0)
            {
                v[c - 2] = v[c] * 0.1;
                v[c - 1] = v[c] * 0.3;
                c++;
            }
            if (v[c] <= 0 && v[c - 1] > 0)
            {
                v[c] = v[c - 1] * 0.3;
                v[c + 1] = v[c - 1] * 0.1;
                c += 3;
            }
            c++;
        }
        for (int w = 0; w < nw; w++) if (v[w] < 0) v[w] = 0;

        if (thresh <= 0) thresh = floor;
        var log = new double[nw];
        for (int w = 0; w < nw; w++) log[w] = v[w] <= thresh ? 0 : Math.Log(v[w] / thresh);
        return new PesqVad(v, log);
    }
}
