namespace PercepNet.Training.Data;

/// <summary>A room impulse response with what the target construction needs to know about it.</summary>
/// <param name="Response">Impulse response at 48 kHz.</param>
/// <param name="DirectIndex">Sample of the direct path (the largest peak).</param>
/// <param name="Rt60">Reverberation time in seconds (set for simulated rooms, estimated for measured ones).</param>
public sealed record RoomResponse(float[] Response, int DirectIndex, double Rt60)
{
    /// <summary>
    /// The target version of the response: the direct path and the early reflections (up to
    /// <paramref name="earlyMs"/> after the direct path, the reflections scaled by
    /// <paramref name="earlyScale"/>) are kept; the later tail is made to decay with RT60
    /// <paramref name="targetRt60"/> (never slower than it was).
    /// </summary>
    public float[] Target(double earlyMs, double earlyScale, double targetRt60, int sampleRate = 48000)
    {
        var t = (float[])Response.Clone();
        int early = DirectIndex + (int)(earlyMs * sampleRate / 1000);
        int directEnd = DirectIndex + sampleRate / 1000; // 1 ms around the direct path stays as it is
        for (int i = directEnd; i < Math.Min(early, t.Length); i++) t[i] *= (float)earlyScale;
        if (Rt60 > targetRt60)
        {
            // Amplitude decays by 60 dB (ln 1000 = 6.91) per RT60: multiply the tail by the difference.
            double k = Math.Log(1000) * (1 / targetRt60 - 1 / Rt60) / sampleRate;
            for (int i = early; i < t.Length; i++) t[i] *= (float)(earlyScale * Math.Exp(-k * (i - early)));
        }
        else
        {
            for (int i = early; i < t.Length; i++) t[i] *= (float)earlyScale;
        }
        return t;
    }

    /// <summary>
    /// Wraps a measured response: direct path at the largest peak, RT60 from the Schroeder decay
    /// curve (T20: the -5 to -25 dB span, times 3), normalised to a unit direct path.
    /// </summary>
    public static RoomResponse FromMeasured(float[] h, int sampleRate = 48000)
    {
        int peak = 0;
        for (int i = 1; i < h.Length; i++) if (Math.Abs(h[i]) > Math.Abs(h[peak])) peak = i;
        // Keep a little before the peak (measured responses have a pre-delay): 2 ms.
        int start = Math.Max(0, peak - sampleRate / 500);
        var r = h.AsSpan(start).ToArray();
        float scale = 1f / Math.Max(1e-9f, Math.Abs(h[peak]));
        for (int i = 0; i < r.Length; i++) r[i] *= scale;
        var edc = new double[r.Length];
        double acc = 0;
        for (int i = r.Length - 1; i >= 0; i--) { acc += r[i] * (double)r[i]; edc[i] = acc; }
        double total = edc[0];
        int i5 = Array.FindIndex(edc, e => e < total * Math.Pow(10, -0.5));
        int i25 = Array.FindIndex(edc, e => e < total * Math.Pow(10, -2.5));
        double rt60 = i5 >= 0 && i25 > i5 ? 3.0 * (i25 - i5) / sampleRate : 0.3;
        return new RoomResponse(r, peak - start, rt60);
    }
}

/// <summary>
/// Shoebox rooms by the image-source method (Allen and Berkley 1979): every image source up to the
/// response length contributes beta^(reflections) / distance at its delay (rounded to the nearest
/// sample at 48 kHz, 10 microseconds). One reflection coefficient for all walls, from Sabine's
/// formula for the requested RT60: alpha = 0.161 V / (S RT60), beta = sqrt(1 - alpha).
/// </summary>
public static class RoomSimulator
{
    private const double SpeedOfSound = 343.0;

    /// <summary>A random room: size 3-10 x 3-8 x 2.4-4 m, RT60 in [rt60Min, rt60Max], source and microphone at least 0.5 m from walls.</summary>
    public static RoomResponse Random(Random rng, double rt60Min = 0.1, double rt60Max = 1.0, int sampleRate = 48000)
    {
        double lx = 3 + 7 * rng.NextDouble(), ly = 3 + 5 * rng.NextDouble(), lz = 2.4 + 1.6 * rng.NextDouble();
        double rt60 = rt60Min + (rt60Max - rt60Min) * rng.NextDouble();
        double P(double l) => 0.5 + (l - 1) * rng.NextDouble();
        var src = (P(lx), P(ly), 1.2 + 0.6 * rng.NextDouble());
        var mic = (P(lx), P(ly), 0.8 + 1.0 * rng.NextDouble());
        return Simulate((lx, ly, lz), src, mic, rt60, sampleRate);
    }

    /// <summary>The response between two points of a room (metres), truncated at min(1.2 RT60 + 50 ms, 1.2 s).</summary>
    public static RoomResponse Simulate((double X, double Y, double Z) room, (double X, double Y, double Z) src,
        (double X, double Y, double Z) mic, double rt60, int sampleRate = 48000)
    {
        double v = room.X * room.Y * room.Z;
        double s = 2 * (room.X * room.Y + room.X * room.Z + room.Y * room.Z);
        double alpha = Math.Clamp(0.161 * v / (s * rt60), 0.01, 0.99);
        double beta = Math.Sqrt(1 - alpha);
        double tMax = Math.Min(1.2 * rt60 + 0.05, 1.2);
        int len = (int)(tMax * sampleRate);
        var h = new double[len];
        double dMax = tMax * SpeedOfSound;
        int mx = (int)Math.Ceiling(dMax / (2 * room.X)) + 1, my = (int)Math.Ceiling(dMax / (2 * room.Y)) + 1, mz = (int)Math.Ceiling(dMax / (2 * room.Z)) + 1;
        double direct = Dist(src, mic);
        for (int px = 0; px <= 1; px++)
        for (int ix = -mx; ix <= mx; ix++)
        {
            double dx = (1 - 2 * px) * src.X + 2 * ix * room.X - mic.X;
            int rx = Math.Abs(ix - px) + Math.Abs(ix);
            if (Math.Abs(dx) > dMax) continue;
            for (int py = 0; py <= 1; py++)
            for (int iy = -my; iy <= my; iy++)
            {
                double dy = (1 - 2 * py) * src.Y + 2 * iy * room.Y - mic.Y;
                int ry = Math.Abs(iy - py) + Math.Abs(iy);
                double dxy2 = dx * dx + dy * dy;
                if (dxy2 > dMax * dMax) continue;
                for (int pz = 0; pz <= 1; pz++)
                for (int iz = -mz; iz <= mz; iz++)
                {
                    double dz = (1 - 2 * pz) * src.Z + 2 * iz * room.Z - mic.Z;
                    double d = Math.Sqrt(dxy2 + dz * dz);
                    int n = (int)Math.Round(d / SpeedOfSound * sampleRate);
                    if (n >= len) continue;
                    int rz = Math.Abs(iz - pz) + Math.Abs(iz);
                    // Relative to the direct path, so the direct sound has unit gain.
                    h[n] += Math.Pow(beta, rx + ry + rz) * direct / Math.Max(d, 0.05);
                }
            }
        }
        int directIndex = (int)Math.Round(direct / SpeedOfSound * sampleRate);
        return new RoomResponse(h.Select(x => (float)x).ToArray(), directIndex, rt60);
    }

    private static double Dist((double X, double Y, double Z) a, (double X, double Y, double Z) b) =>
        Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y) + (a.Z - b.Z) * (a.Z - b.Z));
}
