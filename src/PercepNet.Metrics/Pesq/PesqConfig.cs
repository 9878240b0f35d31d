namespace PercepNet.Metrics.Pesq;

/// <summary>
/// Rate-dependent constants of P.862 for 8 and 16 kHz. Everything is expressed in samples of the
/// input rate; the alignment runs on "windows" of <see cref="Downsample"/> samples (4 ms).
/// </summary>
internal sealed class PesqConfig
{
    /// <summary>Frames (windows of 4 ms) of zeros placed before and after each signal: 300 ms.</summary>
    public const int SearchBufferWindows = 75;

    /// <summary>Extra zeros after each signal so that frames may run past the end: 320 ms.</summary>
    public const int PaddingMs = 320;

    /// <summary>Target mean power after level alignment, in 16-bit sample units squared (P.862 10.1, level alignment).</summary>
    public const double TargetPower = 1e7;

    private PesqConfig(int sampleRate, int downsample, int alignNfft, double sp, double sl, double[] alignmentSos)
    {
        SampleRate = sampleRate;
        Downsample = downsample;
        AlignNfft = alignNfft;
        FrameLength = 8 * downsample;
        SearchBuffer = SearchBufferWindows * downsample;
        Padding = PaddingMs * (sampleRate / 1000);
        Sp = sp;
        Sl = sl;
        AlignmentSos = alignmentSos;
        Bark = BarkTables.For(sampleRate);
    }

    public int SampleRate { get; }

    /// <summary>Samples per 4 ms alignment window (32 at 8 kHz, 64 at 16 kHz).</summary>
    public int Downsample { get; }

    /// <summary>FFT length of the fine (histogram) delay estimation: 64 ms.</summary>
    public int AlignNfft { get; }

    /// <summary>Perceptual-model frame: 32 ms (256 or 512 samples), hop of half a frame.</summary>
    public int FrameLength { get; }

    /// <summary>Zeros before (and, again, after) the signal: <see cref="SearchBufferWindows"/> windows.</summary>
    public int SearchBuffer { get; }

    /// <summary>Zeros after the trailing search buffer: <see cref="PaddingMs"/> ms.</summary>
    public int Padding { get; }

    /// <summary>Scale from FFT bin power to the model's pitch power density (P.862 calibration).</summary>
    public double Sp { get; }

    /// <summary>Scale of the loudness density so that a 1 kHz tone at 40 dB SPL gives 1 sone.</summary>
    public double Sl { get; }

    public double[] AlignmentSos { get; }

    public BarkTables Bark { get; }

    public static readonly PesqConfig Rate8k = new(8000, 32, 512, 2.764344e-5, 1.866055e-1, PesqFilters.AlignmentSos8k);
    public static readonly PesqConfig Rate16k = new(16000, 64, 1024, 6.910853e-6, 1.866055e-1, PesqFilters.AlignmentSos16k);

    public static PesqConfig For(int sampleRate) => sampleRate == 8000 ? Rate8k : Rate16k;
}
