<#
.SYNOPSIS
    Writes module/bin/en-US/KerasPS.dll-Help.xml (MAML) from the cmdlets' metadata and their /// doc comments,
    so that Get-Help shows synopsis, description, parameters and examples for every cmdlet.
.DESCRIPTION
    Run by the build in a fresh pwsh (it imports the built module). platyPS is not available from NuGet;
    this is the small part of it that a binary module needs. Doc comment conventions, per cmdlet class:
      <summary><para type="synopsis">…</para><para type="description">…</para></summary>
      <example><code>…</code></example>            (two or more; text after </code> is the remark)
    and a <summary> on every parameter property.
#>
param([Parameter(Mandatory)] [string] $Root)
$ErrorActionPreference = 'Stop'
$bin = Join-Path $Root 'module/bin'
Import-Module (Join-Path $Root 'KerasPS.psd1') -Force
[xml] $docs = Get-Content (Join-Path $bin 'KerasPS.xml') -Raw
$members = @{}
foreach ($m in $docs.doc.members.member) { $members[$m.name] = $m }

function Get-Text($node) {
    if ($null -eq $node) { return '' }
    $text = if ($node -is [string]) { $node } else { $node.InnerText }   # the XML adapter gives simple elements as strings
    ($text -replace '\s+', ' ').Trim()
}

function Get-Doc([type] $Type, [string] $Prefix, [string] $Name) {
    for ($t = $Type; $null -ne $t; $t = $t.BaseType) {
        $key = if ($Name) { "${Prefix}:$($t.FullName).$Name" } else { "${Prefix}:$($t.FullName)" }
        if ($members.ContainsKey($key)) { return $members[$key] }
    }
    $null
}

# The names a parameter's fixed-list completer offers (optimizers, losses, activations, ...: the engine's registries), so
# that the help lists exactly what the module accepts and a class added to a registry needs no edit of help text.
function Get-CompletedName($Command, $Parameter) {
    $completer = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] -and $_.Type } |
        Select-Object -First 1
    if (-not $completer -or -not [KerasPS.Infrastructure.NameCompleter].IsAssignableFrom($completer.Type)) { return }
    [Activator]::CreateInstance($completer.Type).CompleteArgument($Command.Name, $Parameter.Name, '', $null, $null).CompletionText
}

# A parameter's type as a user writes it at the prompt: [int], [timespan], [hashtable], [string[]], never Nullable`1 or
# Int32. PowerShell's own type accelerators give the short names; a nullable value type is shown as its value type.
$accelerators = @{}
foreach ($a in ([psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')::Get).GetEnumerator()) {
    $known = $accelerators[$a.Value]
    if (-not $known -or $a.Key.Length -lt $known.Length) { $accelerators[$a.Value] = $a.Key }
}
function Get-TypeText([type] $Type) {
    if ($Type.IsArray) { return (Get-TypeText $Type.GetElementType()) + '[]' }
    $inner = [Nullable]::GetUnderlyingType($Type)
    if ($inner) { return Get-TypeText $inner }
    if ($accelerators.ContainsKey($Type)) { return $accelerators[$Type].ToLowerInvariant() }
    if ($Type -eq [object]) { return 'object' }
    $Type.Name
}

# A parameter's default value: the value of its property on a new instance of the cmdlet (the property's initializer),
# as text; nothing for null, an empty array or an object that is not a plain value.
function Get-DefaultText([object] $Instance, [string] $Name) {
    if ($null -eq $Instance) { return $null }
    $property = $Instance.GetType().GetProperty($Name)
    if (-not $property) { return $null }
    $value = try { $property.GetValue($Instance) } catch { $null }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return $(if ($value.IsPresent) { 'True' } else { 'False' }) }
    if ($value -is [array]) {
        if ($value.Count -eq 0 -or -not ($value | Where-Object { $_ -is [string] -or $_ -is [ValueType] })) { return $null }
        return ($value | ForEach-Object { [System.Convert]::ToString($_, [cultureinfo]::InvariantCulture) }) -join ', '
    }
    if ($value -is [string]) { return $(if ($value) { $value } else { $null }) }
    if ($value -is [ValueType]) { return [System.Convert]::ToString($value, [cultureinfo]::InvariantCulture) }
    $null
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$dir = Join-Path $bin 'en-US'
New-Item -ItemType Directory -Force -Path $dir | Out-Null
$path = Join-Path $dir 'KerasPS.dll-Help.xml'
$w = [System.Xml.XmlWriter]::Create($path, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$w.WriteStartDocument()
$w.WriteStartElement('helpItems'); $w.WriteAttributeString('schema', 'maml')
$w.WriteAttributeString('xmlns', 'maml', $null, $maml)
$w.WriteAttributeString('xmlns', 'command', $null, $command)
$w.WriteAttributeString('xmlns', 'dev', $null, $dev)

function Write-Para([string] $Text) {
    $w.WriteStartElement('maml', 'description', $maml)
    $w.WriteElementString('para', $maml, $Text)
    $w.WriteEndElement()
}

$common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name +
    [System.Management.Automation.Internal.ShouldProcessParameters].GetProperties().Name
$missing = [System.Collections.Generic.List[string]]::new()
foreach ($cmd in Get-Command -Module KerasPS -CommandType Cmdlet | Sort-Object Name) {
    $type = $cmd.ImplementingType
    $instance = try { [Activator]::CreateInstance($type) } catch { $null }
    $doc = Get-Doc $type 'T'
    $synopsis = Get-Text ($doc.summary.para | Where-Object type -eq 'synopsis')
    $description = Get-Text ($doc.summary.para | Where-Object type -eq 'description')
    if (-not $synopsis) { $synopsis = Get-Text $doc.summary }
    $examples = @($doc.example)
    if (-not $synopsis) { $missing.Add("$($cmd.Name): no synopsis") }
    if (@($examples | Where-Object { $_ }).Count -lt 2) { $missing.Add("$($cmd.Name): fewer than two examples") }

    $w.WriteStartElement('command', 'command', $command)
    $w.WriteStartElement('command', 'details', $command)
    $w.WriteElementString('name', $command, $cmd.Name)
    Write-Para $synopsis
    $w.WriteElementString('verb', $command, $cmd.Verb)
    $w.WriteElementString('noun', $command, $cmd.Noun)
    $w.WriteEndElement()
    Write-Para ($(if ($description) { $description } else { $synopsis }))

    $params = $cmd.Parameters.Values | Where-Object { $common -notcontains $_.Name }
    $w.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $command)
        $w.WriteElementString('name', $maml, $cmd.Name)
        foreach ($p in $set.Parameters | Where-Object { $common -notcontains $_.Name }) {
            $w.WriteStartElement('command', 'parameter', $command)
            $w.WriteAttributeString('required', $p.IsMandatory.ToString().ToLowerInvariant())
            $w.WriteAttributeString('position', $(if ($p.Position -ge 0) { "$($p.Position + 1)" } else { 'named' }))
            $w.WriteElementString('name', $maml, $p.Name)
            if ($p.ParameterType -ne [switch]) { $w.WriteElementString('parameterValue', $command, (Get-TypeText $p.ParameterType)) }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $command)
    foreach ($p in $params) {
        $attr = $p.ParameterSets.Values | Select-Object -First 1
        $pdoc = Get-Text (Get-Doc $type 'P' $p.Name).summary
        if (-not $pdoc) { $missing.Add("$($cmd.Name) -$($p.Name): no description") }
        $names = Get-CompletedName -Command $cmd -Parameter $p
        if ($names) { $pdoc = "$pdoc Names: $($names -join ', ')." }
        $w.WriteStartElement('command', 'parameter', $command)
        $w.WriteAttributeString('required', ($p.ParameterSets.Values.IsMandatory -contains $true).ToString().ToLowerInvariant())
        $w.WriteAttributeString('pipelineInput', $(if ($attr.ValueFromPipeline) { 'true (ByValue)' } elseif ($attr.ValueFromPipelineByPropertyName) { 'true (ByPropertyName)' } else { 'false' }))
        $w.WriteAttributeString('position', $(if ($attr.Position -ge 0) { "$($attr.Position + 1)" } else { 'named' }))
        $w.WriteElementString('name', $maml, $p.Name)
        Write-Para $pdoc
        $w.WriteStartElement('command', 'parameterValue', $command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteString((Get-TypeText $p.ParameterType))
        $w.WriteEndElement()
        $w.WriteStartElement('dev', 'type', $dev)
        $w.WriteElementString('name', $maml, (Get-TypeText $p.ParameterType))
        $w.WriteEndElement()
        $default = Get-DefaultText -Instance $instance -Name $p.Name
        if ($null -ne $default) { $w.WriteElementString('defaultValue', $dev, $default) }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $command)
    foreach ($o in $cmd.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $command)
        $w.WriteStartElement('dev', 'type', $dev)
        $w.WriteElementString('name', $maml, $o.Name)
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $command)
    $i = 0
    foreach ($ex in $examples | Where-Object { $_ }) {
        $i++
        $code = ($ex.code.Trim() -split "`r?`n" | ForEach-Object { $_.Trim() }) -join "`n"
        $remark = (($ex.ChildNodes | Where-Object { $_.NodeType -eq 'Text' }).Value -join ' ').Trim()
        $w.WriteStartElement('command', 'example', $command)
        $w.WriteElementString('title', $maml, "-------------------------- Example $i --------------------------")
        $w.WriteElementString('code', $dev, $code)
        $w.WriteStartElement('dev', 'remarks', $dev)
        $w.WriteElementString('para', $maml, $remark)
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()
if ($missing.Count) { Write-Warning ("Help is incomplete: " + ($missing -join '; ')) }
