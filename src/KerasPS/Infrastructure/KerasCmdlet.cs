using System.Collections.ObjectModel;
using System.Management.Automation;
using KerasPS.Engine;

namespace KerasPS.Infrastructure;

/// <summary>
/// Base of every KerasPS cmdlet: runs the cmdlet's work and turns an engine <see cref="KerasException"/> into an
/// <see cref="ErrorRecord"/> with the engine's stable id, category and target, so users see one sentence, not a stack.
/// </summary>
/// <remarks>
/// The rule, as PowerShell's own cmdlets follow it (about_KerasPS, "ERRORS"): a failure that concerns one input (a file,
/// a name, one row, one trial) is written with <see cref="ForEachInput{T}"/> or <see cref="WriteInputError"/> and the
/// other inputs go on, so -ErrorAction decides; anything that escapes to <see cref="Guard"/> makes the whole command
/// meaningless (a bad argument, a shape mismatch, an uncompiled model) and is terminating.
/// </remarks>
public abstract class KerasCmdlet : PSCmdlet
{
    protected sealed override void BeginProcessing() => Guard(Begin);
    protected sealed override void ProcessRecord() => Guard(Process);
    protected sealed override void EndProcessing() => Guard(End);

    protected virtual void Begin() { }
    protected virtual void Process() { }
    protected virtual void End() { }

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (KerasException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, DefaultTarget));
        }
    }

    /// <summary>The object a terminating error is about when the engine names none (the model the cmdlet works on).</summary>
    protected virtual object? DefaultTarget => null;

    internal static ErrorRecord ToErrorRecord(KerasException e, object? target = null) =>
        new(e, e.ErrorId, Enum.TryParse<ErrorCategory>(e.Kind.ToString(), out var c) ? c : ErrorCategory.NotSpecified, e.Target ?? target);

    /// <summary>Reports a failure that concerns one input as a non-terminating error; <paramref name="input"/> is its
    /// TargetObject.</summary>
    protected void WriteInputError(KerasException e, object? input) =>
        WriteError(new ErrorRecord(e, e.ErrorId,
            Enum.TryParse<ErrorCategory>(e.Kind.ToString(), out var c) ? c : ErrorCategory.NotSpecified, input ?? e.Target));

    /// <summary>
    /// Runs <paramref name="action"/> for each input; an engine error about one input is written as a non-terminating
    /// error with that input as TargetObject, and the next input goes on.
    /// </summary>
    protected void ForEachInput<T>(IEnumerable<T> inputs, Action<T> action)
    {
        foreach (var input in inputs)
        {
            try { action(input); }
            catch (KerasException e) { WriteInputError(e, input); }
        }
    }

    /// <summary>A terminating error raised by the cmdlet itself (argument checks the engine cannot make).</summary>
    protected void Fail(string errorId, ErrorCategory category, string message, object? target = null) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, category, target ?? DefaultTarget));

    /// <summary>True when a parameter was given on the command line (for switches whose default is on).</summary>
    protected bool IsBound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    /// <summary>
    /// A config in Keras's key names from the parameters given on the command line (a switch as true or false); what is
    /// not given stays absent, so the engine class's own defaults apply.
    /// </summary>
    protected Dictionary<string, object?> BoundConfig(IEnumerable<(string Parameter, string Key)> keys)
    {
        var config = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (parameter, key) in keys)
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out var v)) config[key] = v is SwitchParameter s ? s.IsPresent : v;
        return config;
    }

    /// <summary>
    /// Resolves a PowerShell path (the current location, PSDrives, ~) to a file-system path, without wildcards; a path on
    /// another provider (Env:, HKLM:, Variable:) is refused with NotAFileSystemPath.
    /// </summary>
    protected string ResolveFilePath(string path)
    {
        string full;
        ProviderInfo provider;
        try { full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _); }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or
            NotSupportedException or ArgumentException)
        {
            throw new KerasException("InvalidPath", ErrorKind.InvalidArgument, $"'{path}' is not a path KerasPS can use: {e.Message}",
                e) { Target = path };
        }
        if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            throw new KerasException("NotAFileSystemPath", ErrorKind.InvalidArgument,
                $"'{path}' is on the {provider.Name} provider; KerasPS reads and writes files only. Give a file-system path (./model.kpt, "
                    + "~/runs/model.kpt, C:\\runs\\model.kpt).") { Target = path };
        return full;
    }

    /// <summary>
    /// <see cref="ResolveFilePath"/> for a file about to be written: on Windows, a device name (con.txt) or a name ending in a
    /// dot or space is refused with InvalidFileName, checked on the path as given (Windows would trim or divert it on
    /// resolution) and as resolved.
    /// </summary>
    protected string ResolveOutputPath(string path)
    {
        WindowsFileNames.CheckPath(path);
        var full = ResolveFilePath(path);
        WindowsFileNames.CheckPath(full);
        return full;
    }

    /// <summary>
    /// The input files one -Path (wildcards expand) or -LiteralPath value names, in order. A path that matches no file
    /// throws <paramref name="notFoundId"/> (ObjectNotFound), a folder PathIsFolder, and another provider NotAFileSystemPath, for the
    /// caller's
    /// <see cref="ForEachInput{T}"/> to report as a failure of that one input.
    /// </summary>
    protected IReadOnlyList<string> ResolveInputFiles(string path, bool literal, string notFoundId, string what)
    {
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
        {
            var full = ResolveFilePath(path);
            if (Directory.Exists(full))
                throw KerasException.BadArgument("PathIsFolder",
                    $"'{full}' is a folder, not a file. Give the path of a file in it (Get-ChildItem '{full}').", path);
            return File.Exists(full) ? new[] { full } : throw NotFound(notFoundId, what, path, full);
        }
        Collection<string> found;
        ProviderInfo provider;
        try { found = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider); }
        catch (ItemNotFoundException) { throw NotFound(notFoundId, what, path, path); }
        // throws NotAFileSystemPath
        if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider)) ResolveFilePath(path);
        var files = found.Where(File.Exists).ToList();
        return files.Count > 0 ? files : throw NotFound(notFoundId, what, path, path);
    }

    private static KerasException NotFound(string id, string what, string path, string full) =>
        new(id, ErrorKind.ObjectNotFound, $"{what} '{full}' does not exist. Check the path (Get-ChildItem).") { Target = path };

    /// <summary>
    /// Resolves the file a cmdlet is about to write and applies the module's one overwrite rule: an existing file is
    /// replaced only with -Force (-NoClobber says the default out loud and cannot be combined with -Force). The
    /// cmdlet checks the folder with its own error id. Returns null, after a non-terminating error, when the file exists and may not be
    /// replaced. On Windows a name Windows cannot hold (con.txt, model.kpt.) is refused with InvalidFileName.
    /// </summary>
    protected string? ResolveOutputFile(string path, bool force, bool noClobber, string existsId, string what)
    {
        if (force && noClobber)
            throw KerasException.BadArgument("ForceAndNoClobber",
                "-Force replaces an existing file and -NoClobber refuses to; give one of them.");
        var full = ResolveOutputPath(path);
        if (File.Exists(full) && !force)
        {
            WriteInputError(new KerasException(existsId, ErrorKind.ResourceExists,
                $"{what} '{full}' already exists. Give -Force to replace it, or choose another path.") { Target = full }, full);
            return null;
        }
        return full;
    }

    /// <summary>
    /// Whether to show Write-Progress: not when $ProgressPreference silences it, and not in hosts without a user
    /// (-NonInteractive, runbooks, remoting), where progress records only cost time and storage.
    /// </summary>
    protected bool ProgressWanted()
    {
        var pref = GetVariableValue("ProgressPreference");
        if (pref is ActionPreference ap && (ap == ActionPreference.SilentlyContinue || ap == ActionPreference.Ignore)) return false;
        if (pref is string s && (s.Equals("SilentlyContinue", StringComparison.OrdinalIgnoreCase)
            || s.Equals("Ignore", StringComparison.OrdinalIgnoreCase))) return false;
        if (Host.Name is "Default Host" or "ServerRemoteHost") return false;
        foreach (var arg in Environment.GetCommandLineArgs())
            if (arg.StartsWith("-noni", StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }
}
