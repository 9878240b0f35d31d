using PercepNet.Dsp;
using NAudio.Dsp;
using Xunit.Abstractions;

namespace PercepNet.Audio.Tests;

/// <summary>
/// Why we have our own resampler: NAudio's WdlResampler in its best (sinc) mode, measured with the
/// same 44.1 -> 48 -> 44.1 kHz round trip as our resampler. The numbers go to docs/audio.md.
/// </summary>
public sealed class WdlResamplerExperiment(ITestOutputHelper output)
{
    private static float[] Wdl(float[] x, int inRate, int outRate, int sincSize)
    {
        var r = new WdlResampler();
        r.SetMode(true, 0, true, sincSize, 32);
        r.SetFeedMode(true);
        r.SetRates(inRate, outRate);
        var result = new List<float>();
        var outBuf = new float[8192];
        int pos = 0;
        while (pos < x.Length)
        {
            int n = Math.Min(1024, x.Length - pos);
            int want = r.ResamplePrepare(n, 1, out Span<float> inBuf);
            n = Math.Min(n, want);
            x.AsSpan(pos, n).CopyTo(inBuf);
            pos += n;
            int got = r.ResampleOut(outBuf, n, outBuf.Length, 1);
            result.AddRange(outBuf.AsSpan(0, got));
        }
        return result.ToArray();
    }

    [Theory]
    [InlineData(64)] // 256 taps measure the same (-119.4 dB)
    public void WdlRoundTrip_ThdN(int sincSize)
    {
        var x = Signal.Sine(44100, 1000, 44100);
        var y = Wdl(Wdl(x, 44100, 48000, sincSize), 48000, 44100, sincSize);
        var (_, thdn) = Signal.FitSine(Signal.Middle(y), 1000, 44100);
        output.WriteLine($"WdlResampler sinc_size={sincSize}: 44.1->48->44.1 kHz, 1 kHz sine: THD+N = {thdn:F1} dB");
        Assert.True(thdn < 0);
    }

    [Fact]
    public void WdlPassbandAndAliasing()
    {
        foreach (double f in new[] { 1000.0, 10000, 18000, 20000 })
        {
            var y = Wdl(Signal.Sine(44100, f, 44100), 44100, 48000, 64);
            var (a, res) = Signal.FitSine(Signal.Middle(y), f, 48000);
            output.WriteLine($"WdlResampler 44.1->48 kHz, {f} Hz: gain {20 * Math.Log10(a / 0.5):F3} dB, residual (images+noise) {res:F1} dB");
        }
        foreach (double f in new[] { 22500.0, 23000, 23500 })
        {
            var y = Wdl(Signal.Sine(48000, f, 48000), 48000, 44100, 64);
            output.WriteLine($"WdlResampler 48->44.1 kHz, {f} Hz (must vanish): output {Signal.RmsDb(Signal.Middle(y)) - Signal.RmsDb(Signal.Sine(48000, f, 48000)):F1} dB");
        }
    }
}
