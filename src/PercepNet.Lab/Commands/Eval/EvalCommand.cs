using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using PercepNet.Audio;
using PercepNet.Metrics;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Eval;

/// <summary>
/// <c>percepnet-lab eval</c>: objective quality of enhanced files against clean references (PESQ, STOI,
/// ESTOI, SI-SDR) and on their own (DNSMOS), optionally compared with the noisy inputs.
/// Exit codes: 0 success, 1 some files failed or nothing to score, 2 usage error.
/// </summary>
[Description("Score enhanced speech against clean references: PESQ, STOI, ESTOI, SI-SDR, DNSMOS.")]
public sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--clean <DIR>")]
        [Description("Folder of clean reference WAV files (required).")]
        public string? Clean { get; init; }

        [CommandOption("--enhanced <DIR>")]
        [Description("Folder of processed WAV files, paired with the clean ones by file name (required).")]
        public string? Enhanced { get; init; }

        [CommandOption("--noisy <DIR>")]
        [Description("Folder of the unprocessed noisy inputs; adds their scores and the change enhanced - noisy.")]
        public string? Noisy { get; init; }

        [CommandOption("--csv <FILE>")]
        [Description("Write per-file rows as CSV (file, signal, duration_s, pesq_wb, pesq_nb, stoi, estoi, si_sdr, dnsmos_sig, dnsmos_bak, dnsmos_ovrl, dnsmos_p808, pause_db, note).")]
        public string? Csv { get; init; }

        [CommandOption("--json <FILE>")]
        [Description("Write per-file rows, means and unpaired files as JSON (NaN as null).")]
        public string? Json { get; init; }

        [CommandOption("--stoi-bands")]
        [Description("Also print STOI per one-third-octave band (150 Hz - 3.8 kHz), the mean over files: where intelligibility is lost. The JSON always holds it.")]
        public bool StoiBands { get; init; }

        [CommandOption("--no-dnsmos")]
        [Description("Skip DNSMOS (the slowest metric; needs no model files then).")]
        public bool NoDnsmos { get; init; }

        [CommandOption("--dnsmos-models <DIR>")]
        [Description("Folder holding sig_bak_ovr.onnx and model_v8.onnx. Default: $PERCEPNET_DATA/dnsmos, else the nearest shared/data/dnsmos above the current or program folder.")]
        public string? DnsmosModels { get; init; }

        /// <summary>Null when usable, else the message for a usage error. Also resolves the DNSMOS folder.</summary>
        internal string? Check(out string? dnsmosDir)
        {
            dnsmosDir = null;
            if (string.IsNullOrEmpty(Clean)) return "--clean DIR is required";
            if (string.IsNullOrEmpty(Enhanced)) return "--enhanced DIR is required";
            foreach (var (opt, dir) in new[] { ("--clean", Clean), ("--enhanced", Enhanced), ("--noisy", Noisy) })
                if (dir != null && !Directory.Exists(dir)) return $"{opt} {dir}: folder not found";
            foreach (var (opt, file) in new[] { ("--csv", Csv), ("--json", Json) })
            {
                if (file == null) continue;
                string? parent = Path.GetDirectoryName(Path.GetFullPath(file));
                if (parent != null && !Directory.Exists(parent)) return $"{opt} {file}: folder {parent} not found";
            }
            if (NoDnsmos) return null;
            dnsmosDir = DnsmosModels ?? FindDnsmosModels();
            if (dnsmosDir == null)
                return "DNSMOS models not found: pass --dnsmos-models DIR (holding sig_bak_ovr.onnx and model_v8.onnx) or --no-dnsmos";
            foreach (var f in new[] { Dnsmos.P835ModelFile, Dnsmos.P808ModelFile })
                if (!File.Exists(Path.Combine(dnsmosDir, f)))
                    return $"DNSMOS model {Path.Combine(dnsmosDir, f)} not found: pass --dnsmos-models DIR (holding {Dnsmos.P835ModelFile} and {Dnsmos.P808ModelFile}) or --no-dnsmos";
            return null;
        }

        private static string? FindDnsmosModels()
        {
            string? env = Environment.GetEnvironmentVariable("PERCEPNET_DATA");
            if (!string.IsNullOrEmpty(env)) return Path.Combine(env, "dnsmos");
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string c = Path.Combine(d.FullName, "shared", "data", "dnsmos");
                    if (Directory.Exists(c)) return c;
                }
            return null;
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string? usage = settings.Check(out string? dnsmosDir);
        if (usage != null)
        {
            Console.Error.WriteLine("error: " + usage);
            return 2;
        }
        var pairing = EvalPairing.Create(settings.Clean!, settings.Enhanced!, settings.Noisy);
        ReportUnpaired(pairing);
        if (pairing.Pairs.Count == 0)
        {
            Console.Error.WriteLine($"error: no WAV file in {settings.Enhanced} has a namesake in {settings.Clean}");
            return 1;
        }

        using var dnsmos = dnsmosDir == null ? null : new Dnsmos(dnsmosDir);
        var scoring = new ScoringOptions { Dnsmos = dnsmos };
        var rows = new ConcurrentBag<EvalRow>();
        var failures = new ConcurrentBag<string>();
        void ScorePair(EvalPair p)
        {
            try
            {
                var clean = AudioFile.Read(p.Clean);
                rows.Add(EvalScorer.Score(p.Name, EvalReport.Enhanced, clean, AudioFile.Read(p.Enhanced), scoring));
                if (p.Noisy != null) rows.Add(EvalScorer.Score(p.Name, EvalReport.Noisy, clean, AudioFile.Read(p.Noisy), scoring));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One unreadable or unscorable file must not lose the others' scores: it is
                // reported, counted, and makes the exit code 1.
                failures.Add($"{p.Name}: {e.GetType().Name}: {e.Message}");
            }
        }

        // Files in parallel on all cores; each DNSMOS session runs single-threaded (see Dnsmos).
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (interactive)
        {
            AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("Scoring", maxValue: pairing.Pairs.Count);
                Parallel.ForEach(pairing.Pairs, options, p => { ScorePair(p); task.Increment(1); });
            });
        }
        else
        {
            Parallel.ForEach(pairing.Pairs, options, ScorePair);
        }

        var ordered = rows.OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Signal == EvalReport.Noisy).ToList();
        var notes = new List<string>();
        if (dnsmos == null) notes.Add("DNSMOS skipped (--no-dnsmos)");
        var report = new EvalReport(ordered, pairing, failures.OrderBy(f => f, StringComparer.Ordinal).ToList(), notes);

        if (settings.Csv != null)
        {
            using var w = new StreamWriter(settings.Csv);
            report.WriteCsv(w);
        }
        if (settings.Json != null)
        {
            using var s = File.Create(settings.Json);
            report.WriteJson(s);
        }
        if (settings.Csv == null && settings.Json == null) AnsiConsole.Write(FileTable(report));
        AnsiConsole.Write(MeansTable(report));
        if (settings.StoiBands) AnsiConsole.Write(StoiBandsTable(report));
        foreach (var n in notes) AnsiConsole.MarkupLine("[grey]note: " + Markup.Escape(n) + "[/]");
        foreach (var f in report.Failures) Console.Error.WriteLine("failed: " + f);
        return report.Failures.Count > 0 ? 1 : 0;
    }

    private static void ReportUnpaired(EvalPairing p)
    {
        void List(string what, IReadOnlyList<string> names)
        {
            if (names.Count == 0) return;
            Console.Error.WriteLine($"warning: {names.Count} {what}: {string.Join(", ", names)}");
        }
        List("clean file(s) without an enhanced partner (not scored)", p.CleanOnly);
        List("enhanced file(s) without a clean partner (not scored)", p.EnhancedOnly);
        List("noisy file(s) without a clean partner (ignored)", p.NoisyOnly);
        List("pair(s) without a noisy file (enhanced scored, no noisy row)", p.MissingNoisy);
    }

    private static Table MeansTable(EvalReport r)
    {
        int files = r.Rows.Count(x => x.Signal == EvalReport.Enhanced);
        var t = new Table().Title($"Means over {files} file(s)");
        t.AddColumn("metric");
        t.AddColumn(new TableColumn("enhanced").RightAligned());
        if (r.HasNoisy)
        {
            t.AddColumn(new TableColumn("noisy").RightAligned());
            t.AddColumn(new TableColumn("change").RightAligned());
        }
        foreach (var (name, get) in EvalColumns.All)
        {
            double e = r.Mean(EvalReport.Enhanced, get);
            if (r.HasNoisy)
            {
                double n = r.Mean(EvalReport.Noisy, get);
                t.AddRow(name, Fmt(e), Fmt(n), Fmt(e - n, signed: true));
            }
            else t.AddRow(name, Fmt(e));
        }
        return t;
    }

    private static Table StoiBandsTable(EvalReport r)
    {
        var t = new Table().Title("STOI per one-third-octave band (mean over files)");
        t.AddColumn(new TableColumn("band Hz").RightAligned());
        t.AddColumn(new TableColumn("enhanced").RightAligned());
        double[] e = r.StoiBandMeans(EvalReport.Enhanced);
        double[]? n = r.HasNoisy ? r.StoiBandMeans(EvalReport.Noisy) : null;
        if (n != null)
        {
            t.AddColumn(new TableColumn("noisy").RightAligned());
            t.AddColumn(new TableColumn("change").RightAligned());
        }
        for (int b = 0; b < e.Length; b++)
        {
            string hz = Stoi.BandCentreHz(b).ToString("0", CultureInfo.InvariantCulture);
            if (n != null) t.AddRow(hz, Fmt(e[b]), Fmt(n[b]), Fmt(e[b] - n[b], signed: true));
            else t.AddRow(hz, Fmt(e[b]));
        }
        return t;
    }

    private static Table FileTable(EvalReport r)
    {
        var t = new Table();
        t.AddColumn("file");
        t.AddColumn("signal");
        foreach (var (name, _) in EvalColumns.All) t.AddColumn(new TableColumn(name).RightAligned());
        foreach (var row in r.Rows)
            t.AddRow([Markup.Escape(row.File), row.Signal, .. EvalColumns.All.Select(c => Fmt(c.Get(row)))]);
        return t;
    }

    private static string Fmt(double v, bool signed = false) =>
        double.IsNaN(v) ? "-" : v.ToString(signed ? "+0.000;-0.000;0.000" : "0.000", CultureInfo.InvariantCulture);
}
