using System.Runtime.InteropServices;

namespace KerasPS.Engine.Native;

/// <summary>
/// Keeps glibc's heap from handing training memory back to the kernel after every step.
/// </summary>
/// <remarks>
/// libtorch allocates each step's activations and gradients with malloc (a CNN step of the bench: ~100 MB in blocks of
/// 1-11 MB) and frees them at the end of the step. glibc's defaults return freed memory at the top of a heap beyond
/// 2x the mmap threshold, and serve blocks above that threshold by mmap, so the next step gets fresh pages and the
/// kernel zero-fills them again: measured ~5,000 page faults per step, 0.3-0.4 s of system time per 10,000-row epoch,
/// and a first epoch 30-40 % slower than with the settings below (tests/bench/ConvRnnBench.ps1). PyTorch users get the
/// same effect by preloading jemalloc or tcmalloc; a module cannot preload, but it can set glibc's own thresholds
/// once, as the MALLOC_*_ environment variables would: blocks up to 32 MiB (glibc's maximum) come from the heap, the
/// heap grows in 64 MiB steps, and up to 256 MiB of free memory stays with the process for the next step. The cost
/// is that memory a fit freed is returned to the system only above 256 MiB. Set KERASPS_HEAP_TUNING=0 before the
/// first tensor operation to keep glibc's defaults. Nothing is changed on other C libraries or operating systems.
/// </remarks>
internal static class HeapTuning
{
    // mallopt's parameter numbers, glibc's M_TRIM_THRESHOLD, M_TOP_PAD and M_MMAP_THRESHOLD (malloc.h).
    private const int OptTrimThreshold = -1, OptTopPad = -2, OptMmapThreshold = -3;
    public const int MmapThreshold = 32 << 20, TopPad = 64 << 20, TrimThreshold = 256 << 20;

    /// <summary>Whether the thresholds were set in this process.</summary>
    public static bool Applied { get; private set; }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MalloptFn(int param, int value);

    public static void Apply()
    {
        if (Applied || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("KERASPS_HEAP_TUNING") == "0") return;
        // glibc only: musl (Alpine) has no mallopt, and a settings call that fails must not stop the engine loading.
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            || !NativeLibrary.TryGetExport(libc, "mallopt", out var address)) return;
        var mallopt = Marshal.GetDelegateForFunctionPointer<MalloptFn>(address);
        // The mmap threshold first: setting either threshold switches off glibc's own dynamic adjustment of both.
        Applied = mallopt(OptMmapThreshold, MmapThreshold) == 1
            & mallopt(OptTopPad, TopPad) == 1
            & mallopt(OptTrimThreshold, TrimThreshold) == 1;
    }
}
