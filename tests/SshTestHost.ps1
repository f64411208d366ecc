# A throw-away sshd on a loopback port with a PowerShell subsystem, for tests of remoting (Invoke-ModelSweep -Session).
# Dot-source, then: $h = Start-SshTestHost; New-PSSession @($h.SessionParameters); ...; Stop-SshTestHost $h
# Nothing here skips: if sshd cannot be installed or started, Start-SshTestHost throws and the tests that need it fail.

function Install-SshServer {
    if (Get-SshdPath) { return }
    if (-not (Get-Command apt-get -ErrorAction Ignore)) {
        throw 'sshd is not installed and apt-get is not available to install it. Install an OpenSSH server to run the remoting tests.'
    }
    Write-Host 'Installing openssh-server for the remoting tests (apt-get)...'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq 2>&1 | Out-Null
    $log = & apt-get install -y -qq openssh-server openssh-client 2>&1
    if ($LASTEXITCODE -ne 0 -or -not (Get-SshdPath)) {
        throw "Installing openssh-server failed (exit $LASTEXITCODE): $(($log | Select-Object -Last 5) -join ' ')"
    }
}

function Get-SshdPath {
    foreach ($p in '/usr/sbin/sshd', '/usr/local/sbin/sshd') { if (Test-Path $p) { return $p } }
    (Get-Command sshd -ErrorAction Ignore).Source
}

function Get-FreeLoopbackPort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start()
    try { return ([System.Net.IPEndPoint]$l.LocalEndpoint).Port } finally { $l.Stop() }
}

function Start-SshTestHost {
    <#
    .SYNOPSIS
        Starts sshd on 127.0.0.1 with its own config, throw-away host and user keys and a 'powershell' subsystem that runs
        this same pwsh; returns what New-PSSession needs. Throws (never skips) when sshd cannot start.
    #>
    [CmdletBinding()]
    param([int] $Port = (Get-FreeLoopbackPort))
    Install-SshServer
    $sshd = Get-SshdPath
    if (-not (Get-Command ssh -ErrorAction Ignore)) { throw 'The ssh client is missing (PowerShell remoting over SSH runs it). Install openssh-client.' }
    $dir = Join-Path ([IO.Path]::GetTempPath()) "kerasps-sshd-$PID-$Port"
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory -Path /run/sshd -Force | Out-Null }
    foreach ($k in 'host_key', 'user_key') {
        & ssh-keygen -q -t ed25519 -N '' -C "kerasps-test-$k" -f (Join-Path $dir $k) | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "ssh-keygen failed to make a $k." }
    }
    Copy-Item (Join-Path $dir 'user_key.pub') (Join-Path $dir 'authorized_keys')
    & chmod 600 (Join-Path $dir 'user_key') (Join-Path $dir 'host_key')

    # sshd starts the subsystem with a bare environment: a wrapper gives it the same pwsh (and dotnet) as this run.
    $pwsh = Get-PwshCommand
    $wrapper = Join-Path $dir 'pwsh-sshs.sh'
    $quoted = ($pwsh | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
    $lines = @('#!/bin/sh')
    if ($env:DOTNET_ROOT) { $lines += "export DOTNET_ROOT='$env:DOTNET_ROOT'" }
    $lines += "export HOME='$HOME'", "export PATH='$env:PATH'", "exec $quoted `"`$@`""
    Set-Content -Path $wrapper -Value ($lines -join "`n")
    & chmod 755 $wrapper

    $pidFile = Join-Path $dir 'sshd.pid'
    $config = Join-Path $dir 'sshd_config'
    @"
Port $Port
ListenAddress 127.0.0.1
HostKey $(Join-Path $dir 'host_key')
PidFile $pidFile
AuthorizedKeysFile $(Join-Path $dir 'authorized_keys')
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
Subsystem powershell $wrapper -sshs -NoLogo -NoProfile
"@ | Set-Content -Path $config
    $log = Join-Path $dir 'sshd.log'
    & $sshd -f $config -E $log
    if ($LASTEXITCODE -ne 0) { throw "sshd did not start (exit $LASTEXITCODE): $(Get-Content $log -Raw -ErrorAction Ignore)" }
    $deadline = [DateTime]::UtcNow.AddSeconds(15)
    $up = $false
    while (-not $up -and [DateTime]::UtcNow -lt $deadline) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port); $c.Dispose(); $up = $true } catch { Start-Sleep -Milliseconds 100 }
    }
    if (-not $up) { throw "sshd is not listening on 127.0.0.1:$Port after 15 s: $(Get-Content $log -Raw -ErrorAction Ignore)" }
    $user = [Environment]::UserName
    [pscustomobject]@{
        HostName          = '127.0.0.1'
        Port              = $Port
        UserName          = $user
        KeyFilePath       = Join-Path $dir 'user_key'
        Options           = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
        Directory         = $dir
        PidFile           = $pidFile
        Log               = $log
        SessionParameters = @{ HostName = '127.0.0.1'; Port = $Port; UserName = $user; KeyFilePath = (Join-Path $dir 'user_key'); Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' } }
    }
}

function Stop-SshTestHost {
    # Stops the sshd that Start-SshTestHost started (by the pid in its own PidFile) and removes its keys and config.
    param([Parameter(Mandatory)] $SshHost)
    if (Test-Path $SshHost.PidFile) {
        $id = [int](Get-Content $SshHost.PidFile -Raw).Trim()
        Stop-Process -Id $id -Force -ErrorAction Ignore
    }
    Remove-Item $SshHost.Directory -Recurse -Force -ErrorAction Ignore
}
