using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace PercepNet.Training.Corpus;

/// <summary>A folder to scan and what its files are.</summary>
/// <param name="Kind">Speech, noise or room responses.</param>
/// <param name="Folder">Scanned recursively for *.wav.</param>
/// <param name="Source">Collection name; default: the folder's name.</param>
public sealed record CorpusFolder(CorpusKind Kind, string Folder, string? Source = null);

/// <summary>Options of a corpus build.</summary>
public sealed record CorpusOptions
{
    /// <summary>Speech whose background (quietest 5% of frames) is above this is not a clean target.</summary>
    public double QuietBackgroundDbfs { get; init; } = -55;

    /// <summary>Fraction of groups (speakers, recordings) held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seconds measured per file (longer files are measured on their beginning).</summary>
    public double MaxMeasureSeconds { get; init; } = 300;

    /// <summary>Files measured in parallel.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// Builds the corpus manifest: measures every file, names its speaker or recording group, and
/// splits train/validation by group (a speaker or recording is never on both sides).
/// </summary>
public static partial class CorpusBuilder
{
    /// <summary>Scans the folders; <paramref name="progress"/> gets the fraction of files done.</summary>
    public static List<CorpusEntry> Build(IEnumerable<CorpusFolder> folders, CorpusOptions options, Action<double>? progress = null, Action<string>? warn = null)
    {
        var files = new List<(CorpusFolder Folder, string Path)>();
        foreach (var f in folders)
        {
            if (!Directory.Exists(f.Folder)) throw new DirectoryNotFoundException($"{f.Folder}: folder not found");
            foreach (string p in Directory.EnumerateFiles(f.Folder, "*.*", SearchOption.AllDirectories)
                         .Where(p => p.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                         .Order(StringComparer.Ordinal))
                files.Add((f, p));
        }
        var results = new CorpusEntry?[files.Count];
        int done = 0;
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism }, i =>
        {
            var (folder, path) = files[i];
            try
            {
                var s = AudioStats.Measure(path, options.MaxMeasureSeconds);
                string source = folder.Source ?? new DirectoryInfo(folder.Folder).Name;
                string group = GroupOf(folder.Kind, folder.Folder, path);
                bool quiet = folder.Kind == CorpusKind.Speech && s.BackgroundDbfs <= options.QuietBackgroundDbfs;
                results[i] = new CorpusEntry(folder.Kind, "", source, group, Path.GetFullPath(path), s.SampleRate, s.Channels,
                    s.DurationSeconds, s.BandwidthHz, s.BackgroundDbfs, s.ActiveDbfs, s.ZeroFraction, quiet);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                warn?.Invoke($"skipped {path}: {e.Message}");
            }
            progress?.Invoke((double)Interlocked.Increment(ref done) / files.Count);
        });
        var entries = results.Where(r => r != null).Select(r => r!).ToList();
        return AssignSplits(entries, options.ValidationFraction);
    }

    /// <summary>
    /// Splits by (kind, source, group): groups are ranked by a stable hash of the group name alone
    /// (not the source), so a speaker present in two collections (RAVDESS actor12 in the full set and
    /// in a subset) lands on the same side in both; every source with at least two groups keeps at
    /// least one group on each side.
    /// </summary>
    public static List<CorpusEntry> AssignSplits(List<CorpusEntry> entries, double validationFraction)
    {
        var split = new Dictionary<(CorpusKind, string, string), string>();
        foreach (var bySource in entries.GroupBy(e => (e.Kind, e.Source)))
        {
            var groups = bySource.Select(e => e.Group).Distinct().OrderBy(g => Hash(g)).ThenBy(g => g, StringComparer.Ordinal).ToList();
            int val = groups.Count < 2 ? 0 : Math.Clamp((int)Math.Round(groups.Count * validationFraction), 1, groups.Count - 1);
            for (int i = 0; i < groups.Count; i++)
                split[(bySource.Key.Kind, bySource.Key.Source, groups[i])] = i < val ? "val" : "train";
        }
        return entries.Select(e => e with { Split = split[(e.Kind, e.Source, e.Group)] }).ToList();
    }

    private static ulong Hash(string s) => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(s)), 0);

    /// <summary>
    /// Speaker or recording group of a file. Known naming schemes first: RAVDESS
    /// (03-01-05-01-01-01-12.wav: actor 12); names made of numeric fields such as LibriSpeech
    /// (1272-128104-0000: speaker 1272), VCTK (p232_001) or UrbanSound8K (100032-3-0-0: recording
    /// 100032): the first field. Otherwise speech takes the first sub-folder below the scanned folder
    /// (one speaker per folder), or the whole folder (one speaker); noise, rooms and key clicks take
    /// the file itself (each file is one recording).
    /// </summary>
    public static string GroupOf(CorpusKind kind, string root, string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        var m = RavdessName().Match(name);
        if (m.Success && kind == CorpusKind.Speech) return "actor" + m.Groups[1].Value;
        m = NumericFields().Match(name);
        if (m.Success) return m.Groups[1].Value;
        if (kind != CorpusKind.Speech) return name;
        string rel = Path.GetRelativePath(root, path);
        int sep = rel.IndexOf(Path.DirectorySeparatorChar);
        return sep > 0 ? rel[..sep] : "all";
    }

    [GeneratedRegex(@"^\d\d-\d\d-\d\d-\d\d-\d\d-\d\d-(\d\d)$")]
    private static partial Regex RavdessName();

    [GeneratedRegex(@"^(\d+|p\d+)([-_]\d+)+$")]
    private static partial Regex NumericFields();
}
