using System.Diagnostics;
using PercepNet.Audio;

namespace PercepNet.Cli.Tests;

/// <summary>
/// The hostile cases of issue 15, each through the built CLI as a separate process with its managed
/// heap capped at 1 GB: the expected exit code and message, never an exit status of 128 or more
/// (a crash or a kill), never a stack trace, and the input unchanged.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("percepnet-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Header(int channels, int rate, int blockAlign, int dataBytes)
    {
        var b = new List<byte>();
        void U32(uint v) => b.AddRange(BitConverter.GetBytes(v));
        void U16(ushort v) => b.AddRange(BitConverter.GetBytes(v));
        b.AddRange("RIFF"u8.ToArray()); U32((uint)(36 + dataBytes)); b.AddRange("WAVEfmt "u8.ToArray());
        U32(16); U16(1); U16((ushort)channels); U32((uint)rate); U32((uint)(rate * blockAlign)); U16((ushort)blockAlign); U16(16);
        b.AddRange("data"u8.ToArray()); U32((uint)dataBytes);
        b.AddRange(new byte[dataBytes]);
        return b.ToArray();
    }

    private (int Code, string Said) Cli(string? stdinFile, string? cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdinFile != null };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "percepnet.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (cwd != null) psi.WorkingDirectory = cwd;
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x40000000"; // 1 GB: more would be an out-of-memory crash
        using var p = Process.Start(psi)!;
        var said = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (said) said.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (said) said.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdinFile != null)
        {
            try
            {
                using var f = File.OpenRead(stdinFile);
                f.CopyTo(p.StandardInput.BaseStream);
                p.StandardInput.Close();
            }
            catch (IOException) { } // the CLI may stop reading early
        }
        if (!p.WaitForExit(120_000)) { p.Kill(); Assert.Fail($"{string.Join(' ', args)}: still running after 2 minutes"); }
        p.WaitForExit();
        // Messages are wrapped at the console width: join the lines again.
        return (p.ExitCode, said.ToString().ReplaceLineEndings(" "));
    }

    private static void Clean(int code, string said)
    {
        Assert.True(code < 128, $"exit status {code}: {said}");
        Assert.DoesNotContain("   at ", said); // no stack trace
        Assert.DoesNotContain("Unhandled exception", said);
    }

    public static TheoryData<string> Cases() => new()
    {
        "file through a symlinked folder", "folder into itself through a link", "/proc/self/cwd", "hard link",
        "WAV from a pipe", "info - (WAV on stdin)", "65535 channels (info)", "65535 channels (denoise)", "1 Hz (denoise)",
        "--model /dev/zero", "--attenuation-limit NaN", "not a WAV",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostileCasesGetACleanAnswer(string name)
    {
        if (!OperatingSystem.IsLinux()) return;
        string d = Directory.CreateDirectory(Path.Combine(_dir, "d")).FullName;
        string input = Path.Combine(d, "in.wav");
        var x = new float[16000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(0.2 * Math.Sin(2 * Math.PI * 220 * i / 16000.0));
        AudioFile.Write(input, new AudioData(16000, [x]), 16);
        byte[] before = File.ReadAllBytes(input);
        string linked = Path.Combine(_dir, "dl");
        Directory.CreateSymbolicLink(linked, d);
        string outFile = Path.Combine(_dir, "out.wav");
        string huge = Path.Combine(_dir, "huge.wav");
        (int Code, string Said) r;
        switch (name)
        {
            case "file through a symlinked folder":
                r = Cli(null, null, "denoise", input, Path.Combine(linked, "in.wav"));
                Assert.Equal(2, r.Code); Assert.Contains("overwrite", r.Said); break;
            case "folder into itself through a link":
                r = Cli(null, null, "denoise", d, linked);
                Assert.Equal(2, r.Code); Assert.Contains("input folder", r.Said); break;
            case "/proc/self/cwd":
                r = Cli(null, d, "denoise", "in.wav", "/proc/self/cwd/in.wav");
                Assert.Equal(2, r.Code); Assert.Contains("overwrite", r.Said); break;
            case "hard link":
                string hard = Path.Combine(_dir, "hard.wav");
                using (var ln = Process.Start("ln", [input, hard])!) ln.WaitForExit();
                r = Cli(null, null, "denoise", input, hard);
                Assert.Equal(2, r.Code); break;
            case "WAV from a pipe":
                r = Cli(input, null, "denoise", "/dev/stdin", outFile);
                Assert.Equal(0, r.Code);
                Assert.Equal(16000, AudioFile.Read(outFile).Length); break;
            case "info - (WAV on stdin)":
                r = Cli(input, null, "info", "-");
                Assert.Equal(0, r.Code); Assert.Contains("16000 Hz, 1 ch, 16000 frames", r.Said); break;
            case "65535 channels (info)":
                File.WriteAllBytes(huge, Header(65535, 48000, 65534, 131000));
                r = Cli(null, null, "info", huge);
                Assert.Equal(1, r.Code); Assert.Contains("at most 64", r.Said); break;
            case "65535 channels (denoise)":
                File.WriteAllBytes(huge, Header(65535, 48000, 65534, 131000));
                r = Cli(null, null, "denoise", huge, outFile);
                Assert.Equal(1, r.Code); Assert.Contains("at most 64", r.Said); break;
            case "1 Hz (denoise)":
                File.WriteAllBytes(huge, Header(1, 1, 2, 9600));
                r = Cli(null, null, "denoise", huge, outFile);
                Assert.Equal(1, r.Code); Assert.Contains("huge.wav", r.Said); Assert.Contains("1 Hz", r.Said); break;
            case "--model /dev/zero":
                r = Cli(null, null, "denoise", input, outFile, "--model", "/dev/zero");
                Assert.Equal(1, r.Code); Assert.Contains("not a regular file", r.Said); break;
            case "--attenuation-limit NaN":
                r = Cli(null, null, "denoise", input, outFile, "--attenuation-limit", "NaN");
                Assert.Equal(2, r.Code); break;
            default:
                File.WriteAllText(huge, "not audio at all, just text");
                r = Cli(null, null, "denoise", huge, outFile);
                Assert.Equal(1, r.Code); Assert.Contains("not a WAV file", r.Said); break;
        }
        Clean(r.Code, r.Said);
        Assert.Equal(before, File.ReadAllBytes(input));
        Assert.Empty(Directory.GetFiles(d, "*.tmp"));
        Assert.Single(Directory.GetFiles(d));
    }
}
