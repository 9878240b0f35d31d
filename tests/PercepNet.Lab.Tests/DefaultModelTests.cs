using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.Metrics;
using PercepNet.TestSupport;

namespace PercepNet.Lab.Tests;

/// <summary>The built-in model (models/default.pnnm, embedded when present) on real noisy speech.</summary>
public class DefaultModelTests
{
    [SkippableFact]
    public void BuiltInModelImprovesRealNoisySpeech()
    {
        Skip.IfNot(PercepNetModel.HasDefault, "this build carries no built-in model (models/default.pnnm absent)");
        string dir = TestData.Require("eval/vbdemand16k");
        double gain = 0;
        string[] names = Directory.GetFiles(Path.Combine(dir, "noisy"), "*.wav").Order().Take(6).Select(Path.GetFileName).ToArray()!;
        foreach (string name in names)
        {
            var clean = AudioFile.Read(Path.Combine(dir, "clean", name)).Channels[0];
            var noisy = AudioFile.Read(Path.Combine(dir, "noisy", name)).Channels[0];
            var x = Resampler.Resample(noisy, 16000, 48000);
            var d = new Denoiser(PercepNetModel.Default);
            int frames = (x.Length + d.LatencySamples) / 480 + 1;
            var padded = new float[frames * 480];
            x.CopyTo(padded, 0);
            var y = new float[padded.Length];
            for (int f = 0; f < frames; f++) d.ProcessFrame(padded.AsSpan(f * 480, 480), y.AsSpan(f * 480, 480));
            var z = Resampler.Resample(y.AsSpan(d.LatencySamples, x.Length), 48000, 16000).AsSpan(0, clean.Length).ToArray();
            gain += SiSdr.Compute(clean, z) - SiSdr.Compute(clean, noisy);
        }
        gain /= names.Length;
        Assert.True(gain > 1.0, $"mean SI-SDR change {gain:F2} dB");
    }
}
