using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Eval;

/// <summary>One clean file with its enhanced (and optionally noisy) partner, matched by file name.</summary>
internal sealed record EvalPair(string Name, string Clean, string Enhanced, string? Noisy);

/// <summary>Pairing of the WAV files in the clean, enhanced and noisy folders by file name.</summary>
internal sealed record EvalPairing(
    IReadOnlyList<EvalPair> Pairs,
    IReadOnlyList<string> CleanOnly,
    IReadOnlyList<string> EnhancedOnly,
    IReadOnlyList<string> NoisyOnly,
    IReadOnlyList<string> MissingNoisy)
{
    /// <summary>
    /// Pairs *.wav files (top level of each folder, extension case-insensitive) by exact file name.
    /// Files without a partner are returned in the *Only lists; pairs whose noisy file is missing
    /// (when a noisy folder is given) are kept and listed in <see cref="MissingNoisy"/>.
    /// </summary>
    public static EvalPairing Create(string cleanDir, string enhancedDir, string? noisyDir)
    {
        var clean = List(cleanDir);
        var enhanced = List(enhancedDir);
        var noisy = noisyDir == null ? null : List(noisyDir);
        var pairs = new List<EvalPair>();
        var missingNoisy = new List<string>();
        foreach (var (name, path) in clean)
        {
            if (!enhanced.TryGetValue(name, out var e)) continue;
            string? n = null;
            if (noisy != null && !noisy.TryGetValue(name, out n)) missingNoisy.Add(name);
            pairs.Add(new EvalPair(name, path, e, n));
        }
        return new EvalPairing(
            pairs,
            clean.Keys.Where(k => !enhanced.ContainsKey(k)).ToList(),
            enhanced.Keys.Where(k => !clean.ContainsKey(k)).ToList(),
            noisy == null ? [] : noisy.Keys.Where(k => !clean.ContainsKey(k)).ToList(),
            missingNoisy);
    }

    private static SortedDictionary<string, string> List(string dir)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(dir))
            if (f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)) d[Path.GetFileName(f)] = f;
        return d;
    }
}
