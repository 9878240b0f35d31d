namespace PercepNet.Audio;

/// <summary>How samples are stored in a WAV file's data chunk.</summary>
public enum WavEncoding
{
    /// <summary>Integer PCM: 8-bit unsigned, or 16/24/32-bit signed little-endian.</summary>
    Pcm,
    /// <summary>IEEE float, 32 or 64 bits, little-endian.</summary>
    IeeeFloat,
}

/// <summary>
/// The sample format of a WAV file: what <see cref="WavReader"/> found and what <see cref="WavWriter"/>
/// writes. Immutable; compare with ==.
/// </summary>
/// <param name="Encoding">Integer PCM or IEEE float.</param>
/// <param name="BitsPerSample">Container size in bits: 8, 16, 24, 32 (PCM) or 32, 64 (float).</param>
/// <param name="SampleRate">Frames per second, > 0.</param>
/// <param name="Channels">Interleaved channels per frame, 1..65535.</param>
/// <param name="Extensible">
/// True when the fmt chunk is (or is to be written as) WAVE_FORMAT_EXTENSIBLE (0xFFFE) rather than the
/// plain tag 1 (PCM) or 3 (float). Kept so that a file is written back the way it was read.
/// </param>
/// <param name="ChannelMask">Speaker-position mask of an extensible header (0 = unspecified).</param>
public sealed record WavFormat(
    WavEncoding Encoding, int BitsPerSample, int SampleRate, int Channels,
    bool Extensible = false, uint ChannelMask = 0)
{
    /// <summary>wFormatTag value of a plain PCM header.</summary>
    public const ushort TagPcm = 1;
    /// <summary>wFormatTag value of a plain IEEE float header.</summary>
    public const ushort TagIeeeFloat = 3;
    /// <summary>wFormatTag value of WAVE_FORMAT_EXTENSIBLE (the sub-format GUID names the encoding).</summary>
    public const ushort TagExtensible = 0xFFFE;

    /// <summary>16-bit PCM (the most common WAV flavour).</summary>
    public static WavFormat Pcm16(int sampleRate, int channels) => new(WavEncoding.Pcm, 16, sampleRate, channels);

    /// <summary>32-bit IEEE float.</summary>
    public static WavFormat Float32(int sampleRate, int channels) => new(WavEncoding.IeeeFloat, 32, sampleRate, channels);

    /// <summary>
    /// The format commonly meant by a bit depth alone: 8/16/24 -> PCM, 32 and 64 -> IEEE float (32-bit
    /// integer PCM needs the constructor).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Bit depth other than 8, 16, 24, 32, 64.</exception>
    public static WavFormat FromBitDepth(int bitsPerSample, int sampleRate, int channels) => bitsPerSample switch
    {
        8 or 16 or 24 => new(WavEncoding.Pcm, bitsPerSample, sampleRate, channels),
        32 or 64 => new(WavEncoding.IeeeFloat, bitsPerSample, sampleRate, channels),
        _ => throw new ArgumentOutOfRangeException(nameof(bitsPerSample), bitsPerSample,
            "Expected 8, 16 or 24 (integer PCM) or 32 or 64 (IEEE float)."),
    };

    /// <summary>Bytes per sample of one channel.</summary>
    public int BytesPerSample => BitsPerSample / 8;

    /// <summary>Bytes per frame (all channels of one sample instant): nBlockAlign.</summary>
    public int BlockAlign => BytesPerSample * Channels;

    /// <summary>The wFormatTag this format is written with: 1, 3 or 0xFFFE.</summary>
    public ushort FormatTag => Extensible ? TagExtensible : Encoding == WavEncoding.Pcm ? TagPcm : TagIeeeFloat;

    /// <summary>Short human-readable description, e.g. "PCM 24-bit" or "float 32-bit (extensible)".</summary>
    public string Description =>
        $"{(Encoding == WavEncoding.Pcm ? "PCM" : "float")} {BitsPerSample}-bit{(Extensible ? " (extensible)" : "")}";

    /// <summary>Null when the format can be read and written, else what is wrong with it.</summary>
    public string? Problem() => (Encoding, BitsPerSample) switch
    {
        _ when SampleRate <= 0 => $"sample rate {SampleRate} Hz is not positive",
        _ when Channels is <= 0 or > ushort.MaxValue => $"channel count {Channels} is outside 1..65535",
        (WavEncoding.Pcm, 8 or 16 or 24 or 32) => null,
        (WavEncoding.IeeeFloat, 32 or 64) => null,
        _ => $"{BitsPerSample}-bit {(Encoding == WavEncoding.Pcm ? "integer PCM" : "IEEE float")} is not supported "
             + "(supported: PCM 8/16/24/32-bit, float 32/64-bit)",
    };

    public override string ToString() => $"{Description}, {SampleRate} Hz, {Channels} ch";
}
