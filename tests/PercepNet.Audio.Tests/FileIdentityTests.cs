namespace PercepNet.Audio.Tests;

public sealed class FileIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EveryPathToAFileIsTheSameFileAndNoOtherIs()
    {
        string d = Directory.CreateDirectory(Path.Combine(_dir, "d")).FullName;
        string a = Path.Combine(d, "a.wav"), b = Path.Combine(d, "b.wav");
        File.WriteAllText(a, "a");
        File.WriteAllText(b, "b");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "dl"), d);
        File.CreateSymbolicLink(Path.Combine(_dir, "al.wav"), a);
        Assert.True(FileIdentity.Same(a, a));
        Assert.True(FileIdentity.Same(a, Path.Combine(_dir, "dl", "a.wav")));
        Assert.True(FileIdentity.Same(Path.Combine(_dir, "al.wav"), a));
        Assert.True(FileIdentity.Same(Path.Combine(d, "..", "d", "a.wav"), a));
        Assert.True(FileIdentity.Same(d, Path.Combine(_dir, "dl")));
        Assert.False(FileIdentity.Same(a, b));
        Assert.False(FileIdentity.Same(Path.Combine(_dir, "dl", "b.wav"), a));
        Assert.False(FileIdentity.Same(Path.Combine(d, "new.wav"), a));
        Assert.False(FileIdentity.Same(Path.Combine(d, "new.wav"), Path.Combine(d, "new.wav2")));
        if (OperatingSystem.IsLinux())
        {
            // A hard link and the /proc view of the working folder are the same file too.
            string hard = Path.Combine(_dir, "hard.wav");
            using (var p = System.Diagnostics.Process.Start("ln", [a, hard])) p.WaitForExit();
            Assert.True(FileIdentity.Same(hard, a));
            Assert.True(FileIdentity.Same("/proc/self/cwd", Environment.CurrentDirectory));
        }
    }

    [Fact]
    public void AWriterRefusesEveryPathToItsInput()
    {
        string d = Directory.CreateDirectory(Path.Combine(_dir, "w")).FullName;
        string input = Path.Combine(d, "in.wav");
        AudioFile.Write(input, new AudioData(48000, [new float[480]]), 16);
        byte[] before = File.ReadAllBytes(input);
        Directory.CreateSymbolicLink(Path.Combine(_dir, "wl"), d);
        var format = new WavFormat(WavEncoding.Pcm, 16, 48000, 1);
        Assert.Throws<ArgumentException>(() => new WavWriter(Path.Combine(_dir, "wl", "in.wav"), format, input));
        Assert.Throws<ArgumentException>(() => AudioPipeline.ProcessFile(input, Path.Combine(_dir, "wl", "in.wav"), _ => throw new InvalidOperationException("never")));
        Assert.Equal(before, File.ReadAllBytes(input));
    }
}
