using System.Runtime.InteropServices;

namespace KerasPS.Engine.Data;

/// <summary>
/// Allocation of the big feature buffers. A fresh 23 MB array costs more in page faults (one per 4 KiB page on
/// first touch) than parsing the numbers that fill it, above all in virtual machines; on Linux the buffer is
/// advised as transparent-huge-page memory (MADV_HUGEPAGE) before it is touched, so it takes a fault per 2 MiB.
/// Where that is not possible the advice is skipped silently: it changes speed, never results.
/// </summary>
public static unsafe class LargeArrays
{
    private const int MadvHugePage = 14;
    private const long HugePage = 2 << 20;
    private static bool adviseWorks = OperatingSystem.IsLinux();

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(IntPtr address, UIntPtr length, int advice);

    /// <summary>A float array whose contents are NOT zeroed: the caller must write every element it exposes.</summary>
    public static float[] Uninitialized(int length)
    {
        var a = GC.AllocateUninitializedArray<float>(length);
        if (adviseWorks && (long)length * sizeof(float) >= 4 * HugePage) Advise(a);
        return a;
    }

    private static void Advise(float[] a)
    {
        try
        {
            // Large arrays live on the large object heap, which is not compacted by default; even if it moved,
            // the advice stays with the memory range and only affects how pages are backed.
            fixed (float* p = a)
            {
                long start = (long)p, end = start + (long)a.Length * sizeof(float);
                long from = (start + HugePage - 1) & ~(HugePage - 1), to = end & ~(HugePage - 1);
                if (to > from) Madvise((IntPtr)from, (UIntPtr)(ulong)(to - from), MadvHugePage);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException)
        {
            adviseWorks = false;
        }
    }
}
