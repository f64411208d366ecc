using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KerasPS.Engine.Native;

/// <summary>
/// A NuGet package the native runtime is taken from, with the SHA-512 it must have and the files kept from its
/// <c>runtimes/{rid}/native/</c> folder.
/// </summary>
public sealed record RuntimePackage(string Id, string Version, string Rid, string Sha512, long Size, IReadOnlyList<string> Files)
{
    /// <summary>The package's file name as NuGet stores it: lower-case id, version, .nupkg.</summary>
    public string FileName => $"{Id}.{Version}.nupkg";

    /// <summary>The folder inside the package that holds this platform's native files.</summary>
    public string EntryPrefix => $"runtimes/{Rid}/native/";
}

/// <summary>What an install is doing, for progress bars: fetching a package, checking its hash, extracting files.</summary>
public enum RuntimeInstallStage { Download, Verify, Extract }

/// <summary>One progress report: the stage, the package or file it concerns, and bytes done of the stage's total.</summary>
public readonly record struct RuntimeInstallProgress(RuntimeInstallStage Stage, string Item, long Done, long Total);

/// <summary>One file of an installed runtime, as listed in runtime.json.</summary>
public sealed record RuntimeFileEntry(string Name, long Size, string Sha256);

/// <summary>A package an installed runtime came from, as listed in runtime.json.</summary>
public sealed record RuntimePackageEntry(string Id, string Version, string Sha512);

/// <summary>The content of runtime.json: what was installed, from where and when.</summary>
public sealed record RuntimeManifest(
    string LibTorchVersion,
    string TorchSharpVersion,
    string Rid,
    string Source,
    DateTime InstalledAt,
    IReadOnlyList<RuntimePackageEntry> Packages,
    IReadOnlyList<RuntimeFileEntry> Files);

/// <summary>Where a package will come from: a file on disk or a URL.</summary>
public sealed record RuntimePackageLocation(RuntimePackage Package, string Location, bool IsRemote);

/// <summary>What an install would do: the packages, where they come from, the target folder and what is there now.</summary>
public sealed record RuntimeInstallPlan(
    string Root,
    string Rid,
    string Folder,
    string Source,
    IReadOnlyList<RuntimePackageLocation> Packages,
    RuntimeFolder? Existing)
{
    /// <summary>True when the target folder already holds a complete runtime (per its runtime.json).</summary>
    public bool AlreadyInstalled => Existing is { IsComplete: true };
}

/// <summary>A runtime folder as found on disk: its files, total size and manifest (null when it has none).</summary>
public sealed record RuntimeFolder(string Folder, string Rid, RuntimeManifest? Manifest, IReadOnlyList<string> Files, long SizeBytes,
    bool IsComplete);

/// <summary>A runtime folder found under one of <see cref="RuntimeLocations.SearchRoots"/>.</summary>
public sealed record FoundRuntime(string Origin, string Root, RuntimeFolder Runtime);

/// <summary>
/// Places libtorch and TorchSharp's native bridge for one platform under a runtime root
/// (<see cref="RuntimeLocations.FolderUnder"/>), from the NuGet packages TorchSharp itself uses: from nuget.org,
/// another v3 flat container, or a local folder of .nupkg files (flat or NuGet's global-packages layout).
/// Every package is checked against a SHA-512 pinned here before anything is extracted; only the libraries needed at
/// run time are kept; the result appears in its final folder in one rename, with a runtime.json that lists each
/// file's size and SHA-256. Runs on the caller's thread: progress is reported synchronously through
/// <see cref="IProgress{T}"/>, and the <see cref="CancellationToken"/> is checked between chunks.
/// </summary>
public static class RuntimeInstaller
{
    /// <summary>nuget.org's v3 flat container (PackageBaseAddress): {base}{id}/{version}/{id}.{version}.nupkg.</summary>
    public const string NuGetOrgFlatContainer = "https://api.nuget.org/v3-flatcontainer/";

    private const string TorchSharpSha512 =
        "7cf5d54c5e5b5065fb950a9269f70fd96f67dde86e14d282721ec96208469c40dd0f28ce331b6e934fc9256362c08f360b0e0b9b1dc737b302a121454597968a";

    // Kept files: the dependency closure of the bridge, nothing else. linux-x64 was checked with readelf -d:
    // libLibTorchSharp.so needs libtorch.so, libc10.so, libtorch_cpu.so; libtorch_cpu.so adds libgomp-98b21ff3.so.1.
    // Left out: libtorch_python (Python bindings), test and example backends (libjitbackend_test, libtorchbind_test,
    // libbackend_with_compiler, libaoti_custom_ops, libnnapi_backend), libshm (shared-memory tensors for Python
    // multiprocessing) and libtorch_global_deps (a Python-side preload helper).
    // win-x64 (objdump -p import tables): LibTorchSharp.dll imports c10.dll and torch_cpu.dll; torch_cpu.dll imports
    // libiomp5md.dll (Intel OpenMP); torch.dll is libtorch's tiny umbrella, kept as libtorch.so is. Left out:
    // libiompstubs5md.dll (a single-threaded stand-in for libiomp5md), uv.dll (libuv for torch.distributed, not
    // imported by torch_cpu.dll), torch_global_deps.dll. The MSVC runtime (MSVCP140) comes from Windows' VC++ redist.
    // osx-arm64 (llvm-objdump --macho --dylibs-used): the bridge needs @rpath libc10, libtorch, libtorch_cpu;
    // libtorch_cpu needs libomp.dylib (by its Homebrew install name, which a libomp loaded first satisfies).
    private static readonly Dictionary<string, (string Sha512, long Size, string[] LibTorch, string Bridge)> Platforms = new()
    {
        ["linux-x64"] = ("5e3b9a170aaabf0b2dc9e516cb3ff1b5f84e0deb266a0a0f28eed3d15466896f"
            + "abd29270b1707fbc7c9d03b8adf7181edfa3d25d6d6a2f2451cef33727c8bd50",
            128_200_806, new[] { "libtorch.so", "libtorch_cpu.so", "libc10.so", "libgomp-98b21ff3.so.1" }, "libLibTorchSharp.so"),
        ["win-x64"] = ("aafac47bc6fc53548f9eca92856809f6013f51fcc58aaf9044f25d01e831c2d1"
            + "0180bfe364f40fbca021a9892911ee646fa0170a2f38d0a0eabc368742e02a10",
            79_854_046, new[] { "torch.dll", "torch_cpu.dll", "c10.dll", "libiomp5md.dll" }, "LibTorchSharp.dll"),
        ["osx-arm64"] = ("9e36d6e0d6e39cedd462c672989039100f24bc5419bde5b6ad54b4ed08a760ec"
            + "7182cea1c9915323cdb3043b748b1d72451099faff9f9bea475c6dfb58a8f284",
            56_910_439, new[] { "libtorch.dylib", "libtorch_cpu.dylib", "libc10.dylib", "libomp.dylib" }, "libLibTorchSharp.dylib"),
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>TorchSharp's native bridge's file name for a runtime identifier.</summary>
    public static string BridgeFileNameFor(string rid) =>
        rid.StartsWith("win-", StringComparison.Ordinal) ? "LibTorchSharp.dll" :
        rid.StartsWith("osx-", StringComparison.Ordinal) ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";

    /// <summary>The two packages (libtorch-cpu-{rid}, torchsharp) for a runtime identifier, with pinned hashes and kept files.</summary>
    /// <exception cref="KerasException">UnsupportedRuntimePlatform.</exception>
    public static IReadOnlyList<RuntimePackage> PackagesFor(string rid)
    {
        if (!Platforms.TryGetValue(rid, out var p))
            throw new KerasException("UnsupportedRuntimePlatform", ErrorKind.InvalidArgument,
                $"KerasPS has no libtorch {RuntimeLocations.LibTorchVersion} runtime for platform '{rid}'. Use one of: "
                    + $"{string.Join(", ", RuntimeLocations.SupportedRids)} (for example on an x64 machine or an Apple-silicon Mac).")
            { Target = rid };
        return new[]
        {
            new RuntimePackage($"libtorch-cpu-{rid}", RuntimeLocations.LibTorchVersion, rid, p.Sha512, p.Size, p.LibTorch),
            new RuntimePackage("torchsharp", RuntimeLocations.TorchSharpVersion, rid, TorchSharpSha512, 3_345_464, new[] { p.Bridge }),
        };
    }

    /// <summary>
    /// Works out what an install would do, without changing anything: which packages, from where (a local source is
    /// searched now, so a missing package is reported before any download), into which folder, and what is there.
    /// </summary>
    /// <param name="root">The runtime root (absolute); the runtime goes to <see cref="RuntimeLocations.FolderUnder"/>.</param>
    /// <param name="rid">Platform to install for; null for this process's.</param>
    /// <param name="source">A folder (absolute) or an http(s) v3 flat-container URL; null for nuget.org.</param>
    public static RuntimeInstallPlan Plan(string root, string? rid, string? source)
    {
        rid ??= RuntimeLocations.Rid;
        var packages = PackagesFor(rid);
        var folder = RuntimeLocations.FolderUnder(root, rid);
        string sourceText;
        List<RuntimePackageLocation> locations;
        if (source is null || IsUrl(source))
        {
            var baseUrl = source ?? NuGetOrgFlatContainer;
            if (baseUrl.EndsWith("index.json", StringComparison.OrdinalIgnoreCase))
                throw KerasException.BadArgument("UnsupportedRuntimeSource",
                    $"-Source '{baseUrl}' is a NuGet service index; give its flat-container (PackageBaseAddress) URL instead, "
                        + $"for example {NuGetOrgFlatContainer}.", baseUrl);
            if (!baseUrl.EndsWith('/')) baseUrl += "/";
            sourceText = baseUrl;
            locations = packages.Select(p => new RuntimePackageLocation(p, $"{baseUrl}{p.Id}/{p.Version}/{p.FileName}", true)).ToList();
        }
        else
        {
            sourceText = source;
            locations = packages.Select(p => new RuntimePackageLocation(p, FindInFolder(source, p), false)).ToList();
        }
        return new RuntimeInstallPlan(root, rid, folder, sourceText, locations, Directory.Exists(folder) ? Inspect(folder, rid) : null);
    }

    /// <summary>
    /// Installs the runtime a <see cref="Plan"/> describes. An existing complete runtime is returned unchanged unless
    /// <paramref name="force"/>; an incomplete one (no runtime.json, or files missing) is replaced.
    /// </summary>
    /// <returns>The installed runtime folder, and whether it was already there.</returns>
    /// <exception cref="KerasException">RuntimePackageNotFound, RuntimePackageCorrupt, RuntimeInstallFailed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; nothing is left behind.</exception>
    public static (RuntimeFolder Runtime, bool AlreadyInstalled) Install(
        RuntimeInstallPlan plan, bool force, IProgress<RuntimeInstallProgress>? progress = null,
        CancellationToken cancellation = default, HttpClient? http = null)
    {
        if (plan.AlreadyInstalled && !force) return (plan.Existing!, true);
        WindowsFileNames.CheckPath(plan.Folder);
        var parent = Path.GetDirectoryName(plan.Folder)!;
        string? staging = null;
        try
        {
            Directory.CreateDirectory(parent);
            // A sibling of the final folder, on the same file system (so the last step is one rename), under a name
            // the loader never looks at: a process killed half-way leaves only this hidden folder behind, named after
            // its process, so that the next install can tell it from one that is being written now and remove it.
            RemoveStaleStaging(parent, plan.Rid);
            staging = Path.Combine(parent, $"{StagingPrefix(plan.Rid)}{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);

            var files = new List<(RuntimePackageLocation Location, string File)>();
            HttpClient? owned = null;
            try
            {
                foreach (var location in plan.Packages)
                {
                    cancellation.ThrowIfCancellationRequested();
                    if (location.IsRemote)
                    {
                        http ??= owned = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
                        var target = Path.Combine(staging, location.Package.FileName + ".download");
                        Download(http, location, target, progress, cancellation);
                        files.Add((location, target));
                    }
                    else
                    {
                        // Hashed while copied into the staging folder, and extracted from that copy: what was checked is
                        // what is installed, whatever happens to the source file meanwhile (renamed over, rewritten).
                        var target = Path.Combine(staging, location.Package.FileName + ".copy");
                        CopyVerified(location, target, progress, cancellation);
                        AfterVerifyHook?.Invoke(location.Location);
                        files.Add((location, target));
                    }
                }
            }
            finally { owned?.Dispose(); }

            var entries = Extract(files, staging, progress, cancellation);
            if (plan.Rid.StartsWith("linux-", StringComparison.Ordinal))
            {
                var bridge = Path.Combine(staging, BridgeFileNameFor(plan.Rid));
                if (ElfVersionPatch.MarkVersionNeedWeak(bridge, ElfVersionPatch.TorchSharpGlibcxxVersion))
                {
                    var i = entries.FindIndex(e => e.Name == BridgeFileNameFor(plan.Rid));
                    entries[i] = entries[i] with { Sha256 = Sha256Of(bridge) };
                }
            }
            foreach (var (_, file) in files) File.Delete(file);

            var manifest = new RuntimeManifest(RuntimeLocations.LibTorchVersion, RuntimeLocations.TorchSharpVersion, plan.Rid,
                plan.Source, DateTime.UtcNow,
                plan.Packages.Select(p => new RuntimePackageEntry(p.Package.Id, p.Package.Version, p.Package.Sha512)).ToList(),
                entries);
            using (var stream = new FileStream(Path.Combine(staging, RuntimeLocations.ManifestFileName), FileMode.CreateNew))
            {
                JsonSerializer.Serialize(stream, manifest, Json);
                stream.Flush(flushToDisk: true);
            }

            cancellation.ThrowIfCancellationRequested();
            if (!MoveIntoPlace(staging, plan.Folder, plan.Rid))
            {
                // Another process finished the same install first; its runtime is as good as ours.
                TryDelete(staging);
                return (Inspect(plan.Folder, plan.Rid), true);
            }
            staging = null;
            return (Inspect(plan.Folder, plan.Rid), false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            var fix = e is UnauthorizedAccessException
                ? "Run elevated for -Scope AllUsers, or install with -Scope CurrentUser or -Path <folder you can write>."
                : "Check the free disk space and that no other process holds files there, then run Install-KerasRuntime again.";
            throw new KerasException("RuntimeInstallFailed",
                e is UnauthorizedAccessException ? ErrorKind.SecurityError : ErrorKind.ResourceUnavailable,
                $"Installing the libtorch runtime into '{plan.Folder}' failed: {e.Message} {fix}", e) { Target = plan.Folder };
        }
        finally
        {
            if (staging is not null) TryDelete(staging);
        }
    }

    /// <summary>Reads a runtime folder: its runtime.json (if any), its files and size, and whether it is complete.</summary>
    public static RuntimeFolder Inspect(string folder, string rid)
    {
        RuntimeManifest? manifest = ReadManifest(folder);
        var files = Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateFiles().Where(f => f.Name != RuntimeLocations.ManifestFileName)
                .OrderBy(f => f.Name, StringComparer.Ordinal).ToList()
            : new List<FileInfo>();
        var complete = manifest is not null
            && manifest.Rid == rid
            && manifest.LibTorchVersion == RuntimeLocations.LibTorchVersion
            && manifest.TorchSharpVersion == RuntimeLocations.TorchSharpVersion
            && manifest.Files.Any(f => f.Name == BridgeFileNameFor(rid))
            && manifest.Files.All(f => files.Any(x => x.Name == f.Name && x.Length == f.Size));
        return new RuntimeFolder(folder, manifest?.Rid ?? rid, manifest, files.Select(f => f.Name).ToList(), files.Sum(f => f.Length),
            complete);
    }

    /// <summary>runtime.json of a runtime folder, or null when it is missing or unreadable.</summary>
    public static RuntimeManifest? ReadManifest(string folder)
    {
        var path = Path.Combine(folder, RuntimeLocations.ManifestFileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<RuntimeManifest>(stream, Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every runtime folder under the search roots (any platform), first origin only when two roots are the same
    /// folder. A folder counts when it holds its platform's bridge library or a runtime.json.
    /// </summary>
    public static IReadOnlyList<FoundRuntime> FindInstalled()
    {
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var found = new List<FoundRuntime>();
        foreach (var (origin, root) in RuntimeLocations.SearchRoots())
        {
            var versionFolder = Path.GetDirectoryName(RuntimeLocations.FolderUnder(root))!;
            if (!Directory.Exists(versionFolder)) continue;
            IEnumerable<string> rids;
            try { rids = Directory.GetDirectories(versionFolder).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.'))
                .Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var rid in rids)
            {
                var folder = Path.GetFullPath(RuntimeLocations.FolderUnder(root, rid));
                if (!seen.Add(folder)) continue;
                if (!File.Exists(Path.Combine(folder, BridgeFileNameFor(rid)))
                    && !File.Exists(Path.Combine(folder, RuntimeLocations.ManifestFileName))) continue;
                found.Add(new FoundRuntime(origin, root, Inspect(folder, rid)));
            }
        }
        return found;
    }

    private static bool IsUrl(string source) =>
        source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A package's file in a local source: flat (folder/id.version.nupkg) or global-packages
    /// (folder/id/version/id.version.nupkg).</summary>
    private static string FindInFolder(string folder, RuntimePackage package)
    {
        var flat = Path.Combine(folder, package.FileName);
        var nested = Path.Combine(folder, package.Id, package.Version, package.FileName);
        if (File.Exists(flat)) return flat;
        if (File.Exists(nested)) return nested;
        // nuget.exe and hand-made folders keep the id's own casing (TorchSharp.0.107.0.nupkg); case-sensitive file systems need a search.
        if (Directory.Exists(folder))
        {
            var match = Directory.EnumerateFiles(folder, "*.nupkg")
                .FirstOrDefault(f => string.Equals(Path.GetFileName(f), package.FileName, StringComparison.OrdinalIgnoreCase));
            if (match is not null) return match;
        }
        throw new KerasException("RuntimePackageNotFound", ErrorKind.ObjectNotFound,
            $"The package {package.Id} {package.Version} is not in '{folder}': looked for '{flat}' and '{nested}'. "
                + $"Copy {package.FileName} there (from a machine's ~/.nuget/packages or nuget.org), "
                + "or run Install-KerasRuntime without -Source to download it.")
        { Target = folder };
    }

    /// <summary>Test seam: called with a local package's path after it was hashed and before anything is extracted.</summary>
    internal static Action<string>? AfterVerifyHook { get; set; }

    /// <summary>
    /// Copies a local package into the staging folder, hashing exactly the bytes written. Before anything is read, the
    /// file (a symbolic link's final target) must be a file of the package's published size: a FIFO or a device
    /// (size 0, reads that block or never end) and a file larger than the package are refused at once, not hashed.
    /// </summary>
    private static void CopyVerified(RuntimePackageLocation location, string target, IProgress<RuntimeInstallProgress>? progress,
        CancellationToken cancellation)
    {
        var package = location.Package;
        FileSystemInfo info = new FileInfo(location.Location);
        try { info = File.ResolveLinkTarget(location.Location, returnFinalTarget: true) ?? info; }
        catch (IOException) { }   // a link loop or a dangling link: the size check below refuses it
        info.Refresh();
        long size = info is FileInfo { Exists: true } file ? file.Length : -1;
        if (size != package.Size) throw NotThePackage(location, size);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        using (var input = new FileStream(location.Location, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            // Checked again on the opened handle: the name may have been pointed elsewhere since.
            if (input.Length != package.Size) throw NotThePackage(location, input.Length);
            var buffer = new byte[1 << 20];
            long done = 0;
            int n;
            while ((n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, package.Size + 1 - done))) > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                done += n;
                if (done > package.Size) throw NotThePackage(location, done);
                sha.AppendData(buffer, 0, n);
                output.Write(buffer, 0, n);
                progress?.Report(new RuntimeInstallProgress(RuntimeInstallStage.Verify, package.FileName, done, package.Size));
            }
            output.Flush(flushToDisk: true);
        }
        CheckHash(location, sha.GetHashAndReset());
    }

    private static KerasException NotThePackage(RuntimePackageLocation location, long size) =>
        new("RuntimePackageCorrupt", ErrorKind.InvalidData,
            $"'{location.Location}' is not the published {location.Package.Id} {location.Package.Version}: "
                + (size < 0 ? "it is not a regular file" : $"it has {size} bytes")
                + $" where the package is a regular file of {location.Package.Size} bytes. "
                + "Replace it with the package itself (or run without -Source to download it from nuget.org); nothing was installed.")
        { Target = location.Location };

    private static void Download(HttpClient http, RuntimePackageLocation location, string target,
        IProgress<RuntimeInstallProgress>? progress, CancellationToken cancellation)
    {
        HttpResponseMessage response;
        try
        {
            response = http.Send(new HttpRequestMessage(HttpMethod.Get, location.Location), HttpCompletionOption.ResponseHeadersRead,
                cancellation);
        }
        catch (HttpRequestException e)
        {
            throw NetworkFailure(location, e.Message, e);
        }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw NetworkFailure(location, "the request timed out.", e);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new KerasException("RuntimePackageNotFound", ErrorKind.ObjectNotFound,
                    $"The package {location.Package.Id} {location.Package.Version} is not on the feed: '{location.Location}' answered 404. "
                        + "Give a feed or folder that has it with -Source.")
                { Target = location.Location };
            if (!response.IsSuccessStatusCode)
                throw NetworkFailure(location, $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}.", null);
            long total = response.Content.Headers.ContentLength ?? location.Package.Size;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            try
            {
                using var body = response.Content.ReadAsStream(cancellation);
                using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                var buffer = new byte[1 << 16];
                long done = 0;
                int n;
                while ((n = body.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                    // A feed that sends more than the pinned size is not sending this package; stop before filling the disk.
                    if (done + n > location.Package.Size) break;
                    sha.AppendData(buffer, 0, n);
                    file.Write(buffer, 0, n);
                    done += n;
                    progress?.Report(new RuntimeInstallProgress(RuntimeInstallStage.Download, location.Package.FileName, done, total));
                }
            }
            catch (Exception e) when (e is HttpRequestException
                || (e is IOException && e.InnerException is System.Net.Sockets.SocketException))
            {
                throw NetworkFailure(location, e.Message, e);
            }
            CheckHash(location, sha.GetHashAndReset());
        }
    }

    private static KerasException NetworkFailure(RuntimePackageLocation location, string reason, Exception? inner) =>
        new("RuntimeInstallFailed", ErrorKind.ResourceUnavailable,
            $"Downloading '{location.Location}' failed: {reason} Check the network or proxy, "
                + "or copy the .nupkg files to a folder and use -Source <folder>.", inner)
        { Target = location.Location };

    private static void CheckHash(RuntimePackageLocation location, byte[] hash)
    {
        var actual = Convert.ToHexString(hash).ToLowerInvariant();
        if (actual != location.Package.Sha512)
            throw new KerasException("RuntimePackageCorrupt", ErrorKind.InvalidData,
                $"The package '{location.Location}' is not the published {location.Package.Id} {location.Package.Version}: "
                    + $"its SHA-512 is {actual[..16]}…, expected {location.Package.Sha512[..16]}…. "
                    + "Delete it and fetch it again (or run without -Source to download it from nuget.org); nothing was installed.")
            { Target = location.Location };
    }

    private static List<RuntimeFileEntry> Extract(List<(RuntimePackageLocation Location, string File)> packages, string staging,
        IProgress<RuntimeInstallProgress>? progress, CancellationToken cancellation)
    {
        var archives = packages.Select(p => (p.Location, Zip: ZipFile.OpenRead(p.File))).ToList();
        try
        {
            var work = new List<(RuntimePackageLocation Location, ZipArchiveEntry Entry, string Name)>();
            foreach (var (location, zip) in archives)
                foreach (var name in location.Package.Files)
                {
                    var entry = zip.GetEntry(location.Package.EntryPrefix + name)
                        ?? throw new KerasException("RuntimePackageCorrupt", ErrorKind.InvalidData,
                            $"The package '{location.Location}' lacks {location.Package.EntryPrefix}{name}. Fetch the package again; "
                                + "nothing was installed.")
                        { Target = location.Location };
                    work.Add((location, entry, name));
                }
            long total = work.Sum(w => w.Entry.Length), done = 0;
            var buffer = new byte[1 << 20];
            var entries = new List<RuntimeFileEntry>();
            foreach (var (_, entry, name) in work)
            {
                var path = Path.Combine(staging, name);
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using (var input = entry.Open())
                using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    int n;
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        sha.AppendData(buffer, 0, n);
                        output.Write(buffer, 0, n);
                        done += n;
                        progress?.Report(new RuntimeInstallProgress(RuntimeInstallStage.Extract, name, done, total));
                    }
                    output.Flush(flushToDisk: true);
                }
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                entries.Add(new RuntimeFileEntry(name, new FileInfo(path).Length,
                    Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant()));
            }
            return entries;
        }
        finally
        {
            foreach (var (_, zip) in archives) zip.Dispose();
        }
    }

    /// <summary>
    /// Renames the finished staging folder to the runtime folder. An existing folder there (a -Force reinstall, or an
    /// incomplete one) is first renamed aside and removed afterwards. Returns false when another process put a complete
    /// runtime there meanwhile. Each move waits out a scanner that holds a new library open (<see cref="FileReplace"/>).
    /// </summary>
    private static bool MoveIntoPlace(string staging, string folder, string rid)
    {
        var parent = Path.GetDirectoryName(folder)!;
        if (Directory.Exists(folder))
        {
            // Named after this process, like a staging folder, so that a later install can remove it if we are killed.
            var old = Path.Combine(parent, $"{OldPrefix(rid)}{Environment.ProcessId}-{Guid.NewGuid():N}");
            FileReplace.MoveDirectory(folder, old);
            try
            {
                FileReplace.MoveDirectory(staging, folder);
            }
            catch
            {
                try { FileReplace.MoveDirectory(old, folder); } catch (IOException) { }
                throw;
            }
            TryDelete(old);
            return true;
        }
        try
        {
            FileReplace.MoveDirectory(staging, folder);
            return true;
        }
        catch (IOException) when (Directory.Exists(folder) && Inspect(folder, rid).IsComplete)
        {
            return false;
        }
    }

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file)).ToLowerInvariant();
    }

    private static string StagingPrefix(string rid) => $".{rid}.partial-";

    private static string OldPrefix(string rid) => $".{rid}.old-";

    /// <summary>
    /// Deletes the staging folders of installs whose process was killed (its id no longer runs), and the runtimes a
    /// killed -Force reinstall had renamed aside (.old-); a folder of a live install, in this process or another,
    /// stays. Folders named before the process id was part of the name are deleted once untouched for an hour. Each
    /// can hold ~450 MB of libraries.
    /// </summary>
    internal static void RemoveStaleStaging(string parent, string rid)
    {
        foreach (var prefix in new[] { StagingPrefix(rid), OldPrefix(rid) })
            RemoveStale(parent, prefix);
    }

    private static void RemoveStale(string parent, string prefix)
    {
        List<string> candidates;
        try { candidates = Directory.EnumerateDirectories(parent, prefix + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var folder in candidates)
        {
            var rest = Path.GetFileName(folder)[prefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int pid))
            {
                if (pid == Environment.ProcessId || AtomicFile.IsRunning(pid)) continue;
            }
            else if (Directory.GetLastWriteTimeUtc(folder) > DateTime.UtcNow.AddHours(-1)) continue;
            TryDelete(folder);
        }
    }

    private static void TryDelete(string folder)
    {
        // Best effort: on Windows a library still loaded by this process cannot be deleted; the hidden folder is
        // harmless (the loader never looks at dot-folders) and a later install removes nothing it needs.
        try { if (Directory.Exists(folder)) FileReplace.Delete(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
