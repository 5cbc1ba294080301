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

# The folder of the module, for the functions that read its files (they are not loaded from their own
# files, so their $PSScriptRoot is empty).
$script:SamBridgeModuleRoot = $PSScriptRoot

# Every file of Private/ and Public/ (one function each) is read, and all of them become one script
# block, parsed and compiled once: a third of the time of dot-sourcing each file, which is most of
# what a cold runbook pays to import the module. .NET lists and sorts the files: the first use of
# Get-ChildItem and Sort-Object in a fresh process costs more than the rest of the import.
$samBridgePublic = [System.Collections.Generic.List[string]]::new()
$samBridgeFiles = [System.Collections.Generic.List[string]]::new()
foreach ($samBridgeFolder in @('Private', 'Public')) {
    $samBridgeFound = [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, $samBridgeFolder), '*.ps1')
    [System.Array]::Sort($samBridgeFound, [System.StringComparer]::Ordinal)
    $samBridgeFiles.AddRange($samBridgeFound)
    if ($samBridgeFolder -eq 'Public') {
        foreach ($samBridgeFile in $samBridgeFound) { $samBridgePublic.Add([System.IO.Path]::GetFileNameWithoutExtension($samBridgeFile)) }
    }
}
$samBridgeText = [System.Text.StringBuilder]::new()
foreach ($samBridgeFile in $samBridgeFiles) {
    # Each file on lines of its own: a file that ends without a newline must not join the next one.
    $null = $samBridgeText.AppendLine([System.IO.File]::ReadAllText($samBridgeFile)).AppendLine()
}
try {
    $samBridgeCode = [scriptblock]::Create($samBridgeText.ToString())
} catch {
    # A file that does not parse must fail the import, named, not leave a module without its function.
    foreach ($samBridgeFile in $samBridgeFiles) {
        $samBridgeErrors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($samBridgeFile, [ref]$null, [ref]$samBridgeErrors)
        if ($samBridgeErrors) {
            throw "SamBridge: $samBridgeFile does not parse: $($samBridgeErrors[0].Message) (line $($samBridgeErrors[0].Extent.StartLineNumber))"
        }
    }
    throw
}
. $samBridgeCode

Register-SamArgumentCompleter

# A copy installed by `sam-bridge psmodule install` says at once when its core has gone or moved on.
$samBridgeStep = Test-SamCoreVersionStep -ModuleBase $PSScriptRoot
if ($samBridgeStep) { Write-Warning -Message $samBridgeStep }

# One exported function per file in Public/ (the manifest lists the same names; a test compares them).
Export-ModuleMember -Function $samBridgePublic
Remove-Variable -Name samBridgeStep, samBridgePublic, samBridgeFolder, samBridgeFound, samBridgeFiles, samBridgeFile, samBridgeText, samBridgeCode -ErrorAction SilentlyContinue
