using System.ComponentModel;
using PercepNet.Cli.Infrastructure;
using PercepNet.Training.Corpus;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;

namespace PercepNet.Lab.Commands.Corpus;

/// <summary>`percepnet-lab corpus build`: measures speech, noise and room files and writes the manifest.</summary>
public sealed class CorpusBuildCommand : Command<CorpusBuildCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--speech <DIR>")]
        [Description("Folder of speech WAV files (repeatable). Speaker = RAVDESS actor, LibriSpeech/VCTK prefix, else first sub-folder.")]
        public string[] Speech { get; init; } = [];

        [CommandOption("--noise <DIR>")]
        [Description("Folder of noise WAV files (repeatable).")]
        public string[] Noise { get; init; } = [];

        [CommandOption("--rir <DIR>")]
        [Description("Folder of room impulse responses (repeatable).")]
        public string[] Rir { get; init; } = [];

        [CommandOption("--keys <DIR>")]
        [Description("Folder of single key-click samples for synthetic typing noise (repeatable).")]
        public string[] Keys { get; init; } = [];

        [CommandOption("--shared <DIR>")]
        [Description("Also add the development data folder (speech, noise, rir sub-folders of ../shared/data). Default: none.")]
        public string? Shared { get; init; }

        [CommandOption("--debian")]
        [Description("Also download, unpack and convert the Debian packages of DATA.md (apt-get, dpkg-deb, ffmpeg).")]
        public bool Debian { get; init; }

        [CommandOption("--cache <DIR>")]
        [Description("Where --debian keeps packages and converted WAVs.")]
        [DefaultValue("corpus-cache")]
        public string Cache { get; init; } = "corpus-cache";

        [CommandOption("-o|--out <FILE>")]
        [Description("Manifest to write (TSV).")]
        [DefaultValue("corpus.tsv")]
        public string Out { get; init; } = "corpus.tsv";

        [CommandOption("--quiet-dbfs <DB>")]
        [Description("Speech whose background (quietest 5% of 20 ms frames) is above this level is not used as a clean target.")]
        [DefaultValue(-55.0)]
        public double QuietDbfs { get; init; } = -55;

        [CommandOption("--val-fraction <F>")]
        [Description("Fraction of speakers/recordings per source held out for validation.")]
        [DefaultValue(0.1)]
        public double ValFraction { get; init; } = 0.1;

        public override ValidationResult Validate()
        {
            if (Speech.Length + Noise.Length + Rir.Length + Keys.Length == 0 && Shared == null && !Debian)
                return ValidationResult.Error("nothing to scan: give --speech/--noise/--rir/--keys folders, --shared or --debian");
            if (ValFraction is < 0 or >= 1) return ValidationResult.Error("--val-fraction must be in [0, 1)");
            foreach (string d in Speech.Concat(Noise).Concat(Rir).Concat(Keys).Concat(Shared is null ? [] : [Shared]))
                if (!Directory.Exists(d)) return ValidationResult.Error($"{d}: folder not found");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public CorpusBuildCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var folders = new List<CorpusFolder>();
        folders.AddRange(s.Speech.Select(d => new CorpusFolder(CorpusKind.Speech, d)));
        folders.AddRange(s.Noise.Select(d => new CorpusFolder(CorpusKind.Noise, d)));
        folders.AddRange(s.Rir.Select(d => new CorpusFolder(CorpusKind.Rir, d)));
        folders.AddRange(s.Keys.Select(d => new CorpusFolder(CorpusKind.KeyClick, d)));
        if (s.Shared != null)
        {
            foreach (string sub in Directory.GetDirectories(Path.Combine(s.Shared, "speech")))
                folders.Add(new CorpusFolder(CorpusKind.Speech, sub, "shared-" + Path.GetFileName(sub)));
            foreach (string sub in Directory.GetDirectories(Path.Combine(s.Shared, "noise")))
                folders.Add(new CorpusFolder(CorpusKind.Noise, sub, "shared-" + Path.GetFileName(sub)));
            folders.Add(new CorpusFolder(CorpusKind.Rir, Path.Combine(s.Shared, "rir"), "shared-rir"));
        }
        if (s.Debian)
            folders.AddRange(DebianSources.Prepare(s.Cache, line => _console.WriteLine(line), cancellationToken));
        var options = new CorpusOptions { QuietBackgroundDbfs = s.QuietDbfs, ValidationFraction = s.ValFraction };
        var warnings = new List<string>();
        var entries = ProgressReporter.Run(_console, "measuring files", progress =>
            CorpusBuilder.Build(folders, options, progress, w => { lock (warnings) warnings.Add(w); }));
        foreach (string w in warnings) _console.MarkupLineInterpolated($"[yellow]warning:[/] {w}");
        CorpusEntry.WriteManifest(s.Out, entries);
        var table = new Table().AddColumns("kind", "split", "files", "groups", "hours", "quiet speech h", "sources");
        foreach (var g in entries.GroupBy(e => (e.Kind, e.Split)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Split))
            table.AddRow(g.Key.Kind.ToString(), g.Key.Split, $"{g.Count()}", $"{g.Select(e => e.Source + "/" + e.Group).Distinct().Count()}",
                $"{g.Sum(e => e.DurationSeconds) / 3600:F2}", $"{g.Where(e => e.Quiet).Sum(e => e.DurationSeconds) / 3600:F2}",
                $"{g.Select(e => e.Source).Distinct().Count()}");
        _console.Write(table);
        _console.WriteLine($"{s.Out}: {entries.Count} files");
        return Program.Success;
    }
}
