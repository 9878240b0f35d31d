using PercepNet.Metrics.Dsp;
using PercepNet.TestSupport;
using Xunit.Abstractions;

namespace PercepNet.Metrics.Tests;

/// <summary>One model load shared by the DNSMOS tests (the sessions are thread-safe).</summary>
public sealed class DnsmosFixture : IDisposable
{
    private readonly Lazy<Dnsmos> _dnsmos = new(() => new Dnsmos(TestData.Require("dnsmos")));
    public Dnsmos Get()
    {
        TestData.Require("dnsmos/" + Dnsmos.P835ModelFile);
        return _dnsmos.Value;
    }
    public void Dispose() { if (_dnsmos.IsValueCreated) _dnsmos.Value.Dispose(); }
}

public class DnsmosTests(DnsmosFixture fixture, ITestOutputHelper output) : IClassFixture<DnsmosFixture>
{
    [SkippableFact]
    public void CleanScoresAboveNoisy_InRange_Deterministic()
    {
        var dnsmos = fixture.Get();
        var clean = Golden.Load("eval/vbdemand16k/clean/p232_002.wav");
        var noisy = Golden.Load("eval/vbdemand16k/noisy/p232_002.wav");
        var c = dnsmos.Score(clean.Mono(), clean.SampleRate);
        var n = dnsmos.Score(noisy.Mono(), noisy.SampleRate);
        output.WriteLine($"clean {c}\nnoisy {n}");
        // 2.715 s appended to itself twice = 10.86 s: int(floor(10.86) - 9.01) + 1 = 1 window.
        Assert.Equal(1, c.Windows);
        Assert.Equal(1, n.Windows);
        foreach (var v in new[] { c.Sig, c.Bak, c.Ovrl, c.P808, n.Sig, n.Bak, n.Ovrl, n.P808 })
            Assert.InRange(v, 1.0, 5.0);
        Assert.True(c.Bak > n.Bak, $"BAK clean {c.Bak} <= noisy {n.Bak}");
        Assert.True(c.Ovrl > n.Ovrl, $"OVRL clean {c.Ovrl} <= noisy {n.Ovrl}");
        Assert.Equal(c, dnsmos.Score(clean.Mono(), clean.SampleRate));
    }

    [SkippableFact]
    public void FullbandInput_IsResampled()
    {
        var dnsmos = fixture.Get();
        var clean = Golden.Load("eval/dfn48k/clean.wav");
        var noisy = Golden.Load("eval/dfn48k/noisy.wav");
        var c = dnsmos.Score(clean.Mono(), clean.SampleRate);
        var n = dnsmos.Score(noisy.Mono(), noisy.SampleRate);
        output.WriteLine($"clean {c}\nnoisy {n}");
        Assert.Equal(1, c.Windows); // 10.6 s: floor(10) - 9.01 truncates to 0, one window
        Assert.True(c.Bak > n.Bak && c.Ovrl > n.Ovrl, $"clean {c} vs noisy {n}");
    }

    [Fact]
    public void MissingModelFolder_NamesThePath()
    {
        string dir = Path.Combine(Path.GetTempPath(), "percepnet-no-such-dnsmos-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<FileNotFoundException>(() => new Dnsmos(dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains(Dnsmos.P835ModelFile, e.Message);
    }

    [SkippableFact]
    public void EmptyInput_IsNaN()
    {
        var r = fixture.Get().Score([], 16000);
        Assert.Equal(0, r.Windows);
        Assert.True(double.IsNaN(r.Ovrl));
    }
}

public class P808MelSpectrogramTests
{
    [Fact]
    public void WindowWithoutLastHop_Gives900Frames()
    {
        Assert.Equal(900, P808MelSpectrogram.FrameCount(Dnsmos.WindowSamples - P808MelSpectrogram.HopLength));
    }

    [Fact]
    public void SlaneyMelScale_KnownPoints()
    {
        Assert.Equal(15.0, P808MelSpectrogram.HzToMel(1000), 12);       // linear part: 1000 / (200/3)
        Assert.Equal(15.0 + 27.0, P808MelSpectrogram.HzToMel(6400), 12); // 27 log steps per factor 6.4
        for (double f = 10; f < 8000; f *= 1.37)
            Assert.True(Math.Abs(f - P808MelSpectrogram.MelToHz(P808MelSpectrogram.HzToMel(f))) <= 1e-9 * f, $"f={f}");
    }

    [Fact]
    public void FilterBank_SlaneyAreaNormalised()
    {
        // With Slaney normalisation each triangle has unit area in Hz (height 2 / width), so the
        // bin-sum times the bin spacing is about 1 for filters wide compared with a bin.
        var fb = P808MelSpectrogram.SlaneyMelFilterBank(16000, 321, 120, 0, 8000);
        double binHz = 16000.0 / 321;
        for (int m = 60; m < 119; m++)
            Assert.InRange(fb[m].Sum(w => (double)w) * binHz, 0.9, 1.1);
        Assert.All(fb, row => Assert.All(row, w => Assert.True(w >= 0)));
    }

    /// <summary>
    /// Spot values of the features librosa 0.10.2.post1 computes (numpy 1.24, float64 input from
    /// soundfile) for the first DNSMOS window of noisy/p232_002.wav, generated with:
    /// <code>
    /// a, fs = soundfile.read("eval/vbdemand16k/noisy/p232_002.wav")
    /// while len(a) &lt; 144160: a = np.append(a, a)
    /// mel = librosa.feature.melspectrogram(y=a[0:144160][:-160], sr=16000, n_fft=321, hop_length=160, n_mels=120)
    /// f = ((librosa.power_to_db(mel, ref=np.max) + 40) / 40).T.astype("float32")
    /// f.astype(np.float64).sum(), f[0,0], f[100,10], f[450,60], f[899,119], f[300,119]
    /// </code>
    /// All 108000 values agreed bit for bit (float32) when this was written.
    /// </summary>
    [SkippableFact]
    public void Features_MatchLibrosa()
    {
        var a = Golden.Load("eval/vbdemand16k/noisy/p232_002.wav").Mono();
        while (a.Length < Dnsmos.WindowSamples) a = [.. a, .. a];
        var f = new P808MelSpectrogram().Compute(a.AsSpan(0, Dnsmos.WindowSamples - P808MelSpectrogram.HopLength));
        Assert.Equal(900 * 120, f.Length);
        Assert.Equal(-45618.570741404, f.Sum(v => (double)v), 6);
        Assert.Equal(-0.5964730381965637f, f[0 * 120 + 0]);
        Assert.Equal(-0.9340980648994446f, f[100 * 120 + 10]);
        Assert.Equal(-0.17665903270244598f, f[450 * 120 + 60]);
        Assert.Equal(-0.71457439661026f, f[899 * 120 + 119]);
        Assert.Equal(-1.0f, f[300 * 120 + 119]);
    }

    [Fact]
    public void Features_ToneAtMaximum_AndFloorAt80dB()
    {
        var x = new float[16000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * i / 16000.0));
        var f = new P808MelSpectrogram().Compute(x);
        Assert.Equal(P808MelSpectrogram.FrameCount(x.Length) * 120, f.Length);
        Assert.Equal((0 + 40) / 40f, f.Max(), 5);          // max maps to 0 dB -> 1.0
        Assert.Equal((-80 + 40) / 40f, f.Min(), 5);        // top_db floor -> -1.0
    }
}

public class DnsmosWindowingTests
{
    [Theory]
    [InlineData(144160, new[] { 0 })]                       // exactly 9.01 s: int(9 - 9.01) + 1 = 1
    [InlineData(173760, new[] { 0 })]                       // 10.86 s: int(10 - 9.01) + 1 = 1, though a window at 1 s would fit
    [InlineData(252320, new[] { 0, 1, 2, 3, 4, 5 })]        // 15.77 s (p232_013 doubled twice): 6 windows
    public void WindowStarts_FollowTheReference(int length, int[] seconds)
    {
        Assert.Equal(seconds.Select(s => s * 16000), Dnsmos.WindowStarts(length));
    }

    [Fact]
    public void WindowStarts_SkipSevenToTwentyThree_AsTheReferenceRounding()
    {
        // int((i + 9.01) * 16000) is 144159 samples after int(i * 16000) for i = 7..23 in double precision.
        var starts = Dnsmos.WindowStarts(40 * 16000).Select(s => s / 16000).ToArray();
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5, 6, 24, 25, 26, 27, 28, 29, 30 }, starts);
    }
}
