using System.Globalization;
using PercepNet.Audio;
using PercepNet.TestSupport;

namespace PercepNet.Metrics.Tests;

/// <summary>Reads the reference values in ../shared/data/*/REFERENCE_METRICS.tsv (computed outside this project).</summary>
internal static class Golden
{
    /// <summary>Rows of a TSV as column-name -> value maps (the header names the columns).</summary>
    public static List<Dictionary<string, string>> ReadTsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var head = lines[0].Split('\t');
        return lines.Skip(1).Select(l =>
        {
            var f = l.Split('\t');
            var d = new Dictionary<string, string>();
            for (int i = 0; i < head.Length && i < f.Length; i++) d[head[i]] = f[i];
            return d;
        }).ToList();
    }

    /// <summary>Value of <paramref name="metric"/> in a long-format file (columns ref, deg, metric, value) for a ref/deg pair.</summary>
    public static double Value(string tsv, string metric, string refSuffix, string degSuffix) =>
        ReadTsv(tsv).Where(r => r["metric"] == metric && r["ref"].EndsWith(refSuffix, StringComparison.Ordinal) && r["deg"].EndsWith(degSuffix, StringComparison.Ordinal))
            .Select(r => double.Parse(r["value"], CultureInfo.InvariantCulture)).Single();

    public static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    public static AudioData Load(string relative) => AudioFile.Read(TestData.Require(relative));
}
