using System.Globalization;
using System.Text;

namespace PercepNet.Training.Corpus;

/// <summary>What a corpus file is used for.</summary>
public enum CorpusKind
{
    /// <summary>Speech (a clean target when its background is quiet).</summary>
    Speech,
    /// <summary>Background noise.</summary>
    Noise,
    /// <summary>Room impulse response.</summary>
    Rir,
    /// <summary>Single key press or release samples, for synthetic typing noise.</summary>
    KeyClick,
}

/// <summary>One file of the training corpus with the measurements the synthesis needs.</summary>
/// <param name="Kind">Speech, noise or room impulse response.</param>
/// <param name="Split">"train" or "val"; decided per <paramref name="Group"/>, never per file.</param>
/// <param name="Source">Name of the collection (folder or Debian package) the file came from.</param>
/// <param name="Group">Speaker (speech) or recording group (noise, rooms) within the source.</param>
/// <param name="Path">Full path of the WAV file.</param>
/// <param name="BandwidthHz">Effective bandwidth: highest frequency with content within 60 dB of the speech peak.</param>
/// <param name="BackgroundDbfs">RMS of the quietest 5% of non-silent 20 ms frames.</param>
/// <param name="ActiveDbfs">RMS of the loudest 5% of 20 ms frames.</param>
/// <param name="ZeroFraction">Fraction of 20 ms frames that are exact digital silence.</param>
/// <param name="Quiet">Background low enough to serve as a clean target (speech only).</param>
public sealed record CorpusEntry(
    CorpusKind Kind, string Split, string Source, string Group, string Path,
    int SampleRate, int Channels, double DurationSeconds, double BandwidthHz,
    double BackgroundDbfs, double ActiveDbfs, double ZeroFraction, bool Quiet)
{
    private const string Header = "kind\tsplit\tsource\tgroup\tpath\trate\tchannels\tduration_s\tbandwidth_hz\tbackground_dbfs\tactive_dbfs\tzero_fraction\tquiet";

    /// <summary>Writes a manifest (TSV, one row per file) via a temporary file.</summary>
    public static void WriteManifest(string path, IEnumerable<CorpusEntry> entries)
    {
        var sb = new StringBuilder().AppendLine(Header);
        var c = CultureInfo.InvariantCulture;
        foreach (var e in entries)
            sb.AppendLine(string.Join('\t',
                e.Kind.ToString().ToLowerInvariant(), e.Split, e.Source, e.Group, e.Path,
                e.SampleRate.ToString(c), e.Channels.ToString(c), e.DurationSeconds.ToString("F3", c),
                e.BandwidthHz.ToString("F0", c), e.BackgroundDbfs.ToString("F1", c), e.ActiveDbfs.ToString("F1", c),
                e.ZeroFraction.ToString("F3", c), e.Quiet ? "1" : "0"));
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a manifest written by <see cref="WriteManifest"/>.</summary>
    /// <exception cref="InvalidDataException">A malformed line; the message names the file and line.</exception>
    public static List<CorpusEntry> ReadManifest(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
            throw new InvalidDataException($"{path}: not a corpus manifest (expected the header line '{Header}')");
        var list = new List<CorpusEntry>();
        var c = CultureInfo.InvariantCulture;
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split('\t');
            try
            {
                if (f.Length != 13) throw new FormatException($"{f.Length} fields instead of 13");
                list.Add(new CorpusEntry(
                    Enum.Parse<CorpusKind>(f[0], ignoreCase: true), f[1], f[2], f[3], f[4],
                    int.Parse(f[5], c), int.Parse(f[6], c), double.Parse(f[7], c), double.Parse(f[8], c),
                    double.Parse(f[9], c), double.Parse(f[10], c), double.Parse(f[11], c), f[12] == "1"));
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                throw new InvalidDataException($"{path}, line {i + 1}: {e.Message}", e);
            }
        }
        return list;
    }
}
