using System.Buffers.Binary;
using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Training.Data;

/// <summary>
/// A file of precomputed training frames, grouped in sequences of equal length, so the trainer
/// never waits on the DSP. Little-endian layout:
/// <code>
/// magic "PNFS" | int32 version (1) | int32 featureCount (70) | int32 bandCount (34)
/// | int32 sequenceLength (frames) | int32 sequenceCount
/// | sequenceCount * sequenceLength frames of FrameFloats float32:
///     features[70] | gains[34] | strengths[34] | bandMask[34] | vad[1]
/// </code>
/// bandMask is 1 where the band's gain and strength targets count in the loss, 0 for "don't care"
/// (silent bands; bands above the speech's own bandwidth where speech may be present). vad is the speech-presence target in
/// [0, 1].
/// </summary>
public static class FeatureShard
{
    public const int Version = 1;
    public static ReadOnlySpan<byte> Magic => "PNFS"u8;
    public const int HeaderBytes = 24;
    public const int Features = FeatureExtractor.Count;
    public const int Bands = FrameLayout.BandCount;
    public const int GainOffset = Features;
    public const int StrengthOffset = GainOffset + Bands;
    public const int MaskOffset = StrengthOffset + Bands;
    public const int VadOffset = MaskOffset + Bands;

    /// <summary>Floats per frame (173).</summary>
    public const int FrameFloats = VadOffset + 1;

    /// <summary>Writes a shard: <paramref name="frames"/> holds sequenceCount * sequenceLength * FrameFloats floats.</summary>
    public static void Write(string path, int sequenceLength, ReadOnlySpan<float> frames)
    {
        int perSeq = sequenceLength * FrameFloats;
        if (sequenceLength <= 0 || frames.Length % perSeq != 0)
            throw new ArgumentException($"{frames.Length} floats is not a whole number of {sequenceLength}-frame sequences");
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            Span<byte> h = stackalloc byte[HeaderBytes];
            Magic.CopyTo(h);
            BinaryPrimitives.WriteInt32LittleEndian(h[4..], Version);
            BinaryPrimitives.WriteInt32LittleEndian(h[8..], Features);
            BinaryPrimitives.WriteInt32LittleEndian(h[12..], Bands);
            BinaryPrimitives.WriteInt32LittleEndian(h[16..], sequenceLength);
            BinaryPrimitives.WriteInt32LittleEndian(h[20..], frames.Length / perSeq);
            fs.Write(h);
            fs.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(frames));
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a whole shard; validates the header against this build's layout.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, version, layout or size; the message names the file.</exception>
    public static (int SequenceLength, int SequenceCount, float[] Frames) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a PercepNet feature shard (magic PNFS missing)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        int features = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        int bands = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12));
        int seqLen = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16));
        int seqCount = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20));
        if (version != Version || features != Features || bands != Bands)
            throw new InvalidDataException($"{path}: shard version {version} with {features} features and {bands} bands; this build reads version {Version}, {Features} features, {Bands} bands");
        long expected = HeaderBytes + (long)seqLen * seqCount * FrameFloats * sizeof(float);
        if (seqLen <= 0 || seqCount < 0 || bytes.Length != expected)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {expected} for {seqCount} sequences of {seqLen} frames");
        var frames = new float[(long)seqLen * seqCount * FrameFloats];
        bytes.AsSpan(HeaderBytes).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(frames.AsSpan()));
        return (seqLen, seqCount, frames);
    }

}
