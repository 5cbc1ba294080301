function Test-SamCoreVersionStep {
    <#
    Says, once per import, when the core this module was installed with has gone or is of another
    version than the module (pip upgraded one and not the other). The core's version is read from
    its bridge/_version.py: no process is started at import.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string] $ModuleBase)
    $record = Read-SamCoreRecord -ModuleBase $ModuleBase
    if (-not $record) { return $null }
    # The manifest's ModuleVersion (the module object has no version yet while its .psm1 runs).
    $manifest = [System.IO.File]::ReadAllText((Join-Path -Path $ModuleBase -ChildPath 'SamBridge.psd1'))
    $moduleVersion = [regex]::Match($manifest, '(?m)^\s*ModuleVersion\s*=\s*[''"]([^''"]+)[''"]').Groups[1].Value
    if (-not (Test-Path -LiteralPath $record.python -PathType Leaf)) {
        return "SamBridge: the core this module was installed with ($($record.python)) is gone; run 'sam-bridge psmodule install' from the sam-bridge you use, or Install-SamBridgeCore."
    }
    $coreVersion = $null
    if ($record.PSObject.Properties['package'] -and $record.package) {
        $versionFile = Join-Path -Path $record.package -ChildPath '_version.py'
        if (Test-Path -LiteralPath $versionFile -PathType Leaf) {
            $match = [regex]::Match([System.IO.File]::ReadAllText($versionFile), '__version__\s*=\s*["'']([^"'']+)["'']')
            if ($match.Success) { $coreVersion = $match.Groups[1].Value }
        }
    }
    if (-not $coreVersion) { $coreVersion = [string]$record.version }
    if ($coreVersion -and $coreVersion -ne $moduleVersion) {
        return "SamBridge: this module is $moduleVersion and its core ($($record.python)) is sam-bridge $coreVersion; run 'sam-bridge psmodule install' with that interpreter to bring them into step."
    }
    $null
}
