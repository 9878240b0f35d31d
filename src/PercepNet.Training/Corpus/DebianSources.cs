using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PercepNet.Training.Corpus;

/// <summary>
/// Recorded speech, noise and room responses from Debian packages (DATA.md section 2), so anyone on
/// a Debian/Ubuntu machine can rebuild the corpus: downloads each package with `apt-get download`,
/// unpacks it with `dpkg-deb -x`, and converts the selected files to WAV with ffmpeg under
/// CACHE/corpus/PACKAGE/KIND/GROUP/, ready for <see cref="CorpusBuilder"/>. Existing files are reused.
/// </summary>
public static class DebianSources
{
    /// <summary>How to group a package's files into speakers or recordings.</summary>
    public enum Grouping
    {
        /// <summary>The whole package is one group (unknown or shared speakers: never split).</summary>
        Package,
        /// <summary>The named capture group of the pattern (e.g. a language folder, one speaker each).</summary>
        Pattern,
        /// <summary>Every file is its own recording (noise effects, rooms).</summary>
        File,
    }

    /// <summary>One selection of files from a package.</summary>
    /// <param name="Pattern">Regex on the path inside the package (forward slashes); group "g" names the group when <paramref name="Grouping"/> is Pattern.</param>
    /// <param name="InputFormat">ffmpeg input format for headerless files (e.g. "g722"), else null (detected).</param>
    public sealed record Recipe(string Package, CorpusKind Kind, string Pattern, Grouping Grouping, string Licence, string? InputFormat = null);

    /// <summary>Asterisk's studio phone prompts (G.722, 16 kHz): one professional voice per folder, the silence/ folders left out.</summary>
    private static Recipe Asterisk(string language, string licence) =>
        new($"asterisk-core-sounds-{language}-g722", CorpusKind.Speech, @"^usr/share/asterisk/sounds/(?<g>[^/]+)/(?!silence/)(.*/)?[^/]+\.g722$", Grouping.Pattern, licence, "g722");

    /// <summary>The recipes of DATA.md section 2 (TTS voices left out: no natural pitch jitter).</summary>
    public static IReadOnlyList<Recipe> Recipes { get; } =
    [
        new("festvox-ru", CorpusKind.Speech, @"^usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav/.*\.wav$", Grouping.Package, "BSD-like"),
        new("fillets-ng-data-cs", CorpusKind.Speech, @"^usr/share/games/fillets-ng/sound/.*/cs/.*\.ogg$", Grouping.Package, "GPL-2+"),
        new("fillets-ng-data-nl", CorpusKind.Speech, @"^usr/share/games/fillets-ng/sound/.*/nl/.*\.ogg$", Grouping.Package, "GPL-2+"),
        new("klettres-data", CorpusKind.Speech, @"^usr/share/klettres/(?<g>[^/]+)/.*\.(ogg|wav)$", Grouping.Pattern, "GPL-2+"),
        new("ktuberling-data", CorpusKind.Speech, @"^usr/share/ktuberling/sounds/(?<g>[^/]+)/.*\.(ogg|wav)$", Grouping.Pattern, "GPL-2+"),
        new("tuxpaint-stamps-default", CorpusKind.Speech, @"^usr/share/tuxpaint/stamps/.*_desc_(?<g>[a-zA-Z_]+)\.ogg$", Grouping.Pattern, "GPL-2"),
        new("tuxpaint-stamps-default", CorpusKind.Noise, @"^usr/share/tuxpaint/stamps/(?!.*_desc_).*\.ogg$", Grouping.File, "GPL-2"),
        new("qabcs-data", CorpusKind.Noise, @"^usr/share/qabcs/abcs/all/noises/.*\.(ogg|wav)$", Grouping.File, "GPL-3+"),
        new("qabcs-data", CorpusKind.Speech, @"^usr/share/qabcs/abcs/(?<g>[a-z_]+)/sounds/.*\.(ogg|wav)$", Grouping.Pattern, "GPL-3+"),
        new("bucklespring-data", CorpusKind.KeyClick, @"^usr/share/buckle/wav/.*\.wav$", Grouping.Package, "GPL-2+"),
        new("codec2-examples", CorpusKind.Speech, @"^usr/share/codec2/wav/.*\.wav$", Grouping.Package, "LGPL-2.1"),
        new("guitarix-common", CorpusKind.Rir, @"^usr/share/gx_head/sounds/greathall\.wav$", Grouping.File, "GPL-2+"),
        new("jconvolver-config-files", CorpusKind.Rir, @"^usr/share/jconvolver/config-files/demo-reverbs/.*\.wav$", Grouping.File, "GPL-2+"),
        new("csoundqt-examples", CorpusKind.Rir, @"^usr/share/csoundqt/Examples/SourceMaterials/(Stairwell[LR]?|impulse_big_hall)\.wav$", Grouping.File, "LGPL-2.1+"),
        Asterisk("en", "CC-BY-SA-3.0"),
        Asterisk("es", "CC-BY-SA-3.0"),
        Asterisk("fr", "CC-BY-SA-3.0"),
        Asterisk("it", "CC-BY-3.0"),
        Asterisk("ru", "CC-BY-3.0"),
    ];

    /// <summary>
    /// Fetches and converts every recipe into <paramref name="cacheDir"/>; returns the folders to
    /// scan. <paramref name="log"/> receives one line per step.
    /// </summary>
    public static List<CorpusFolder> Prepare(string cacheDir, Action<string> log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(cacheDir);
        string debs = Path.Combine(cacheDir, "debs"), unpacked = Path.Combine(cacheDir, "unpacked"), corpus = Path.Combine(cacheDir, "corpus");
        Directory.CreateDirectory(debs);
        Directory.CreateDirectory(unpacked);
        EnsureTool("ffmpeg", "ffmpeg", log);
        EnsureTool("sox", "sox libsox-fmt-all", log);
        var folders = new HashSet<CorpusFolder>();
        foreach (var pkg in Recipes.GroupBy(r => r.Package))
        {
            ct.ThrowIfCancellationRequested();
            string root = Path.Combine(unpacked, pkg.Key);
            if (!Directory.Exists(root))
            {
                string? deb = Directory.GetFiles(debs, pkg.Key + "_*.deb").FirstOrDefault();
                if (deb == null)
                {
                    log($"apt-get download {pkg.Key}");
                    Run("apt-get", ["download", "-q", pkg.Key], debs);
                    deb = Directory.GetFiles(debs, pkg.Key + "_*.deb").FirstOrDefault()
                          ?? throw new IOException($"apt-get download {pkg.Key} produced no .deb in {debs}");
                }
                log($"dpkg-deb -x {Path.GetFileName(deb)}");
                string tmp = root + ".tmp";
                if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
                Run("dpkg-deb", ["-x", deb, tmp], debs);
                Directory.Move(tmp, root);
            }
            foreach (var recipe in pkg)
            {
                var rx = new Regex(recipe.Pattern);
                string kindDir = Path.Combine(corpus, recipe.Package, recipe.Kind.ToString().ToLowerInvariant());
                int converted = 0, total = 0;
                var work = new List<(string File, string Dest)>();
                foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    string rel = Path.GetRelativePath(root, file).Replace('\\', '/');
                    var m = rx.Match(rel);
                    if (!m.Success) continue;
                    total++;
                    string group = recipe.Grouping switch
                    {
                        Grouping.Pattern => m.Groups["g"].Value,
                        Grouping.File => Path.GetFileNameWithoutExtension(rel),
                        _ => recipe.Package,
                    };
                    // Flatten the rest of the path into the name so files never collide.
                    string name = Path.ChangeExtension(rel.Replace('/', '_'), ".wav");
                    string dest = Path.Combine(kindDir, Sanitize(group), name);
                    if (!File.Exists(dest)) work.Add((file, dest));
                }
                // Two sources may flatten to one name (x.ogg and x.wav side by side): the first wins, as it did sequentially.
                work = work.DistinctBy(w => w.Dest).ToList();
                // One ffmpeg per file, as many at a time as there are cores (process start-up dominates).
                try
                {
                Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, w =>
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(w.Dest)!);
                    string tmp = w.Dest + ".tmp.wav";
                    // sox starts about 4x faster than ffmpeg (0.13 s against 0.5 s per file here) and reads
                    // Ogg Vorbis, FLAC and WAV; ffmpeg only for what sox cannot read (headerless G.722).
                    if (recipe.InputFormat is { } format)
                        Run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", format, "-i", w.File, "-ar", "16000", "-c:a", "pcm_s16le", tmp], root);
                    else
                        Run("sox", ["-q", w.File, "-b", "16", "-e", "signed-integer", tmp], root);
                    File.Move(tmp, w.Dest, overwrite: true);
                    Interlocked.Increment(ref converted);
                });
                }
                catch (AggregateException e) when (e.InnerExceptions.Count > 0)
                {
                    // The first failure, as the sequential loop reported it (the CLI prints IOExceptions cleanly).
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
                log($"{recipe.Package} ({recipe.Kind}): {total} files, {converted} converted now");
                if (total > 0) folders.Add(new CorpusFolder(recipe.Kind, kindDir, recipe.Package));
            }
        }
        return folders.ToList();
    }

    private static string Sanitize(string s) => string.Concat(s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));

    private static void EnsureTool(string tool, string package, Action<string> log)
    {
        if (FindOnPath(tool)) return;
        log($"{tool} not found: apt-get install -y {package}");
        Run("apt-get", ["install", "-y", "-q", .. package.Split(' ')], Environment.CurrentDirectory);
        if (!FindOnPath(tool)) throw new IOException($"{tool} is still missing after installing {package}");
    }

    private static bool FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    private static void Run(string exe, string[] args, string workDir)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = workDir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new IOException($"could not start {exe}");
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new IOException($"{exe} {string.Join(' ', args)} failed with exit code {p.ExitCode}: {stderr.Result.Trim()}");
    }
}
