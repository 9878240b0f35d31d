namespace PercepNet.TestSupport;

/// <summary>
/// Locates ../shared/data (development and CI audio that is never committed). Override with the
/// PERCEPNET_DATA environment variable. Tests that need it call <see cref="RequireDir"/>, which
/// skips the test with a visible reason when the folder is absent (a fresh clone without ../shared).
/// </summary>
public static class TestData
{
    public static string? Root { get; } = Locate();

    private static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable("PERCEPNET_DATA");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        // Walk up from the test binary to the folder holding the repository, then ../shared/data.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Full path of a file or folder below the data root; skips the test when it is missing.</summary>
    public static string Require(string relative)
    {
        Skip.If(Root == null, "../shared/data not found (set PERCEPNET_DATA): test needs " + relative);
        string p = Path.Combine(Root!, relative);
        Skip.IfNot(File.Exists(p) || Directory.Exists(p), $"{p} not found: test needs it");
        return p;
    }
}
