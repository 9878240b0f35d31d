namespace PercepNet.TestSupport;

/// <summary>Zero-allocation checks that a per-call allocation fails and a one-off runtime allocation does not.</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes <paramref name="pass"/> allocates on this thread, the least of up to
    /// <paramref name="passes"/> runs (stopping at the first 0). An allocation per call shows in
    /// every pass; a one-off allocation by the runtime on this thread (seen once, 4,168 bytes, on
    /// a heavily loaded machine) does not.
    /// </summary>
    public static long BestOf(int passes, Action pass)
    {
        long best = long.MaxValue;
        for (int i = 0; i < passes && best != 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            pass();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return best;
    }
}
