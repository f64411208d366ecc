using System.Management.Automation;
using KerasPS.Engine;

namespace KerasPS.Infrastructure;

/// <summary>
/// Base of every KerasPS cmdlet: runs the cmdlet's work and turns an engine <see cref="KerasException"/> into a
/// terminating error with the engine's stable id and category, so users see one sentence, not a stack.
/// </summary>
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
            ThrowTerminatingError(ToErrorRecord(e));
        }
    }

    internal static ErrorRecord ToErrorRecord(KerasException e) =>
        new(e, e.ErrorId, Enum.TryParse<ErrorCategory>(e.Kind.ToString(), out var c) ? c : ErrorCategory.NotSpecified, e.Target);

    /// <summary>A terminating error raised by the cmdlet itself (argument checks the engine cannot make).</summary>
    protected void Fail(string errorId, ErrorCategory category, string message, object? target = null) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, category, target));

    /// <summary>True when a parameter was given on the command line (for switches whose default is on).</summary>
    protected bool IsBound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    /// <summary>Resolves a PowerShell path (relative to the current location, PSDrives) to a file-system path.</summary>
    protected string ResolveFilePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// Whether to show Write-Progress: not when $ProgressPreference silences it, and not in hosts without a user
    /// (-NonInteractive, runbooks, remoting), where progress records only cost time and storage.
    /// </summary>
    protected bool ProgressWanted()
    {
        var pref = GetVariableValue("ProgressPreference");
        if (pref is ActionPreference ap && (ap == ActionPreference.SilentlyContinue || ap == ActionPreference.Ignore)) return false;
        if (pref is string s && (s.Equals("SilentlyContinue", StringComparison.OrdinalIgnoreCase) || s.Equals("Ignore", StringComparison.OrdinalIgnoreCase))) return false;
        if (Host.Name is "Default Host" or "ServerRemoteHost") return false;
        foreach (var arg in Environment.GetCommandLineArgs())
            if (arg.StartsWith("-noni", StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }
}
