using PercepNet.Dsp;
using PercepNet.Features;
using PercepNet.Nn;
using PercepNet.Training.Evaluation;

namespace PercepNet.Training.Tests;

public sealed class GainDiagnosticsTests
{
    [Fact]
    public void StatsSplitNoiseAndSpeechCellsAndSkipMaskedBands()
    {
        var s = new GainStats();
        // Band 0: noise cell (ideal 0.01 = -40 dB, net 0.1 = -20 dB); band 1: speech cell (ideal 0.9,
        // net 0.6); band 2: in between (ideal 0.5, net 0.5); band 3: masked out (would be a noise cell).
        s.Add([0.01f, 0.9f, 0.5f, 0.0f], [0.1f, 0.6f, 0.5f, 1f], [0.2f, 0.4f, 0.6f, 1f], [0.3f, 0.3f, 0.3f, 0f],
            [1, 1, 1, 0], targetVad: 1, vad: 0.7f);
        s.Add([0.001f, 1f, 0.5f, 0f], [0.001f, 1f, 0.5f, 0f], [0f, 0f, 0f, 0f], [0f, 0f, 0f, 0f], [1, 1, 1, 0], targetVad: 0, vad: 0.7f);
        Assert.Equal(6, s.Cells);
        Assert.Equal(2, s.Frames);
        Assert.Equal(0.5, s.VadAgreement, 12);
        Assert.Equal(2.0 / 6, s.NoiseCellShare, 12);
        Assert.Equal((-40 - 60) / 2.0, s.NoiseTargetDb, 4);
        Assert.Equal((-20 - 60) / 2.0, s.NoisePredictedDb, 4);
        // The second frame has no speech (target VAD 0): its noise cell is the pause one.
        Assert.Equal(0.5, s.PauseShareOfNoiseCells, 12);
        Assert.Equal(-60, s.PauseNoiseTargetDb, 4);
        Assert.Equal(-60, s.PauseNoisePredictedDb, 4);
        Assert.Equal(-40, s.SpeechFrameNoiseTargetDb, 4);
        Assert.Equal(-20, s.SpeechFrameNoisePredictedDb, 4);
        Assert.Equal(2.0 / 6, s.SpeechCellShare, 12);
        Assert.Equal(0.95, s.SpeechTargetGain, 6);
        Assert.Equal(0.8, s.SpeechPredictedGain, 6);
        Assert.Equal((0.2 + 0.4 + 0.6) / 6, s.StrengthTarget, 6);
        Assert.Equal(0.9 / 6, s.StrengthPredicted, 6);
        double err = Math.Abs(Math.Sqrt(0.01) - Math.Sqrt(0.1)) + Math.Abs(Math.Sqrt(0.9) - Math.Sqrt(0.6));
        Assert.Equal(err / 6, s.MeanSqrtGainError, 6);

        var sum = new GainStats();
        sum.Add(s);
        sum.Add(s);
        Assert.Equal(12, sum.Cells);
        Assert.Equal(s.NoisePredictedDb, sum.NoisePredictedDb, 10);
        Assert.Equal(s.PauseNoisePredictedDb, sum.PauseNoisePredictedDb, 10);
        Assert.Equal(s.SpeechFrameNoisePredictedDb, sum.SpeechFrameNoisePredictedDb, 10);
        Assert.Equal(s.MeanSqrtGainError, sum.MeanSqrtGainError, 10);
    }

    [Fact]
    public void ANetworkWithZeroWeightsPredictsOneHalfEverywhere()
    {
        // Every head is sigmoid(0) = 0.5 with zero weights: the comparison must see exactly that, on
        // every frame but the look-ahead ones, against real oracle targets of a voiced pair.
        var shape = NetworkShape.Small;
        var model = new ModelFile(shape, new float[FeatureExtractor.Count], Enumerable.Repeat(1f, FeatureExtractor.Count).ToArray(),
            shape.Tensors().Select(t => new float[t.Shape.Aggregate(1, (a, b) => a * b)]).ToArray());
        var rng = new Random(4);
        int n = 48000;
        var clean = new float[n];
        var noisy = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t = i / 48000.0, v = 0;
            for (int h = 1; h < 20; h++) v += Math.Sin(2 * Math.PI * 150 * h * t) / h;
            clean[i] = (float)(0.1 * v * Math.Max(0, Math.Sin(Math.PI * t / 0.5)));
            noisy[i] = clean[i] + (float)(0.01 * (rng.NextDouble() * 2 - 1));
        }
        var s = GainDiagnostics.Run(model, noisy, clean, 24000);
        Assert.Equal(n / FrameLayout.FrameSize - shape.LookaheadFrames, s.Frames);
        Assert.True(s.Cells > s.Frames * 20, $"{s.Cells} cells");
        Assert.Equal(20 * Math.Log10(0.5), s.NoisePredictedDb, 3);
        Assert.Equal(0.5, s.SpeechPredictedGain, 4);
        Assert.Equal(0.5, s.StrengthPredicted, 4);
        Assert.True(s.NoiseCellShare > 0.05 && s.SpeechCellShare > 0.05, $"noise {s.NoiseCellShare}, speech {s.SpeechCellShare}");
        Assert.True(s.NoiseTargetDb < -20, $"ideal gain of the noise cells {s.NoiseTargetDb} dB");
        Assert.True(s.SpeechTargetGain > 0.85, $"ideal gain of the speech cells {s.SpeechTargetGain}");
    }
}
