using System.Globalization;
using System.Management.Automation;
using KerasPS.Engine.Native;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Settings;

/// <summary>
/// <para type="synopsis">Installs the native runtime KerasPS computes with (libtorch 2.10.0 and TorchSharp 0.107's native bridge) for this
/// platform, from nuget.org or a local folder of .nupkg files.</para>
/// <para type="description">Takes the NuGet packages TorchSharp itself uses, libtorch-cpu-RID 2.10.0 and torchsharp 0.107.0, from nuget.org
/// (the default), from another NuGet v3 flat-container URL, or from a folder given with -Source that holds the .nupkg files either side by
/// side or in NuGet's global-packages layout (such as ~/.nuget/packages), so machines without internet work. Each package's SHA-512 is
/// checked against the value pinned in KerasPS before anything is extracted. Only the libraries needed at run time are kept (no Python
/// bindings, test libraries, headers). On Linux the copy of the TorchSharp bridge is marked so that it also loads with the older libstdc++
/// of Debian 12 and Ubuntu 22.04. The files are written to a hidden folder next to the target and renamed into place with a runtime.json
/// listing each file's size and SHA-256, so an interrupted install never leaves a folder KerasPS would load; the hidden folder of an
/// install whose process was killed is removed by the next install.</para>
/// <para type="description">-Scope CurrentUser (the default) installs under the user's local application data
/// (~/.local/share/KerasPS/runtime on Linux), -Scope AllUsers under /usr/local/share/KerasPS/runtime or %ProgramData%\KerasPS\runtime
/// (needs an elevated session). -Path installs under a folder of your choice and makes this session use it at once; other processes find it
/// when $env:KERASPS_RUNTIME_PATH names that folder. When a complete runtime is already there, it is reported and returned unchanged;
/// -Force reinstalls it. The output is the runtime, as Get-KerasRuntime shows it.</para>
/// </summary>
/// <example><code>Install-KerasRuntime</code></example>
/// <example><code>Install-KerasRuntime -Source ~/.nuget/packages -WhatIf</code></example>
/// <example><code>Install-KerasRuntime -Source \\share\nupkgs -Path D:\keras-runtime
/// $env:KERASPS_RUNTIME_PATH = 'D:\keras-runtime'</code></example>
/// <example><code>Install-KerasRuntime -Rid win-x64 -Path ./runbook-runtime -Source ./packages</code></example>
[Cmdlet(VerbsLifecycle.Install, "KerasRuntime", SupportsShouldProcess = true, DefaultParameterSetName = ScopeSet)]
[OutputType(typeof(RuntimeInfo))]
public sealed class InstallKerasRuntimeCommand : KerasCmdlet
{
    private const string ScopeSet = "Scope";
    private const string PathSet = "Path";

    private CancellationTokenSource? stop;

    /// <summary>Where to take the packages from: a folder of .nupkg files (flat, or NuGet's global-packages layout such as
    /// ~/.nuget/packages), or a NuGet v3 flat-container URL. Default: https://api.nuget.org/v3-flatcontainer/.</summary>
    [Parameter(Position = 0)]
    public string? Source { get; set; }

    /// <summary>CurrentUser (default) installs for you only; AllUsers for every user of the machine (needs an elevated session).</summary>
    [Parameter(ParameterSetName = ScopeSet)]
    [ValidateSet("CurrentUser", "AllUsers")]
    public string Scope { get; set; } = "CurrentUser";

    /// <summary>A runtime root of your choice; this session uses it at once. Other processes use it when $env:KERASPS_RUNTIME_PATH names
    /// it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    public string Path { get; set; } = null!;

    /// <summary>The platform to install for: linux-x64, win-x64 or osx-arm64. Default: this machine's (to prepare a runtime for another
    /// machine, use with -Path).</summary>
    [Parameter]
    public string? Rid { get; set; }

    /// <summary>Reinstall even when a complete runtime is already there (the old one is replaced only once the new one is
    /// complete).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Process()
    {
        var root = ParameterSetName == PathSet ? ResolveOutputPath(Path)
            : Scope == "AllUsers" ? RuntimeLocations.AllUsersRoot : RuntimeLocations.CurrentUserRoot;
        string? source = Source is null ? null
            : Source.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                || Source.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? Source
            : ResolveFilePath(Source);
        var plan = RuntimeInstaller.Plan(root, Rid, source);

        if (plan.AlreadyInstalled && !Force)
        {
            WriteVerbose($"The libtorch {RuntimeLocations.LibTorchVersion} runtime for {plan.Rid} is already installed in '{plan.Folder}'; "
                + "use -Force to reinstall it.");
            UseSessionPath(plan, root);
            WriteObject(Describe(plan.Folder, root));
            return;
        }

        var what = string.Join(" and ",
            plan.Packages.Select(p => $"{(p.IsRemote ? "download" : "use")} {p.Location} ({Mb(p.Package.Size)} MB)"));
        var files = plan.Packages.SelectMany(p => p.Package.Files).ToList();
        var replacing = plan.Existing is null ? ""
            : plan.AlreadyInstalled ? ", replacing the runtime there" : ", replacing the incomplete runtime there";
        var action = $"Install libtorch {RuntimeLocations.LibTorchVersion} for {plan.Rid}: {what}, "
            + $"check their SHA-512 and extract {files.Count} files ({string.Join(", ", files)}){replacing}";
        if (!ShouldProcess(plan.Folder, action)) return;

        using var cts = new CancellationTokenSource();
        stop = cts;
        var progress = ProgressWanted() ? new ProgressWriter(this) : null;
        try
        {
            var (runtime, already) = RuntimeInstaller.Install(plan, Force, progress, cts.Token);
            WriteVerbose(already
                ? $"Another process installed the runtime in '{runtime.Folder}' meanwhile; using it."
                : $"Installed {runtime.Files.Count} files ({Mb(runtime.SizeBytes)} MB) into '{runtime.Folder}'.");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            stop = null;
            progress?.Complete();
        }
        UseSessionPath(plan, root);
        WriteObject(Describe(plan.Folder, root));
    }

    protected override void StopProcessing() => stop?.Cancel();

    private void UseSessionPath(RuntimeInstallPlan plan, string root)
    {
        if (ParameterSetName != PathSet || plan.Rid != RuntimeLocations.Rid) return;
        RuntimeLocations.SessionPath = root;
        WriteVerbose($"This session now uses the runtime under '{root}'; other processes need $env:{RuntimeLocations.EnvironmentVariable} "
            + $"= '{root}'.");
    }

    private static RuntimeInfo Describe(string folder, string root)
    {
        var listed = RuntimeInfo.FindAll().FirstOrDefault(r => RuntimeInfo.SameFolder(r.Path, folder));
        if (listed is not null) return listed;
        // A root outside the search order (a -Rid for another platform, say): describe it as such.
        var rid = System.IO.Path.GetFileName(folder);
        return new RuntimeInfo("Path", RuntimeInstaller.Inspect(folder, rid), inUse: false);
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Turns the engine's progress reports into Write-Progress records, at most one per percent per item.</summary>
    private sealed class ProgressWriter : IProgress<RuntimeInstallProgress>
    {
        private readonly Cmdlet cmdlet;
        private string? lastKey;
        private int lastPercent = -1;

        public ProgressWriter(Cmdlet cmdlet) => this.cmdlet = cmdlet;

        public void Report(RuntimeInstallProgress p)
        {
            int percent = p.Total > 0 ? (int)Math.Min(100, 100L * p.Done / p.Total) : 0;
            var key = p.Stage + p.Item;
            if (key == lastKey && percent == lastPercent) return;
            lastKey = key;
            lastPercent = percent;
            var activity = p.Stage switch
            {
                RuntimeInstallStage.Download => "Downloading libtorch",
                RuntimeInstallStage.Verify => "Checking package hashes",
                _ => "Extracting libtorch",
            };
            cmdlet.WriteProgress(new ProgressRecord(1, activity,
                $"{p.Item}: {Mb(p.Done)} of {Mb(p.Total)} MB") { PercentComplete = percent });
        }

        public void Complete()
        {
            if (lastKey is not null)
                cmdlet.WriteProgress(new ProgressRecord(1, "Installing libtorch", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
