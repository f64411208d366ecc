// A minimal PowerShell host for the Windows leg: runs one script file with its arguments in a default session and
// writes every stream as it comes (a host that prints only after Invoke returns loses everything if the process
// dies). Exit code: the script's $LASTEXITCODE when it set one, else 1 when it ended on an error, else 0. It ends
// with Environment.Exit, as pwsh does, unless PWSHHOST_RETURN=1 (then Main returns, and the process waits for its
// foreground threads: a sweep's pooled runspace threads kept it alive until KerasPS ran them on background threads).
using System.Management.Automation;
using System.Management.Automation.Runspaces;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: PwshHost <script.ps1> [arguments]");
    return 2;
}

var iss = InitialSessionState.CreateDefault2();
iss.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
using var ps = PowerShell.Create(runspace);

var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]?.ToString());
ps.Streams.Error.DataAdded += (_, e) => Console.Error.WriteLine(ps.Streams.Error[e.Index].ToString());
ps.Streams.Warning.DataAdded += (_, e) => Console.WriteLine("WARNING: " + ps.Streams.Warning[e.Index].Message);
ps.Streams.Verbose.DataAdded += (_, e) => Console.WriteLine("VERBOSE: " + ps.Streams.Verbose[e.Index].Message);
ps.Streams.Information.DataAdded += (_, e) =>
{
    var record = ps.Streams.Information[e.Index];
    if (record.MessageData is HostInformationMessage { NoNewLine: true } message)
    {
        Console.Write(message.Message);
    }
    else
    {
        Console.WriteLine(record.MessageData?.ToString());
    }
};

ps.AddCommand(Path.GetFullPath(args[0]));
foreach (var a in args.Skip(1))
{
    ps.AddArgument(a);
}

int code;
try
{
    ps.Invoke(null, output);
    code = runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int last ? last : ps.HadErrors ? 1 : 0;
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine(ex.ErrorRecord.ToString());
    code = 1;
}
Console.Out.Flush();
Console.Error.Flush();
// PWSHHOST_RETURN=1: return from Main instead, as many custom hosts and services do; the process then exits only when
// no foreground thread is left (tests/windows/Windows.Tests.ps1 checks that a sweep leaves none).
if (Environment.GetEnvironmentVariable("PWSHHOST_RETURN") != "1")
{
    Environment.Exit(code);
}
return code;
