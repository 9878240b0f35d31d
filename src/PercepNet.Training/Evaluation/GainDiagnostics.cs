using PercepNet.Dsp;
using PercepNet.Nn;
using PercepNet.Training.Data;

namespace PercepNet.Training.Evaluation;

/// <summary>
/// How far a network's band gains, strengths and speech probability are from the oracle targets
/// the trainer teaches, over the cells (frame x band) the loss counts. Split where it matters for
/// denoising: noise-dominated cells (ideal gain below <see cref="NoiseCellGain"/>: residual noise
/// when under-suppressed) and speech-dominated cells (ideal gain above <see cref="SpeechCellGain"/>:
/// muffled speech when over-suppressed).
/// </summary>
public sealed class GainStats
{
    /// <summary>Cells whose ideal gain is below this are noise-dominated.</summary>
    public const double NoiseCellGain = 0.2;

    /// <summary>Cells whose ideal gain is above this are speech-dominated.</summary>
    public const double SpeechCellGain = 0.7;

    /// <summary>Gains are floored here (-60 dB) before they are averaged in dB.</summary>
    public const double DbFloor = 1e-3;

    private long _cells, _noiseCells, _speechCells, _frames, _vadAgree, _pauseNoiseCells;
    private double _sqrtErr, _noiseTargetDb, _noisePredDb, _pauseTargetDb, _pausePredDb, _speechTarget, _speechPred, _strengthTarget, _strengthPred;

    /// <summary>Cells counted (mask 1).</summary>
    public long Cells => _cells;

    /// <summary>Frames counted for the speech-presence agreement.</summary>
    public long Frames => _frames;

    /// <summary>Mean |sqrt(g) - sqrt(ĝ)|: the loss's own scale (gamma 0.5).</summary>
    public double MeanSqrtGainError => _sqrtErr / Math.Max(1, _cells);

    /// <summary>Share of the cells that are noise-dominated.</summary>
    public double NoiseCellShare => (double)_noiseCells / Math.Max(1, _cells);

    /// <summary>Mean ideal gain of the noise-dominated cells, dB.</summary>
    public double NoiseTargetDb => _noiseTargetDb / Math.Max(1, _noiseCells);

    /// <summary>Mean predicted gain of the noise-dominated cells, dB (above the target = residual noise).</summary>
    public double NoisePredictedDb => _noisePredDb / Math.Max(1, _noiseCells);

    /// <summary>Share of the noise-dominated cells that lie in frames without speech (target VAD below 0.5).</summary>
    public double PauseShareOfNoiseCells => (double)_pauseNoiseCells / Math.Max(1, _noiseCells);

    /// <summary>Mean ideal gain, dB, of the noise-dominated cells in frames without speech (pauses).</summary>
    public double PauseNoiseTargetDb => _pauseTargetDb / Math.Max(1, _pauseNoiseCells);

    /// <summary>Mean predicted gain, dB, of the noise-dominated cells in frames without speech: what is left between words.</summary>
    public double PauseNoisePredictedDb => _pausePredDb / Math.Max(1, _pauseNoiseCells);

    /// <summary>Mean ideal gain, dB, of the noise-dominated cells in frames with speech.</summary>
    public double SpeechFrameNoiseTargetDb => (_noiseTargetDb - _pauseTargetDb) / Math.Max(1, _noiseCells - _pauseNoiseCells);

    /// <summary>Mean predicted gain, dB, of the noise-dominated cells in frames with speech: noise left under and between the words' harmonics.</summary>
    public double SpeechFrameNoisePredictedDb => (_noisePredDb - _pausePredDb) / Math.Max(1, _noiseCells - _pauseNoiseCells);

    /// <summary>Share of the cells that are speech-dominated.</summary>
    public double SpeechCellShare => (double)_speechCells / Math.Max(1, _cells);

    /// <summary>Mean ideal gain of the speech-dominated cells (linear).</summary>
    public double SpeechTargetGain => _speechTarget / Math.Max(1, _speechCells);

    /// <summary>Mean predicted gain of the speech-dominated cells (below the target = muffled speech).</summary>
    public double SpeechPredictedGain => _speechPred / Math.Max(1, _speechCells);

    /// <summary>Mean ideal comb-filter strength over the counted cells.</summary>
    public double StrengthTarget => _strengthTarget / Math.Max(1, _cells);

    /// <summary>Mean predicted comb-filter strength over the counted cells.</summary>
    public double StrengthPredicted => _strengthPred / Math.Max(1, _cells);

    /// <summary>Share of frames where the speech probability (above 0.5 or not) agrees with the target.</summary>
    public double VadAgreement => (double)_vadAgree / Math.Max(1, _frames);

    /// <summary>One frame: targets and predictions for every band, the band mask and speech presence.</summary>
    public void Add(ReadOnlySpan<float> targetGains, ReadOnlySpan<float> gains, ReadOnlySpan<float> targetStrengths,
        ReadOnlySpan<float> strengths, ReadOnlySpan<float> mask, float targetVad, float vad)
    {
        _frames++;
        if ((vad > 0.5f) == (targetVad > 0.5f)) _vadAgree++;
        for (int b = 0; b < targetGains.Length; b++)
        {
            if (mask[b] == 0) continue;
            double t = targetGains[b], p = gains[b];
            _cells++;
            _sqrtErr += Math.Abs(Math.Sqrt(Math.Max(0, t)) - Math.Sqrt(Math.Max(0, p)));
            _strengthTarget += targetStrengths[b];
            _strengthPred += strengths[b];
            if (t < NoiseCellGain)
            {
                _noiseCells++;
                double td = 20 * Math.Log10(Math.Max(t, DbFloor)), pd = 20 * Math.Log10(Math.Max(p, DbFloor));
                _noiseTargetDb += td;
                _noisePredDb += pd;
                if (targetVad < 0.5f)
                {
                    _pauseNoiseCells++;
                    _pauseTargetDb += td;
                    _pausePredDb += pd;
                }
            }
            else if (t > SpeechCellGain)
            {
                _speechCells++;
                _speechTarget += t;
                _speechPred += p;
            }
        }
    }

    /// <summary>Adds everything another accumulator counted.</summary>
    public void Add(GainStats o)
    {
        _cells += o._cells; _noiseCells += o._noiseCells; _speechCells += o._speechCells;
        _frames += o._frames; _vadAgree += o._vadAgree; _sqrtErr += o._sqrtErr;
        _noiseTargetDb += o._noiseTargetDb; _noisePredDb += o._noisePredDb;
        _pauseNoiseCells += o._pauseNoiseCells; _pauseTargetDb += o._pauseTargetDb; _pausePredDb += o._pausePredDb;
        _speechTarget += o._speechTarget; _speechPred += o._speechPred;
        _strengthTarget += o._strengthTarget; _strengthPred += o._strengthPred;
    }
}

/// <summary>Runs a network over a clean/noisy pair and compares its outputs with the oracle targets.</summary>
public static class GainDiagnostics
{
    /// <summary>
    /// <paramref name="noisy"/> and <paramref name="clean"/> at 48 kHz, time-aligned (the shorter
    /// length is used, whole frames only). <paramref name="bandwidthHz"/>: the highest frequency the
    /// recordings carry (bands above it are not counted, as in training). The network (float) runs
    /// frame by frame on the causal features; its output at frame t is compared with the targets of
    /// frame t - look-ahead, the alignment of the training loss.
    /// </summary>
    public static GainStats Run(ModelFile model, ReadOnlySpan<float> noisy, ReadOnlySpan<float> clean, double bandwidthHz)
    {
        const int n = FrameLayout.FrameSize, bands = FrameLayout.BandCount;
        int frames = Math.Min(noisy.Length, clean.Length) / n;
        var seq = new SynthesizedSequence(noisy[..(frames * n)].ToArray(), clean[..(frames * n)].ToArray(), bandwidthHz, "");
        var rows = new float[frames * FeatureShard.FrameFloats];
        new TargetBuilder().Build(seq, rows);
        var net = new PercepNetNetwork(model);
        int nf = model.Shape.Features;
        var inputs = PercepNet.Training.Training.FeatureInputs.Expand(rows, 1, frames, nf);
        var g = new float[bands];
        var r = new float[bands];
        var stats = new GainStats();
        int lag = net.LookaheadFrames;
        for (int t = 0; t < frames; t++)
        {
            net.Process(inputs.AsSpan(t * nf, nf), g, r, out float vad);
            int j = t - lag;
            if (j < 0) continue;
            var o = rows.AsSpan(j * FeatureShard.FrameFloats, FeatureShard.FrameFloats);
            stats.Add(o.Slice(FeatureShard.GainOffset, bands), g, o.Slice(FeatureShard.StrengthOffset, bands), r,
                o.Slice(FeatureShard.MaskOffset, bands), o[FeatureShard.VadOffset], vad);
        }
        return stats;
    }
}
