using System.Diagnostics;
using System.Numerics;

namespace PercepNet.Dsp;

/// <summary>
/// Windowed analysis and overlap-add synthesis on the PercepNet frame grid (960-sample Vorbis
/// window, 480-sample hop, 960-point real FFT). Spectra are 481 interleaved complex bins
/// (<see cref="SpectrumLength"/> floats). The synthesis keeps the second half of the previous
/// windowed frame: with unity gains, the output of a frame equals the input delayed by
/// <see cref="LatencySamples"/> (one hop).
/// </summary>
/// <remarks>One instance per stream; allocates nothing after construction.</remarks>
internal sealed class Stft
{
    /// <summary>Floats in one spectrum: 481 bins, interleaved (re, im).</summary>
    public const int SpectrumLength = 2 * FrameLayout.BinCount;

    /// <summary>Delay of the overlap-add synthesis relative to the analysed input, in samples.</summary>
    public const int LatencySamples = FrameLayout.FrameSize;

    private readonly RealFft _fft = new(FrameLayout.FftSize);
    private readonly float[] _time = new float[FrameLayout.WindowSize];
    private readonly float[] _overlap = new float[FrameLayout.FrameSize];

    /// <summary>Windows 960 samples and transforms them into <paramref name="spectrum"/> (962 floats).</summary>
    public void Analyze(ReadOnlySpan<float> window960, Span<float> spectrum)
    {
        Debug.Assert(window960.Length >= FrameLayout.WindowSize && spectrum.Length >= SpectrumLength);
        ReadOnlySpan<float> w = VorbisWindow.Coefficients;
        Multiply(window960[..FrameLayout.WindowSize], w, _time);
        _fft.Forward(_time, spectrum);
    }

    /// <summary>
    /// Inverse-transforms <paramref name="spectrum"/>, windows it and overlap-adds: writes the 480
    /// finished samples to <paramref name="output"/>.
    /// </summary>
    public void Synthesize(ReadOnlySpan<float> spectrum, Span<float> output)
    {
        Debug.Assert(spectrum.Length >= SpectrumLength && output.Length >= FrameLayout.FrameSize);
        const int h = FrameLayout.FrameSize;
        _fft.Inverse(spectrum, _time);
        ReadOnlySpan<float> w = VorbisWindow.Coefficients;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int n = Vector<float>.Count;
            for (; i <= h - n; i += n)
            {
                var o = new Vector<float>(_overlap.AsSpan(i, n)) + new Vector<float>(_time.AsSpan(i, n)) * new Vector<float>(w.Slice(i, n));
                o.CopyTo(output.Slice(i, n));
                (new Vector<float>(_time.AsSpan(h + i, n)) * new Vector<float>(w.Slice(h + i, n))).CopyTo(_overlap.AsSpan(i, n));
            }
        }
        for (; i < h; i++)
        {
            output[i] = _overlap[i] + _time[i] * w[i];
            _overlap[i] = _time[h + i] * w[h + i];
        }
    }

    /// <summary>dst[i] = a[i] b[i] (element-wise, so vectorising changes no bit).</summary>
    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
    {
        int n = a.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; i <= n - w; i += w)
                (new Vector<float>(a.Slice(i, w)) * new Vector<float>(b.Slice(i, w))).CopyTo(dst.Slice(i, w));
        }
        for (; i < n; i++) dst[i] = a[i] * b[i];
    }

    /// <summary>Clears the overlap-add memory (new stream).</summary>
    public void Reset() => Array.Clear(_overlap);
}
