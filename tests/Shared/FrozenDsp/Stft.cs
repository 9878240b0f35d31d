// FROZEN COPY of src/PercepNet.Core/Dsp/Stft.cs as of commit c974eeb (before the DSP speed work):
// the reference the optimised code is compared against (tests) and timed against (bench). Do not edit.
using System.Diagnostics;

using PercepNet.Dsp;

namespace PercepNet.Frozen;

/// <summary>
/// Windowed analysis and overlap-add synthesis on the PercepNet frame grid (960-sample Vorbis
/// window, 480-sample hop, 960-point real FFT). Spectra are 481 interleaved complex bins
/// (<see cref="SpectrumLength"/> floats). The synthesis keeps the second half of the previous
/// windowed frame: with unity gains, the output of a frame equals the input delayed by
/// <see cref="LatencySamples"/> (one hop).
/// </summary>
/// <remarks>One instance per stream; allocates nothing after construction.</remarks>
public sealed class Stft
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
        for (int i = 0; i < FrameLayout.WindowSize; i++) _time[i] = window960[i] * w[i];
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
        for (int i = 0; i < h; i++)
        {
            output[i] = _overlap[i] + _time[i] * w[i];
            _overlap[i] = _time[h + i] * w[h + i];
        }
    }

    /// <summary>Clears the overlap-add memory (new stream).</summary>
    public void Reset() => Array.Clear(_overlap);
}
