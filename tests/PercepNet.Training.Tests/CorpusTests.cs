using PercepNet.Audio;
using PercepNet.Training.Corpus;

namespace PercepNet.Training.Tests;

public sealed class CorpusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-corpus-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData(CorpusKind.Speech, "03-01-05-01-01-01-12.wav", "actor12")]
    [InlineData(CorpusKind.Speech, "1272-128104-0000.wav", "1272")]
    [InlineData(CorpusKind.Speech, "p232_001.wav", "p232")]
    [InlineData(CorpusKind.Speech, "spk7/LJ001-0001.wav", "spk7")]
    [InlineData(CorpusKind.Speech, "LJ001-0001.wav", "all")]
    [InlineData(CorpusKind.Noise, "fold1/100032-3-0-0.wav", "100032")]
    [InlineData(CorpusKind.Noise, "nature/river.wav", "river")]
    [InlineData(CorpusKind.Rir, "webaudio/hall.wav", "hall")]
    public void GroupsFollowTheNamingSchemes(CorpusKind kind, string rel, string group)
    {
        string root = Path.Combine(_dir, "root");
        Assert.Equal(group, CorpusBuilder.GroupOf(kind, root, Path.Combine(root, rel)));
    }

    [Fact]
    public void SplitIsBySpeakerAndKeepsBothSidesPopulated()
    {
        var entries = new List<CorpusEntry>();
        for (int spk = 0; spk < 30; spk++)
            for (int f = 0; f < 5; f++)
                entries.Add(new CorpusEntry(CorpusKind.Speech, "", "src", $"s{spk}", $"/x/{spk}_{f}.wav", 16000, 1, 3, 8000, -70, -20, 0, true));
        entries.Add(new CorpusEntry(CorpusKind.Speech, "", "single", "all", "/y/a.wav", 16000, 1, 3, 8000, -70, -20, 0, true));
        var split = CorpusBuilder.AssignSplits(entries, 0.1);
        foreach (var g in split.GroupBy(e => (e.Source, e.Group)))
            Assert.Single(g.Select(e => e.Split).Distinct());
        int valSpeakers = split.Where(e => e.Source == "src" && e.Split == "val").Select(e => e.Group).Distinct().Count();
        Assert.Equal(3, valSpeakers);
        Assert.Equal("train", split.Single(e => e.Source == "single").Split);
        // A speaker in two collections of the same size is on the same side in both.
        var two = new List<CorpusEntry>();
        foreach (string src in new[] { "full", "subset" })
            for (int spk = 0; spk < 24; spk++)
                two.Add(new CorpusEntry(CorpusKind.Speech, "", src, $"actor{spk:D2}", $"/{src}/{spk}.wav", 48000, 1, 3, 20000, -90, -20, 0, true));
        var twoSplit = CorpusBuilder.AssignSplits(two, 0.1);
        foreach (var g in twoSplit.GroupBy(e => e.Group)) Assert.Single(g.Select(e => e.Split).Distinct());
        // Deterministic.
        Assert.Equal(split, CorpusBuilder.AssignSplits(entries, 0.1));
    }

    [Fact]
    public void MeasuresBandwidthLevelsAndWritesAManifest()
    {
        // 16 kHz noise-like "speech" with energy up to 8 kHz, a quiet background half and a loud half.
        var rng = new Random(1);
        int rate = 16000, n = rate * 4;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((i < n / 2 ? 0.3 : 0.0003) * (rng.NextDouble() * 2 - 1));
        Directory.CreateDirectory(Path.Combine(_dir, "speech", "spk1"));
        AudioFile.Write(Path.Combine(_dir, "speech", "spk1", "a.wav"), new AudioData(rate, [x]), 16);
        // 48 kHz white noise low-passed at ~4 kHz by a moving average of 6 samples (first null at 8 kHz).
        var y = new float[48000 * 2];
        var w = new float[y.Length + 6];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < y.Length; i++) { float s = 0; for (int j = 0; j < 6; j++) s += w[i + j]; y[i] = 0.1f * s; }
        Directory.CreateDirectory(Path.Combine(_dir, "noise"));
        AudioFile.Write(Path.Combine(_dir, "noise", "hum.wav"), new AudioData(48000, [y]), 32);

        var entries = CorpusBuilder.Build(
            [new CorpusFolder(CorpusKind.Speech, Path.Combine(_dir, "speech")), new CorpusFolder(CorpusKind.Noise, Path.Combine(_dir, "noise"))],
            new CorpusOptions());
        var sp = entries.Single(e => e.Kind == CorpusKind.Speech);
        Assert.Equal("spk1", sp.Group);
        Assert.Equal(16000, sp.SampleRate);
        Assert.Equal(4.0, sp.DurationSeconds, 3);
        Assert.InRange(sp.BandwidthHz, 7500, 8000);
        Assert.InRange(sp.BackgroundDbfs, -80, -70);   // 0.0003 uniform: RMS -75.2 dBFS
        Assert.InRange(sp.ActiveDbfs, -17, -13);       // 0.3 uniform: RMS -15.2 dBFS
        Assert.True(sp.Quiet);
        var no = entries.Single(e => e.Kind == CorpusKind.Noise);
        Assert.InRange(no.BandwidthHz, 12000, 24000); // sidelobes of the moving average stay within 60 dB
        string manifest = Path.Combine(_dir, "m.tsv");
        CorpusEntry.WriteManifest(manifest, entries);
        var back = CorpusEntry.ReadManifest(manifest);
        Assert.Equal(entries.Count, back.Count);
        Assert.Equal(entries[0].Path, back[0].Path);
        File.WriteAllText(manifest, "garbage");
        Assert.Throws<InvalidDataException>(() => CorpusEntry.ReadManifest(manifest));
    }
}

public sealed class DebianRecipeTests
{
    [Theory]
    [InlineData("usr/share/asterisk/sounds/en_US_f_Allison/digits/1.g722", "en_US_f_Allison")]
    [InlineData("usr/share/asterisk/sounds/en_US_f_Allison/vm-intro.g722", "en_US_f_Allison")]
    [InlineData("usr/share/asterisk/sounds/en_US_f_Allison/silence/1.g722", null)]
    [InlineData("usr/share/asterisk/sounds/en_US_f_Allison/digits/1.wav", null)]
    public void AsteriskPromptsAreOneVoicePerFolderWithoutSilence(string path, string? voice)
    {
        var recipe = PercepNet.Training.Corpus.DebianSources.Recipes.Single(r => r.Package == "asterisk-core-sounds-en-g722");
        Assert.Equal("g722", recipe.InputFormat);
        var m = new System.Text.RegularExpressions.Regex(recipe.Pattern).Match(path);
        Assert.Equal(voice != null, m.Success);
        if (voice != null) Assert.Equal(voice, m.Groups["g"].Value);
        Assert.Equal(5, PercepNet.Training.Corpus.DebianSources.Recipes.Count(r => r.Package.StartsWith("asterisk-core-sounds-", StringComparison.Ordinal)));
    }
}
