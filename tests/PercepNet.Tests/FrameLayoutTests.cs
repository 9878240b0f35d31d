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
    }
}
