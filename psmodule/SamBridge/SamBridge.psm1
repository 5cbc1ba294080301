# SamBridge: PowerShell cmdlets over the sam-bridge Python core.
#
# The module only translates. Every decision (validation, exchanges, rotation, targets, errors and
# their remediation) is made by the core, reached through one private function,
# Invoke-SamBridgeCore, which picks the transport from the module's options: the core hosted in
# this process (pythonnet), or a child process per request.
# Windows PowerShell 5.1 and PowerShell 7: no syntax or cmdlet parameter newer than 5.1.
Set-StrictMode -Version 3.0

# Session options, changed only by Set-SamBridgeOption; $null means not set (then the environment
# variable, then the default applies). The transport reads Transport in one place
# (Get-SamBridgeTransport); the in-process engine reads PythonRuntimePath (Get-SamBridgeEngine).
$script:SamBridgeOptions = @{
    Transport         = $null
    PythonPath        = $null
    PythonRuntimePath = $null
    ConfigPath        = $null
}
# The targets registry, asked of the core once per session (Get-SamTarget).
$script:SamBridgeTargets = $null
# The running customer job's connection (Invoke-SamCustomerJob), renewed by Update-SamCustomerConnection.
$script:SamCustomerJob = $null

$samBridgePublic = @()
foreach ($samBridgeFolder in @('Private', 'Public')) {
    $samBridgePath = Join-Path -Path $PSScriptRoot -ChildPath $samBridgeFolder
    foreach ($samBridgeFile in @(Get-ChildItem -LiteralPath $samBridgePath -Filter '*.ps1' -File | Sort-Object -Property Name)) {
        # A file that does not parse must fail the import, not leave a module without its function.
        $samBridgeErrors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($samBridgeFile.FullName, [ref]$null, [ref]$samBridgeErrors)
        if ($samBridgeErrors) {
            throw "SamBridge: $($samBridgeFile.FullName) does not parse: $($samBridgeErrors[0].Message) (line $($samBridgeErrors[0].Extent.StartLineNumber))"
        }
        . $samBridgeFile.FullName
        if ($samBridgeFolder -eq 'Public') { $samBridgePublic += $samBridgeFile.BaseName }
    }
}

Register-SamArgumentCompleter

# A copy installed by `sam-bridge psmodule install` says at once when its core has gone or moved on.
$samBridgeStep = Test-SamCoreVersionStep -ModuleBase $PSScriptRoot
if ($samBridgeStep) { Write-Warning -Message $samBridgeStep }

# One exported function per file in Public/ (the manifest lists the same names; a test compares them).
Export-ModuleMember -Function $samBridgePublic
Remove-Variable -Name samBridgeStep, samBridgePublic, samBridgeFolder, samBridgePath, samBridgeFile, samBridgeErrors
