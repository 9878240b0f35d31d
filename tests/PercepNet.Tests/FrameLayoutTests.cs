using PercepNet.Dsp;

namespace PercepNet.Tests;

public class FrameLayoutTests
{
    [Fact]
    public void SizesDeriveFromTheRate()
    {
        Assert.Equal(480, FrameLayout.FrameSize);
        Assert.Equal(960, FrameLayout.WindowSize);
        Assert.Equal(481, FrameLayout.BinCount);
        Assert.Equal(50.0, FrameLayout.BinHz);
        // The stated latency is the signal path's: look-ahead of the analysis plus the overlap-add frame.
        Assert.Equal(PercepNet.Features.SignalAnalyzer.LookaheadSamples + Stft.LatencySamples, FrameLayout.LatencySamples);
    }
}
