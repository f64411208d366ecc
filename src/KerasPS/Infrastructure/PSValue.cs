using System.Management.Automation;

namespace KerasPS.Infrastructure;

/// <summary>Values as cmdlets receive them from PowerShell.</summary>
public static class PSValue
{
    /// <summary>The object inside a PSObject wrapper (a piped or splatted value), or the value itself.</summary>
    public static object? Unwrap(object? o) => o is PSObject p ? p.BaseObject : o;
}
