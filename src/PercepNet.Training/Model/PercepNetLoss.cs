using static TorchSharp.torch;

namespace PercepNet.Training.Model;

/// <summary>Loss weights and exponents (docs/algorithm.md section 10).</summary>
public sealed record LossConfig
{
    /// <summary>Compression exponent applied to gains and to 1 - strength (paper: 0.5).</summary>
    public double Gamma { get; init; } = 0.5;

    /// <summary>Weight of the 4th-power gain term that punishes large errors (paper: 10).</summary>
    public double C4 { get; init; } = 10;

    /// <summary>Weight of the strength loss relative to the gain loss.</summary>
    public double StrengthWeight { get; init; } = 1;

    /// <summary>Weight of the binary cross-entropy VAD term (a small auxiliary task).</summary>
    public double VadWeight { get; init; } = 0.05;

    /// <summary>
    /// Weight of an extra gain term, the relative entropy KL(g || ĝ) of the band gains read as
    /// probabilities (0 = the paper's loss alone). Its gradient with respect to the sigmoid's input
    /// is ĝ - g, which does not vanish at low gains the way the gradient of ĝ^γ does (γ &lt; 1):
    /// the noise-dominated bands, where the paper's term learns slowest. Zero at the target.
    /// </summary>
    public double GainKlWeight { get; init; }

    /// <summary>
    /// Weight of a speech-distortion term that punishes gains predicted below the target more than
    /// above it, in proportion to the target gain (speech-dominated cells have targets near 1):
    /// L_sd = sum_b m_b g_b relu(g^γ - ĝ^γ)^2. 0 = off (the paper's symmetric loss). Deleting speech
    /// is the worst failure a suppressor has; this trades residual noise for kept speech.
    /// </summary>
    public double SpeechDistortionWeight { get; init; }

    /// <summary>
    /// Sharpening of the gain targets, k in g' = g tanh(k g)^2 (0 = off, the targets as built; RNNoise
    /// v0.2 trains with k = 8). Targets near 1 stay (k = 8: 0.5 becomes 0.50, 0.3 becomes 0.29), small
    /// ones go towards 0 (0.2 becomes 0.17, 0.1 becomes 0.044, 0.05 becomes 0.0072): cells where noise
    /// dominates are asked for more suppression. Every gain term (L_g, L_k, L_s) uses g'.
    /// </summary>
    public double TargetSharpening { get; init; }

    /// <summary>
    /// Extra weight w of the gain terms in frames with speech: every gain term (L_g, L_k, L_s) of a
    /// frame is multiplied by 1 + w v, v its target speech presence (0 = off; RNNoise v0.2 uses 5).
    /// Errors where the user is talking cost more than errors in pauses.
    /// </summary>
    public double SpeechFrameWeight { get; init; }

    /// <summary>
    /// Weight of a one-sided residual-noise term in dB, on noise-dominated cells only (target gain
    /// below <see cref="PercepNetLoss.NoiseCellGain"/>): L_n = sum_b m_b relu(log10 ĝ - log10 g), both
    /// floored at <see cref="PercepNetLoss.NoiseDbFloor"/> (-40 dB), i.e. the excess gain in units of
    /// 20 dB (0 = off). The compressed terms barely tell -20 dB from -45 dB (sqrt 0.1 against 0.006);
    /// this one does, with a constant push per cell on the sigmoid's input until the target (or the
    /// floor) is reached. Not weighted by speech presence: pauses count as much as words.
    /// </summary>
    public double ResidualNoiseWeight { get; init; }
}

/// <summary>
/// The PercepNet loss, per frame and summed over bands, averaged over the frames of the batch:
/// <code>
/// L_g = sum_b m_b [ (g^γ - ĝ^γ)^2 + C4 (g^γ - ĝ^γ)^4 ]
/// L_r = sum_b m_b ((1-r)^γ - (1-r̂)^γ)^2
/// L_v = -(v log v̂ + (1-v) log(1-v̂))
/// L_k = sum_b m_b [ g log(g/ĝ) + (1-g) log((1-g)/(1-ĝ)) ]        (only when GainKlWeight > 0)
/// L_s = sum_b m_b g relu(g^γ - ĝ^γ)^2                             (only when SpeechDistortionWeight > 0)
/// L_n = sum_b m_b [g &lt; 0.2] relu(log10 max(ĝ, 0.01) - log10 max(g, 0.01))   (only when ResidualNoiseWeight > 0)
/// L   = L_g + StrengthWeight L_r + VadWeight L_v + GainKlWeight L_k + SpeechDistortionWeight L_s + ResidualNoiseWeight L_n
/// </code>
/// With TargetSharpening k > 0, g is replaced by g tanh(k g)^2 throughout; with SpeechFrameWeight
/// w > 0, L_g, L_k and L_s of each frame are multiplied by 1 + w v.
/// m_b is the shard's band mask (0 = don't care). Values under the power are clamped to at least
/// 1e-10 so that the gradient stays finite when a sigmoid saturates.
/// </summary>
public static class PercepNetLoss
{
    private const double PowerFloor = 1e-10;
    private const double LogFloor = 1e-7;

    /// <summary>Cells whose (sharpened) target gain is below this are noise-dominated for L_n: the same
    /// threshold `diagnose` reports on (<see cref="Evaluation.GainStats.NoiseCellGain"/>).</summary>
    public const double NoiseCellGain = Evaluation.GainStats.NoiseCellGain;

    /// <summary>Gains are floored here (-40 dB) in L_n: deeper suppression is not asked for.</summary>
    public const double NoiseDbFloor = 0.01;

    /// <summary>
    /// All inputs [batch, time, bands] (VAD [batch, time, 1]), aligned frame by frame.
    /// Returns the total and its three parts, each a scalar tensor (mean over batch * time frames).
    /// </summary>
    public static (Tensor Total, Tensor Gain, Tensor Strength, Tensor Vad) Compute(
        LossConfig config, Tensor gains, Tensor strengths, Tensor vad,
        Tensor targetGains, Tensor targetStrengths, Tensor mask, Tensor targetVad)
    {
        using var scope = NewDisposeScope();
        double frames = gains.shape[0] * gains.shape[1];
        if (config.TargetSharpening > 0)
        {
            var t = (config.TargetSharpening * targetGains).tanh();
            targetGains = targetGains * t * t;
        }
        // Per-frame weight of the gain terms, folded into the band mask ([batch, time, 1] broadcasts).
        var gainMask = config.SpeechFrameWeight > 0 ? mask * (1 + config.SpeechFrameWeight * targetVad) : mask;
        var dg = targetGains.clamp_min(PowerFloor).pow(config.Gamma) - gains.clamp_min(PowerFloor).pow(config.Gamma);
        var dg2 = dg * dg;
        var lg = ((dg2 + config.C4 * dg2 * dg2) * gainMask).sum() / frames;
        var dr = (1 - targetStrengths).clamp_min(PowerFloor).pow(config.Gamma) - (1 - strengths).clamp_min(PowerFloor).pow(config.Gamma);
        var lr = (dr * dr * mask).sum() / frames;
        var p = vad.clamp(LogFloor, 1 - LogFloor);
        var lv = -(targetVad * p.log() + (1 - targetVad) * (1 - p).log()).sum() / frames;
        var total = lg + config.StrengthWeight * lr + config.VadWeight * lv;
        if (config.SpeechDistortionWeight > 0)
        {
            var under = dg.clamp_min(0); // target above prediction: speech removed
            total = total + config.SpeechDistortionWeight * (targetGains * under * under * gainMask).sum() / frames;
        }
        if (config.GainKlWeight > 0)
        {
            var t = targetGains.clamp(LogFloor, 1 - LogFloor);
            var q = gains.clamp(LogFloor, 1 - LogFloor);
            var kl = t * (t / q).log() + (1 - t) * ((1 - t) / (1 - q)).log();
            total = total + config.GainKlWeight * (kl * gainMask).sum() / frames;
        }
        if (config.ResidualNoiseWeight > 0)
        {
            var noiseCells = mask * (targetGains < NoiseCellGain).to_type(gains.dtype);
            var excess = (gains.clamp_min(NoiseDbFloor).log10() - targetGains.clamp_min(NoiseDbFloor).log10()).clamp_min(0);
            total = total + config.ResidualNoiseWeight * (excess * noiseCells).sum() / frames;
        }
        return (total.MoveToOuterDisposeScope(), lg.MoveToOuterDisposeScope(), lr.MoveToOuterDisposeScope(), lv.MoveToOuterDisposeScope());
    }
}
