using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using PercepNet.Audio;
using PercepNet.Metrics;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Eval;

/// <summary>
/// <c>percepnet-lab passthrough</c>: speech preservation. CLEAN holds clean speech, PROCESSED what a
/// system made of it (files paired by name); per file and overall: the share of speech-active
/// 0.5 s windows that lost more than 6 dB, the mean level change and the worst window
/// (<see cref="SpeechPreservation"/>). Exit codes: 0 success, 1 a file failed or nothing to
/// measure, 2 usage error.
/// </summary>
[Description("Speech preservation: how much of clean speech a system deleted (share of 0.5 s speech windows more than 6 dB down, mean change, worst window).")]
public sealed class PassthroughCommand : Command<PassthroughCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--clean <DIR>")]
        [Description("Folder of clean speech WAV files, the system's inputs (required).")]
        public string? Clean { get; init; }

        [CommandOption("--processed <DIR>")]
        [Description("Folder of the system's outputs for those inputs, same names, time-aligned, same rate (required).")]
        public string? Processed { get; init; }

        [CommandOption("--csv <FILE>")]
        [Description("Write per-file rows as CSV (file, active_windows, lost_windows, lost_share, mean_change_db, worst_change_db, worst_at_s).")]
        public string? Csv { get; init; }

        [CommandOption("--json <FILE>")]
        [Description("Write per-file rows and the pooled result as JSON.")]
        public string? Json { get; init; }

        [CommandOption("--threshold <DB>")]
        [Description("A window is lost when it comes out more than this many dB quieter (default 6).")]
        [DefaultValue(6.0)]
        public double Threshold { get; init; } = 6;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Clean)) return ValidationResult.Error("--clean DIR is required");
            if (string.IsNullOrEmpty(Processed)) return ValidationResult.Error("--processed DIR is required");
            if (!double.IsFinite(Threshold) || Threshold <= 0) return ValidationResult.Error($"--threshold {Threshold}: expected a positive number of dB");
            return ValidationResult.Success();
        }
    }

    /// <summary>One file's result.</summary>
    internal sealed record Row(string File, PreservationResult Result);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        foreach (var (opt, dir) in new[] { ("--clean", settings.Clean!), ("--processed", settings.Processed!) })
            if (!Directory.Exists(dir))
            {
                Console.Error.WriteLine($"error: {opt} {dir}: folder not found");
                return Program.UsageError;
            }
        var pairing = EvalPairing.Create(settings.Clean!, settings.Processed!, null);
        if (pairing.CleanOnly.Count > 0)
            Console.Error.WriteLine($"warning: {pairing.CleanOnly.Count} clean file(s) without a processed partner (not measured): {string.Join(", ", pairing.CleanOnly)}");
        if (pairing.Pairs.Count == 0)
        {
            Console.Error.WriteLine($"error: no WAV file in {settings.Processed} has a namesake in {settings.Clean}");
            return Program.Failure;
        }
        var options = new PreservationOptions { LossThresholdDb = settings.Threshold };
        var rows = new List<Row>();
        var failures = new List<string>();
        foreach (var p in pairing.Pairs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var clean = AudioFile.Read(p.Clean);
                var processed = AudioFile.Read(p.Enhanced);
                if (clean.SampleRate != processed.SampleRate)
                    throw new ArgumentException($"input at {clean.SampleRate} Hz and output at {processed.SampleRate} Hz: the pass-through measure needs one rate");
                rows.Add(new Row(p.Name, SpeechPreservation.Measure(clean.Mono(), processed.Mono(), clean.SampleRate, options)));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                failures.Add($"{p.Name}: {e.Message}");
            }
        }
        var pooled = SpeechPreservation.Pool(rows.Select(r => r.Result), settings.Threshold);
        var worstFile = rows.Where(r => r.Result.Worst != null).MinBy(r => r.Result.Worst!.ChangeDb);

        if (settings.Csv != null) WriteAtomically(settings.Csv, s => WriteCsv(s, rows));
        if (settings.Json != null) WriteAtomically(settings.Json, s => WriteJson(s, rows, pooled, worstFile));
        if (settings.Csv == null && settings.Json == null)
        {
            var t = new Table();
            foreach (var c in new[] { "file", "active windows", "lost", "lost %", "mean change dB", "worst dB", "worst at s" }) t.AddColumn(c);
            foreach (var r in rows)
                t.AddRow(Markup.Escape(r.File), r.Result.ActiveCount.ToString(CultureInfo.InvariantCulture), r.Result.LostCount.ToString(CultureInfo.InvariantCulture),
                    Pct(r.Result.LostShare), Db(r.Result.MeanChangeDb), Db(r.Result.Worst?.ChangeDb ?? double.NaN), Sec(r.Result.Worst?.StartSeconds ?? double.NaN));
            AnsiConsole.Write(t);
        }
        var files = rows.Count(r => r.Result.LostCount > 0);
        string where = worstFile == null ? "" : $" ({Markup.Escape(worstFile.File)} at {Sec(worstFile.Result.Worst!.StartSeconds)} s)";
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{rows.Count} files, {pooled.ActiveCount} speech-active windows: lost (> {settings.Threshold:0.#} dB down) {Pct(pooled.LostShare)}% ({pooled.LostCount}, in {files} files), mean change {Db(pooled.MeanChangeDb)} dB, worst {Db(pooled.Worst?.ChangeDb ?? double.NaN)} dB[/]{where}"));
        foreach (var f in failures) Console.Error.WriteLine("failed: " + f);
        return failures.Count > 0 ? Program.Failure : Program.Success;
    }

    private static string Pct(double share) => double.IsNaN(share) ? "-" : (100 * share).ToString("0.00", CultureInfo.InvariantCulture);
    private static string Db(double v) => double.IsNaN(v) ? "-" : v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
    private static string Sec(double v) => double.IsNaN(v) ? "-" : v.ToString("0.0", CultureInfo.InvariantCulture);
    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteCsv(Stream s, IReadOnlyList<Row> rows)
    {
        using var w = new StreamWriter(s);
        w.WriteLine("file,active_windows,lost_windows,lost_share,mean_change_db,worst_change_db,worst_at_s");
        foreach (var r in rows)
        {
            var x = r.Result;
            w.WriteLine(string.Join(",", '"' + r.File.Replace("\"", "\"\"") + '"', x.ActiveCount, x.LostCount, Num(x.LostShare), Num(x.MeanChangeDb),
                Num(x.Worst?.ChangeDb ?? double.NaN), Num(x.Worst?.StartSeconds ?? double.NaN)));
        }
    }

    private static void WriteJson(Stream s, IReadOnlyList<Row> rows, PreservationResult pooled, Row? worstFile)
    {
        using var w = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
        void Number(string name, double v)
        {
            if (double.IsFinite(v)) w.WriteNumber(name, v);
            else w.WriteNull(name);
        }
        w.WriteStartObject();
        w.WriteStartObject("overall");
        w.WriteNumber("files", rows.Count);
        w.WriteNumber("activeWindows", pooled.ActiveCount);
        w.WriteNumber("lostWindows", pooled.LostCount);
        Number("lostShare", pooled.LostShare);
        Number("meanChangeDb", pooled.MeanChangeDb);
        Number("worstChangeDb", pooled.Worst?.ChangeDb ?? double.NaN);
        if (worstFile != null)
        {
            w.WriteString("worstFile", worstFile.File);
            w.WriteNumber("worstAtSeconds", worstFile.Result.Worst!.StartSeconds);
        }
        w.WriteEndObject();
        w.WriteStartArray("files");
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("file", r.File);
            w.WriteNumber("activeWindows", r.Result.ActiveCount);
            w.WriteNumber("lostWindows", r.Result.LostCount);
            Number("lostShare", r.Result.LostShare);
            Number("meanChangeDb", r.Result.MeanChangeDb);
            Number("worstChangeDb", r.Result.Worst?.ChangeDb ?? double.NaN);
            Number("worstAtSeconds", r.Result.Worst?.StartSeconds ?? double.NaN);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        string tmp = path + ".tmp";
        using (var s = File.Create(tmp)) write(s);
        File.Move(tmp, path, overwrite: true);
    }
}
