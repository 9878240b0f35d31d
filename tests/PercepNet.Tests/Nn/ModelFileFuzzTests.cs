using PercepNet.Nn;

namespace PercepNet.Tests.Nn;

/// <summary>
/// Seeded fuzzing of the model loader (issue 15): mutants of a valid file either load or fail with
/// <see cref="InvalidDataException"/> naming the file; nothing else escapes, nothing allocates what
/// a corrupted size field claims.
/// </summary>
public class ModelFileFuzzTests
{
    [Fact]
    public void ThousandsOfMutantsLoadOrFailCleanly()
    {
        var model = PercepNetNetworkTests.RandomModel(new NetworkShape
        {
            InputDense = 8, Conv1Channels = 8, Conv2Channels = 8, SharedGru = 8, GainGru = 8, StrengthGru = 8,
        }, seed: 1).WithFeatureFloor(-66);
        using var ms = new MemoryStream();
        model.WriteTo(ms);
        byte[] seed = ms.ToArray();
        var rng = new Random(1205);
        int loaded = 0, refused = 0;
        long peak = 0;
        for (int i = 0; i < 3000; i++)
        {
            var b = (byte[])seed.Clone();
            // Mostly the header and the first tensors' names and shapes, where the structure is.
            int region = rng.Next(4) == 0 ? b.Length : Math.Min(b.Length, 700);
            int edits = 1 + rng.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = rng.Next(region);
                switch (rng.Next(4))
                {
                    case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                    case 1: b[at] = (byte)rng.Next(256); break;
                    case 2:
                        if (at + 4 <= b.Length) BitConverter.GetBytes(new[] { 0, -1, int.MaxValue, int.MinValue, 1 << 20, rng.Next() }[rng.Next(6)]).CopyTo(b, at);
                        break;
                    default: Array.Resize(ref b, at); region = Math.Min(region, b.Length); break;
                }
                if (b.Length == 0) break;
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var m = ModelFile.Parse(b, "mutant.pnnm");
                Assert.True(m.TensorCount > 0);
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("mutant.pnnm: ", e.Message);
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutant {i}: {e.GetType().Name}: {e.Message}");
            }
            peak = Math.Max(peak, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(refused > 1000, $"{refused} refused");
        Assert.True(loaded > 10, $"{loaded} loaded (mutations of weight values load)");
        Assert.True(peak < 4 * seed.Length + 1_000_000, $"a mutant allocated {peak:N0} bytes for a {seed.Length:N0}-byte file");
    }
}
