using System.Globalization;
using PercepNet.Audio;
using PercepNet.TestSupport;
using Xunit.Abstractions;
using PesqMetric = PercepNet.Metrics.Pesq.Pesq;

namespace PercepNet.Metrics.Tests.Pesq;

/// <summary>
/// Agreement with the ITU-T P.862 reference implementation: the golden values are in the data
/// folders' REFERENCE_METRICS.tsv files, computed by that implementation, never by this code.
/// </summary>
public class PesqReferenceTests(ITestOutputHelper output)
{
    private const double ClassicTolerance = 0.005;
    private const double CorpusMeanTolerance = 0.02;
    private const double CorpusMaxTolerance = 0.05;

    [SkippableFact]
    public void ClassicPairMatchesReference()
    {
        string dir = TestData.Require("metrics/pesq");
        var golden = ReadLongTsv(Path.Combine(dir, "REFERENCE_METRICS.tsv"));
        var reference = AudioFile.Read(Path.Combine(dir, "speech.wav"));
        var degraded = AudioFile.Read(Path.Combine(dir, "speech_bab_0dB.wav"));
        Assert.Equal(reference.SampleRate, degraded.SampleRate);
        double expectedWb = golden[("speech.wav", "speech_bab_0dB.wav", "pesq_wb")];
        double expectedNb = golden[("speech.wav", "speech_bab_0dB.wav", "pesq_nb")];

        double wb = PesqMetric.WideBand(reference.Mono(), degraded.Mono(), reference.SampleRate);
        double nb = PesqMetric.NarrowBand(reference.Mono(), degraded.Mono(), reference.SampleRate);
        output.WriteLine(FormattableString.Invariant($"WB {wb:F6} (reference {expectedWb:F6}, diff {wb - expectedWb:+0.000000;-0.000000;0.000000})"));
        output.WriteLine(FormattableString.Invariant($"NB {nb:F6} (reference {expectedNb:F6}, diff {nb - expectedNb:+0.000000;-0.000000;0.000000})"));
        Assert.True(Math.Abs(wb - expectedWb) <= ClassicTolerance, $"WB {wb} vs reference {expectedWb}");
        Assert.True(Math.Abs(nb - expectedNb) <= ClassicTolerance, $"NB {nb} vs reference {expectedNb}");
    }

    /// <summary>The identical-signal values of the reference implementation (the maximum scores).</summary>
    [SkippableFact]
    public void IdenticalSignalsGiveReferenceMaximum()
    {
        string dir = TestData.Require("metrics/pesq");
        var golden = ReadLongTsv(Path.Combine(dir, "REFERENCE_METRICS.tsv"));
        var speech = AudioFile.Read(Path.Combine(dir, "speech.wav"));
        double wb = PesqMetric.WideBand(speech.Mono(), speech.Mono(), speech.SampleRate);
        double nb = PesqMetric.NarrowBand(speech.Mono(), speech.Mono(), speech.SampleRate);
        double expectedWb = golden[("speech.wav", "speech.wav", "pesq_wb")];
        double expectedNb = golden[("speech.wav", "speech.wav", "pesq_nb")];
        output.WriteLine(FormattableString.Invariant($"identical: WB {wb:F6} (reference {expectedWb:F6}), NB {nb:F6} (reference {expectedNb:F6})"));
        Assert.True(Math.Abs(wb - expectedWb) <= ClassicTolerance, $"WB {wb} vs reference {expectedWb}");
        Assert.True(Math.Abs(nb - expectedNb) <= ClassicTolerance, $"NB {nb} vs reference {expectedNb}");
    }

    [SkippableFact]
    public void VoiceBankDemandPairsMatchReference()
    {
        string dir = TestData.Require("eval/vbdemand16k");
        var golden = ReadTsv(Path.Combine(dir, "REFERENCE_METRICS.tsv"));
        Assert.NotEmpty(golden);
        var wbDiff = new List<double>();
        var nbDiff = new List<double>();
        output.WriteLine("file\twb\twb_ref\twb_diff\tnb\tnb_ref\tnb_diff");
        foreach (var (file, row) in golden.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var clean = AudioFile.Read(Path.Combine(dir, "clean", file));
            var noisy = AudioFile.Read(Path.Combine(dir, "noisy", file));
            double wb = PesqMetric.WideBand(clean.Mono(), noisy.Mono(), clean.SampleRate);
            double nb = PesqMetric.NarrowBand(clean.Mono(), noisy.Mono(), clean.SampleRate);
            double wbRef = Parse(row["pesq_wb"]), nbRef = Parse(row["pesq_nb"]);
            wbDiff.Add(Math.Abs(wb - wbRef));
            nbDiff.Add(Math.Abs(nb - nbRef));
            output.WriteLine(FormattableString.Invariant(
                $"{file}\t{wb:F4}\t{wbRef:F4}\t{wb - wbRef:+0.000000;-0.000000;0.000000}\t{nb:F4}\t{nbRef:F4}\t{nb - nbRef:+0.000000;-0.000000;0.000000}"));
        }
        output.WriteLine(FormattableString.Invariant(
            $"WB |diff| mean {wbDiff.Average():F6} max {wbDiff.Max():F6}; NB |diff| mean {nbDiff.Average():F6} max {nbDiff.Max():F6} (n = {wbDiff.Count})"));
        Assert.True(wbDiff.Average() <= CorpusMeanTolerance, $"WB mean |diff| {wbDiff.Average():F4} > {CorpusMeanTolerance}");
        Assert.True(wbDiff.Max() <= CorpusMaxTolerance, $"WB max |diff| {wbDiff.Max():F4} > {CorpusMaxTolerance}");
        Assert.True(nbDiff.Average() <= CorpusMeanTolerance, $"NB mean |diff| {nbDiff.Average():F4} > {CorpusMeanTolerance}");
        Assert.True(nbDiff.Max() <= CorpusMaxTolerance, $"NB max |diff| {nbDiff.Max():F4} > {CorpusMaxTolerance}");
    }

    private static double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Wide table (one row per file, first column "file"): rows keyed by file name.</summary>
    private static Dictionary<string, Dictionary<string, string>> ReadTsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var header = lines[0].Split('\t');
        var rows = new Dictionary<string, Dictionary<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split('\t');
            var row = new Dictionary<string, string>();
            for (int i = 0; i < header.Length && i < cells.Length; i++) row[header[i]] = cells[i];
            rows[cells[0]] = row;
        }
        return rows;
    }

    /// <summary>Long table (columns ref, deg, fs, metric, value, ...): values keyed by (ref file, deg file, metric).</summary>
    private static Dictionary<(string Ref, string Deg, string Metric), double> ReadLongTsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var header = lines[0].Split('\t');
        int iRef = Array.IndexOf(header, "ref"), iDeg = Array.IndexOf(header, "deg");
        int iMetric = Array.IndexOf(header, "metric"), iValue = Array.IndexOf(header, "value");
        var result = new Dictionary<(string, string, string), double>();
        foreach (var line in lines.Skip(1))
        {
            var c = line.Split('\t');
            result[(Path.GetFileName(c[iRef]), Path.GetFileName(c[iDeg]), c[iMetric])] = Parse(c[iValue]);
        }
        return result;
    }
}
