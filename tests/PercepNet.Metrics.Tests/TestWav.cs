using System.Text;

namespace PercepNet.Metrics.Tests;

/// <summary>
/// Minimal mono 32-bit float WAV writer for test fixtures, so these tests depend only on
/// AudioFile.Read from PercepNet.Audio (whose writer API may change).
/// </summary>
internal static class TestWav
{
    public static void WriteMonoFloat(string path, float[] samples, int sampleRate)
    {
        using var w = new BinaryWriter(File.Create(path));
        int dataBytes = samples.Length * 4;
        w.Write(Encoding.ASCII.GetBytes("RIFF"));
        w.Write(36 + dataBytes);
        w.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        w.Write(16);                 // fmt chunk size
        w.Write((short)3);           // WAVE_FORMAT_IEEE_FLOAT
        w.Write((short)1);           // channels
        w.Write(sampleRate);
        w.Write(sampleRate * 4);     // byte rate
        w.Write((short)4);           // block align
        w.Write((short)32);          // bits per sample
        w.Write(Encoding.ASCII.GetBytes("data"));
        w.Write(dataBytes);
        foreach (var s in samples) w.Write(s);
    }
}
