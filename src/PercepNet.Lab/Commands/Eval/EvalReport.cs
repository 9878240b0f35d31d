using System.Globalization;
using System.Text;
using System.Text.Json;
using PercepNet.Metrics;

using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Eval;

/// <summary>Per-file rows, means and pairing problems of one eval run; writes CSV and JSON.</summary>
internal sealed class EvalReport(IReadOnlyList<EvalRow> rows, EvalPairing pairing, IReadOnlyList<string> failures, IReadOnlyList<string> notes)
{
    public const string Enhanced = "enhanced", Noisy = "noisy";

    public IReadOnlyList<EvalRow> Rows { get; } = rows;
    public EvalPairing Pairing { get; } = pairing;
    public IReadOnlyList<string> Failures { get; } = failures;
    public IReadOnlyList<string> Notes { get; } = notes;

    public bool HasNoisy => Rows.Any(r => r.Signal == Noisy);

    /// <summary>Mean of a column over the finite values of one signal kind; NaN when there are none.</summary>
    public double Mean(string signal, Func<EvalRow, double> get)
    {
        double s = 0;
        int n = 0;
        foreach (var r in Rows)
        {
            if (r.Signal != signal) continue;
            double v = get(r);
            if (!double.IsFinite(v)) continue;
            s += v;
            n++;
        }
        return n == 0 ? double.NaN : s / n;
    }

    /// <summary>
    /// Mean STOI of each one-third-octave band over the files of one signal kind whose STOI is defined
    /// (the files the STOI mean counts), so the mean of the result is <c>Mean(signal, stoi)</c>; NaN without such files.
    /// </summary>
    public double[] StoiBandMeans(string signal)
    {
        var sum = new double[Stoi.BandCount];
        int n = 0;
        foreach (var r in Rows)
        {
            if (r.Signal != signal || r.StoiBands.Count != Stoi.BandCount || !double.IsFinite(r.Stoi)) continue;
            for (int b = 0; b < sum.Length; b++) sum[b] += r.StoiBands[b];
            n++;
        }
        for (int b = 0; b < sum.Length; b++) sum[b] = n == 0 ? double.NaN : sum[b] / n;
        return sum;
    }

    /// <summary>
    /// CSV, one row per file and signal: file, signal (enhanced or noisy), duration_s, the nine metric
    /// columns, note. Invariant culture; not-computed values are written as NaN.
    /// </summary>
    public void WriteCsv(TextWriter w)
    {
        w.WriteLine("file,signal,duration_s," + string.Join(",", EvalColumns.All.Select(c => c.Name)) + ",note");
        foreach (var r in Rows)
        {
            var sb = new StringBuilder();
            sb.Append(Csv(r.File)).Append(',').Append(r.Signal).Append(',').Append(Num(r.DurationSeconds));
            foreach (var c in EvalColumns.All) sb.Append(',').Append(Num(c.Get(r)));
            sb.Append(',').Append(Csv(r.Note));
            w.WriteLine(sb.ToString());
        }
    }

    /// <summary>
    /// JSON: { files: [...], means: { enhanced, noisy?, change? }, stoi_band_hz: [...], unpaired: {...}, failures, notes };
    /// NaN as null. Each file row and each means object also holds stoi_bands, STOI per one-third-octave band
    /// (centres in stoi_band_hz).
    /// </summary>
    public void WriteJson(Stream s)
    {
        using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartArray("files");
        foreach (var r in Rows)
        {
            w.WriteStartObject();
            w.WriteString("file", r.File);
            w.WriteString("signal", r.Signal);
            WriteNumber(w, "duration_s", r.DurationSeconds);
            foreach (var c in EvalColumns.All) WriteNumber(w, c.Name, c.Get(r));
            WriteArray(w, "stoi_bands", r.StoiBands);
            if (r.Note.Length > 0) w.WriteString("note", r.Note);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("means");
        var enhancedBands = StoiBandMeans(Enhanced);
        WriteMeans(w, Enhanced, c => Mean(Enhanced, c), enhancedBands);
        if (HasNoisy)
        {
            var noisyBands = StoiBandMeans(Noisy);
            WriteMeans(w, Noisy, c => Mean(Noisy, c), noisyBands);
            WriteMeans(w, "change", c => Mean(Enhanced, c) - Mean(Noisy, c), enhancedBands.Zip(noisyBands, (e, n) => e - n).ToArray());
        }
        w.WriteEndObject();
        WriteArray(w, "stoi_band_hz", Enumerable.Range(0, Stoi.BandCount).Select(b => Math.Round(Stoi.BandCentreHz(b), 1)).ToArray());
        w.WriteStartObject("unpaired");
        WriteList(w, "clean_only", Pairing.CleanOnly);
        WriteList(w, "enhanced_only", Pairing.EnhancedOnly);
        WriteList(w, "noisy_only", Pairing.NoisyOnly);
        WriteList(w, "missing_noisy", Pairing.MissingNoisy);
        w.WriteEndObject();
        WriteList(w, "failures", Failures);
        WriteList(w, "notes", Notes);
        w.WriteEndObject();
    }

    private static void WriteMeans(Utf8JsonWriter w, string name, Func<Func<EvalRow, double>, double> mean, IReadOnlyList<double> stoiBands)
    {
        w.WriteStartObject(name);
        foreach (var c in EvalColumns.All) WriteNumber(w, c.Name, mean(c.Get));
        WriteArray(w, "stoi_bands", stoiBands);
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            if (double.IsFinite(v)) w.WriteNumberValue(Math.Round(v, 6));
            else w.WriteNullValue();
        }
        w.WriteEndArray();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var i in items) w.WriteStringValue(i);
        w.WriteEndArray();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 6));
        else w.WriteNull(name);
    }

    private static string Num(double v) => double.IsNaN(v) ? "NaN" : v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Csv(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
