namespace PercepNet;

/// <summary>Per-stream settings of a <see cref="Denoiser"/>.</summary>
public sealed record DenoiserOptions
{
    /// <summary>
    /// Never attenuate any band by more than this many dB (a floor on the band gains). Null: no
    /// limit. Lower values keep more of the background (e.g. 12-20 dB for natural-sounding calls).
    /// </summary>
    public double? AttenuationLimitDb { get; init; }

    /// <summary>
    /// Gain release time in ms: no band's output falls faster than 60 dB in this time (the
    /// network's gains are raised where they would cut a band more quickly; see
    /// <see cref="Denoiser.GainReleaseMs"/>). RNNoise's fixed limit is 135 ms. Null (default): no
    /// limit. 10 to 10,000 ms.
    /// </summary>
    public double? GainReleaseMs { get; init; }

    /// <summary>Apply the perceptual envelope postfilter (default true).</summary>
    public bool Postfilter { get; init; } = true;

    /// <summary>
    /// Strength s of the postfilter's extra attenuation sin(pi/2 g)^s, in [0, 1]: 1 is the paper's
    /// postfilter, smaller values attenuate less. Default 0.5: better than the paper's on the
    /// oracle study and, with the shipped model, on STOI and on fullband speech (docs/results.md).
    /// </summary>
    public double PostfilterStrength { get; init; } = 0.5;

    /// <summary>
    /// Run the network with 8-bit weights and activations (default true: about 3x faster for the
    /// small model, 9x for the paper-size one; outputs within 0.01 of the float network, see
    /// docs/inference.md). False runs it in float.
    /// </summary>
    public bool UseInt8 { get; init; } = true;

    /// <summary>
    /// Noise floor of the network's energy features, in dBFS (RMS of white noise relative to
    /// full scale 1.0): band energies read as if that much noise were always present. Speech after
    /// digital silence or at the start of a stream is then not taken for the end of a noise burst.
    /// Null: the floor the model was trained with (<see cref="Nn.ModelFile.FeatureFloorDbfs"/>; none
    /// for older models). -200 is no floor in effect. Affects only what the network sees, never the
    /// output signal.
    /// </summary>
    public double? FeatureNoiseFloorDbfs { get; init; }

    /// <summary>
    /// After this many seconds of digital silence (every input sample exactly 0, including NaN and
    /// infinities, which become 0) the stream starts afresh at the next sound: the output is then
    /// exactly what a new stream gives, however long this one ran. 0: never. At least
    /// <see cref="Denoiser.MinSilenceResetSeconds"/>. Default 0.5 s.
    /// </summary>
    public double SilenceResetSeconds { get; init; } = 0.5;

    /// <summary>
    /// VAD gate: when the network's speech probability stays below this threshold (in [0, 1]) for
    /// longer than <see cref="VadGateHoldSeconds"/>, the output is muted (faded out over one 10 ms
    /// frame; back in over 1 ms when speech returns). Null (default): no gate. Typical: 0.5-0.8 for
    /// push-to-talk-like calls. The stream starts gated.
    /// </summary>
    public double? VadGateThreshold { get; init; }

    /// <summary>How long the gate stays open after the last frame at or above <see cref="VadGateThreshold"/>, in seconds (default 0.3; 0 to 10).</summary>
    public double VadGateHoldSeconds { get; init; } = 0.3;
}
