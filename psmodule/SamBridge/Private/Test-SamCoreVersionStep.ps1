function Test-SamCoreVersionStep {
    <#
    Says, once per import, when the core this module was installed with has gone or is of another
    version than the module (pip upgraded one and not the other). The core's version is read from
    the name of pip's sam_bridge-VERSION.dist-info folder: no process is started at import.
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
    if ($record.PSObject.Properties['site'] -and $record.site -and (Test-Path -LiteralPath $record.site -PathType Container)) {
        # pip's record of the installed distribution (PEP 627): sam_bridge-VERSION.dist-info.
        $installed = @(Get-ChildItem -LiteralPath $record.site -Filter 'sam_bridge-*.dist-info' -Directory -ErrorAction SilentlyContinue)
        if ($installed.Count -eq 0) {
            return "SamBridge: sam-bridge is no longer installed for $($record.python); pip install it again, or run Install-SamBridgeCore."
        }
        $coreVersion = $installed[0].Name.Substring('sam_bridge-'.Length, $installed[0].Name.Length - 'sam_bridge-'.Length - '.dist-info'.Length)
    }
    if (-not $coreVersion) { $coreVersion = [string]$record.version }
    if ($coreVersion -and $coreVersion -ne $moduleVersion) {
        return "SamBridge: this module is $moduleVersion and its core ($($record.python)) is sam-bridge $coreVersion; run 'sam-bridge psmodule install' with that interpreter to bring them into step."
    }
    $null
}
