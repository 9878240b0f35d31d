using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;
using PercepNet.TestSupport;
using Xunit.Abstractions;

namespace PercepNet.Cli.Tests;

/// <summary>int8 against float on features of real noisy speech (../shared/data).</summary>
public class Int8RealFeatureTests(ITestOutputHelper output)
{
    /// <summary>Three RAVDESS sentences with kitchen noise added at about 5 dB SNR.</summary>
    private static float[] NoisySpeechFeatures(out int frames)
    {
        var noise = AudioFile.Read(TestData.Require("noise/speech-commands/doing_the_dishes.wav"));
        // The first 12 s of the (16 kHz) noise, at 48 kHz.
        var noiseSamples = Resampler.Resample(noise.Channels[0].AsSpan(0, Math.Min(noise.Length, 12 * noise.SampleRate)), noise.SampleRate, FrameLayout.SampleRate);
        var speech = new List<float>();
        foreach (string name in new[] { "03-01-03-01-01-01-07.wav", "03-01-03-01-01-01-10.wav", "03-01-03-01-01-01-01.wav" })
        {
            var a = AudioFile.Read(TestData.Require("speech/ravdess48k/" + name));
            Skip.If(a.SampleRate != FrameLayout.SampleRate, name + " is not 48 kHz");
            speech.AddRange(a.Channels[0]);
        }
        double ps = speech.Average(v => (double)v * v), pn = noiseSamples.Average(v => (double)v * v);
        float g = (float)Math.Sqrt(ps / pn / Math.Pow(10, 0.5));
        int n = FrameLayout.FrameSize;
        frames = speech.Count / n;
        var analyzer = new SignalAnalyzer();
        var spectrum = new FrameSpectrum();
        var features = new float[frames * FeatureExtractor.Count];
        var frame = new float[n];
        for (int f = 0; f < frames; f++)
        {
            for (int i = 0; i < n; i++) frame[i] = speech[f * n + i] + g * noiseSamples[(f * n + i) % noiseSamples.Length];
            analyzer.AnalyzeFrame(frame, spectrum, null);
            FeatureExtractor.Extract(spectrum, features.AsSpan(f * FeatureExtractor.Count, FeatureExtractor.Count));
        }
        return features;
    }

    /// <summary>
    /// A TorchSharp-initialised small network normalised with the statistics of these features.
    /// Bounds: max |Δ| &lt;= 0.01 and mean &lt;= 0.0015 over gains, strengths and VAD (measured with
    /// FeatureRange 16: max 3.0e-3, mean 7.0e-4); under 1% of the features clipped (measured 0).
    /// </summary>
    [SkippableFact]
    public void Int8FollowsFloatOnRealFeatures()
    {
        var features = NoisySpeechFeatures(out int frames);
        int k = FeatureExtractor.Count;
        // Normalisation statistics from these very frames, as training would compute them.
        var mean = new float[k];
        var std = new float[k];
        for (int i = 0; i < k; i++)
        {
            double m = 0, s = 0;
            for (int f = 0; f < frames; f++) m += features[f * k + i];
            m /= frames;
            for (int f = 0; f < frames; f++) s += Math.Pow(features[f * k + i] - m, 2);
            mean[i] = (float)m;
            std[i] = (float)Math.Max(Math.Sqrt(s / frames), 1e-3);
        }
        int clipped = 0;
        double maxZ = 0;
        for (int f = 0; f < frames; f++)
            for (int i = 0; i < k; i++)
            {
                double z = Math.Abs((features[f * k + i] - mean[i]) / std[i]);
                maxZ = Math.Max(maxZ, z);
                if (z > PercepNetNetworkInt8.FeatureRange) clipped++;
            }
        double clippedFraction = (double)clipped / (frames * k);

        var init = ModelFile.TorchInit(NetworkShape.Small, 61, // as PercepNetNetworkInt8Tests.TorchInitModel
            Enumerable.Range(0, FeatureExtractor.Count).Select(i => (float)(0.1 * i)).ToArray(),
            Enumerable.Range(0, FeatureExtractor.Count).Select(i => 0.5f + 0.01f * i).ToArray());
        var model = new ModelFile(NetworkShape.Small, mean, std, Enumerable.Range(0, init.TensorCount).Select(i => init.Tensor(i).ToArray()).ToList());
        IPercepNetNetwork fl = new PercepNetNetwork(model), q = new PercepNetNetworkInt8(model);
        var gf = new float[34]; var rf = new float[34]; var gq = new float[34]; var rq = new float[34];
        double maxD = 0, sumD = 0;
        for (int f = 0; f < frames; f++)
        {
            fl.Process(features.AsSpan(f * k, k), gf, rf, out float vf);
            q.Process(features.AsSpan(f * k, k), gq, rq, out float vq);
            for (int b = 0; b < 34; b++)
            {
                double d = Math.Max(Math.Abs(gf[b] - gq[b]), Math.Abs(rf[b] - rq[b]));
                maxD = Math.Max(maxD, d);
                sumD += d;
            }
            maxD = Math.Max(maxD, Math.Abs(vf - vq));
        }
        output.WriteLine($"{frames} frames: {clippedFraction:p3} of normalised features beyond ±{PercepNetNetworkInt8.FeatureRange} (max |z| {maxZ:f1}); int8 vs float max {maxD:e2}, mean {sumD / (34.0 * frames):e2}");
        Assert.True(clippedFraction < 0.01, $"{clippedFraction:p3} of features clipped");
        Assert.True(maxD <= 0.01, $"int8 vs float max difference {maxD}");
        Assert.True(sumD / (34.0 * frames) <= 0.0015, $"int8 vs float mean difference {sumD / (34.0 * frames)}");
    }
}
