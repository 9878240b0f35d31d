using System.Buffers.Binary;
using System.Diagnostics;

namespace PercepNet.Audio;

/// <summary>
/// Conversion between interleaved little-endian WAV sample bytes and planar floats.
/// Integer PCM maps to [-1, 1) by dividing by 2^(bits-1) (8-bit is unsigned with offset 128), so that
/// PCM -> float -> PCM is lossless for 8/16/24-bit. Writing integer PCM scales by 2^(bits-1), rounds
/// to nearest (ties to even) and clips to the integer range; NaN becomes 0. No dither: the denoiser
/// output is float and the 16-bit rounding error (-101 dBFS RMS) is far below what we measure.
/// Float formats are copied as they are (values beyond +-1 are kept, as a float file can hold them).
/// </summary>
internal static class SampleCodec
{
    /// <summary>Decodes <paramref name="frames"/> interleaved frames into dest[c][offset..offset+frames).</summary>
    public static void Decode(WavFormat f, ReadOnlySpan<byte> src, float[][] dest, int offset, int frames)
    {
        int ch = f.Channels, bps = f.BytesPerSample, block = f.BlockAlign;
        Debug.Assert(src.Length >= frames * block && dest.Length == ch);
        for (int c = 0; c < ch; c++)
        {
            var d = dest[c].AsSpan(offset, frames);
            var s = src[(c * bps)..];
            switch (f.Encoding, f.BitsPerSample)
            {
                case (WavEncoding.Pcm, 8):
                    for (int i = 0; i < d.Length; i++) d[i] = (s[i * block] - 128) * (1f / 128);
                    break;
                case (WavEncoding.Pcm, 16):
                    for (int i = 0; i < d.Length; i++)
                        d[i] = BinaryPrimitives.ReadInt16LittleEndian(s[(i * block)..]) * (1f / 32768);
                    break;
                case (WavEncoding.Pcm, 24):
                    for (int i = 0; i < d.Length; i++)
                    {
                        int k = i * block;
                        // Assemble the 3 bytes in the top of an int, then shift down to sign-extend.
                        int v = (s[k] << 8 | s[k + 1] << 16 | s[k + 2] << 24) >> 8;
                        d[i] = v * (1f / 8388608);
                    }
                    break;
                case (WavEncoding.Pcm, 32):
                    for (int i = 0; i < d.Length; i++)
                        d[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(s[(i * block)..]) * (1.0 / 2147483648.0));
                    break;
                case (WavEncoding.IeeeFloat, 32):
                    for (int i = 0; i < d.Length; i++) d[i] = BinaryPrimitives.ReadSingleLittleEndian(s[(i * block)..]);
                    break;
                case (WavEncoding.IeeeFloat, 64):
                    for (int i = 0; i < d.Length; i++) d[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(s[(i * block)..]);
                    break;
                default:
                    throw new UnreachableException($"Unvalidated format {f}");
            }
        }
    }

    /// <summary>Encodes src[c][offset..offset+frames) as interleaved frames into <paramref name="dest"/>.</summary>
    public static void Encode(WavFormat f, float[][] src, int offset, int frames, Span<byte> dest)
    {
        int ch = f.Channels, bps = f.BytesPerSample, block = f.BlockAlign;
        Debug.Assert(dest.Length >= frames * block && src.Length == ch);
        for (int c = 0; c < ch; c++)
        {
            var s = src[c].AsSpan(offset, frames);
            var d = dest[(c * bps)..];
            switch (f.Encoding, f.BitsPerSample)
            {
                case (WavEncoding.Pcm, 8):
                    for (int i = 0; i < s.Length; i++) d[i * block] = (byte)(Quantize(s[i], 128) + 128);
                    break;
                case (WavEncoding.Pcm, 16):
                    for (int i = 0; i < s.Length; i++)
                        BinaryPrimitives.WriteInt16LittleEndian(d[(i * block)..], (short)Quantize(s[i], 32768));
                    break;
                case (WavEncoding.Pcm, 24):
                    for (int i = 0; i < s.Length; i++)
                    {
                        int v = Quantize(s[i], 8388608), k = i * block;
                        d[k] = (byte)v;
                        d[k + 1] = (byte)(v >> 8);
                        d[k + 2] = (byte)(v >> 16);
                    }
                    break;
                case (WavEncoding.Pcm, 32):
                    for (int i = 0; i < s.Length; i++)
                        BinaryPrimitives.WriteInt32LittleEndian(d[(i * block)..], Quantize(s[i], 2147483648.0));
                    break;
                case (WavEncoding.IeeeFloat, 32):
                    for (int i = 0; i < s.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(d[(i * block)..], s[i]);
                    break;
                case (WavEncoding.IeeeFloat, 64):
                    for (int i = 0; i < s.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(d[(i * block)..], s[i]);
                    break;
                default:
                    throw new UnreachableException($"Unvalidated format {f}");
            }
        }
    }

    /// <summary>Round(x * scale) clipped to [-scale, scale - 1]; NaN -> 0. Double math so 32-bit is exact.</summary>
    public static int Quantize(float x, double scale)
    {
        double v = Math.Round(x * scale);
        if (v >= scale - 1) return (int)(scale - 1);
        if (v <= -scale) return (int)-scale;
        return double.IsNaN(v) ? 0 : (int)v;
    }
}
