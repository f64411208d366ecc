using System.Management.Automation;
using KerasPS.Engine.Native;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Settings;

/// <summary>
/// <para type="synopsis">Shows the native runtime (libtorch and TorchSharp's bridge) KerasPS uses, or with -ListAvailable every runtime it
/// can find.</para>
/// <para type="description">KerasPS looks for its runtime in this order and uses the first one for this platform: the folder set in this
/// session (Install-KerasRuntime -Path), the folder named by $env:KERASPS_RUNTIME_PATH, the module's own bin/runtime folder, the current
/// user's folder (Install-KerasRuntime -Scope CurrentUser) and the machine's (-Scope AllUsers). Without -ListAvailable the runtime in use
/// is written, or nothing and a warning when none is installed. With -ListAvailable one object per runtime folder found in any of those
/// places, for any platform; InUse marks the one this session loads. Versions, source and install time come from the folder's runtime.json;
/// IsComplete says whether every file it lists is there with its recorded size.</para>
/// </summary>
/// <example><code>Get-KerasRuntime</code></example>
/// <example><code>Get-KerasRuntime -ListAvailable | Format-List</code></example>
[Cmdlet(VerbsCommon.Get, "KerasRuntime")]
[OutputType(typeof(RuntimeInfo))]
public sealed class GetKerasRuntimeCommand : KerasCmdlet
{
    /// <summary>List every runtime found in the search order, not only the one in use.</summary>
    [Parameter]
    public SwitchParameter ListAvailable { get; set; }

    protected override void Process()
    {
        if (ListAvailable)
        {
            foreach (var runtime in RuntimeInfo.FindAll()) WriteObject(runtime);
            return;
        }
        var inUse = RuntimeInfo.FindAll().FirstOrDefault(r => r.InUse);
        if (inUse is not null)
        {
            WriteObject(inUse);
            return;
        }
        var searched = string.Join(", ", RuntimeLocations.SearchRoots()
            .Select(r => $"{r.Origin} ({RuntimeLocations.FolderUnder(r.Root)})"));
        WriteWarning($"No libtorch {RuntimeLocations.LibTorchVersion} runtime for {RuntimeLocations.Rid} is installed; "
            + $"looked in {searched}. Run Install-KerasRuntime to install one.");
    }
}
