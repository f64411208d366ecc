namespace KerasPS.Infrastructure;

/// <summary>Module-wide settings (Set-KerasOption).</summary>
public static class ModuleSettings
{
    /// <summary>libtorch intra-op threads for fits that do not say; null keeps libtorch's default (one per core).</summary>
    public static int? Threads { get; set; }
}
