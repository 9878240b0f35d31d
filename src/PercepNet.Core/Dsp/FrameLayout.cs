namespace PercepNet.Dsp;

/// <summary>
/// The framing every part of PercepNet shares: 48 kHz audio, 10 ms hop, 20 ms window (50% overlap),
/// one real FFT of the window length. All other sizes derive from these.
/// </summary>
public static class FrameLayout
{
    /// <summary>Processing rate in Hz (fullband speech).</summary>
    public const int SampleRate = 48000;

    /// <summary>Hop size in samples: 10 ms at 48 kHz.</summary>
    public const int FrameSize = SampleRate / 100;

    /// <summary>Analysis/synthesis window length in samples (20 ms, 50% overlap).</summary>
    public const int WindowSize = 2 * FrameSize;

    /// <summary>Frames (hops) per second of audio: 100.</summary>
    public const int FramesPerSecond = SampleRate / FrameSize;

    /// <summary>Frames per hour of audio: 360,000 (how training data is counted).</summary>
    public const int FramesPerHour = 3600 * FramesPerSecond;

    /// <summary>Real-FFT size: the window length (960 = 2^6 * 3 * 5).</summary>
    public const int FftSize = WindowSize;

    /// <summary>Number of non-redundant FFT bins, DC..Nyquist (481, spaced 50 Hz).</summary>
    public const int BinCount = FftSize / 2 + 1;

    /// <summary>Bin spacing in Hz.</summary>
    public const double BinHz = (double)SampleRate / FftSize;

    /// <summary>Number of ERB bands.</summary>
    public const int BandCount = 34;

    /// <summary>
    /// The Denoiser's delay in samples: 2 frames of look-ahead plus the overlap-add frame, 1440 (30 ms).
    /// </summary>
    public const int LatencySamples = 3 * FrameSize;

    /// <summary>Upper edge of the modelled spectrum in Hz; bins above it take the last band's gain.</summary>
    public const double MaxBandHz = 20000.0;

    /// <summary>Shortest pitch period searched, in samples at 48 kHz (800 Hz).</summary>
    public const int MinPeriod = 60;

    /// <summary>Longest pitch period searched, in samples at 48 kHz (62.5 Hz).</summary>
    public const int MaxPeriod = 768;
}
