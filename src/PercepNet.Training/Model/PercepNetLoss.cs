using static TorchSharp.torch;

namespace PercepNet.Training.Model;

/// <summary>Loss weights and exponents (PERCEPNET.md section 8).</summary>
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
}

/// <summary>
/// The PercepNet loss, per frame and summed over bands, averaged over the frames of the batch:
/// <code>
/// L_g = sum_b m_b [ (g^γ - ĝ^γ)^2 + C4 (g^γ - ĝ^γ)^4 ]
/// L_r = sum_b m_b ((1-r)^γ - (1-r̂)^γ)^2
/// L_v = -(v log v̂ + (1-v) log(1-v̂))
/// L   = L_g + StrengthWeight L_r + VadWeight L_v
/// </code>
/// m_b is the shard's band mask (0 = don't care). Values under the power are clamped to at least
/// 1e-10 so that the gradient stays finite when a sigmoid saturates.
/// </summary>
public static class PercepNetLoss
{
    private const double PowerFloor = 1e-10;
    private const double LogFloor = 1e-7;

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
        var dg = targetGains.clamp_min(PowerFloor).pow(config.Gamma) - gains.clamp_min(PowerFloor).pow(config.Gamma);
        var dg2 = dg * dg;
        var lg = ((dg2 + config.C4 * dg2 * dg2) * mask).sum() / frames;
        var dr = (1 - targetStrengths).clamp_min(PowerFloor).pow(config.Gamma) - (1 - strengths).clamp_min(PowerFloor).pow(config.Gamma);
        var lr = (dr * dr * mask).sum() / frames;
        var p = vad.clamp(LogFloor, 1 - LogFloor);
        var lv = -(targetVad * p.log() + (1 - targetVad) * (1 - p).log()).sum() / frames;
        var total = lg + config.StrengthWeight * lr + config.VadWeight * lv;
        return (total.MoveToOuterDisposeScope(), lg.MoveToOuterDisposeScope(), lr.MoveToOuterDisposeScope(), lv.MoveToOuterDisposeScope());
    }
}
