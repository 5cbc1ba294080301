function Get-SamInstalledCore {
    <#
    .SYNOPSIS
        The Python interpreter of the core this copy of the module was installed with; $null if none.
    .DESCRIPTION
        In this order: the record `sam-bridge psmodule install` writes beside the manifest
        (SamBridge.Core.json: the interpreter it ran under); the interpreter of the Python
        installation whose wheel holds this copy (<prefix>/share/sam-bridge/psmodule/SamBridge);
        the private virtual environment of Install-SamBridgeCore. Read once per import (files
        only, no process is started). Returns Python, Source and Version ($null when unknown).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    if ($null -ne $script:SamBridgeInstalledCore) {
        if ($script:SamBridgeInstalledCore.Count -eq 0) { return $null }
        return $script:SamBridgeInstalledCore
    }
    $script:SamBridgeInstalledCore = @{}
    $moduleBase = $script:SamBridgeModuleRoot
    $record = Read-SamCoreRecord -ModuleBase $moduleBase
    if ($record -and (Test-Path -LiteralPath $record.python -PathType Leaf)) {
        $script:SamBridgeInstalledCore = @{ Python = $record.python; Source = "the install record $(Join-Path -Path $moduleBase -ChildPath 'SamBridge.Core.json')"; Version = $record.version }
        return $script:SamBridgeInstalledCore
    }
    # <prefix>/share/sam-bridge/psmodule/SamBridge: the wheel's data, beside its interpreter.
    $share = Split-Path -Path (Split-Path -Path $moduleBase -Parent) -Parent
    if ([System.IO.Path]::GetFileName($share) -eq 'sam-bridge' -and [System.IO.Path]::GetFileName((Split-Path -Path $share -Parent)) -eq 'share') {
        $prefix = Split-Path -Path (Split-Path -Path $share -Parent) -Parent
        foreach ($relative in @('bin/python3', 'bin/python', 'Scripts/python.exe', 'python.exe')) {
            $candidate = Join-Path -Path $prefix -ChildPath $relative
            if (Test-Path -LiteralPath $candidate -PathType Leaf) {
                $script:SamBridgeInstalledCore = @{ Python = $candidate; Source = "the Python installation of $moduleBase"; Version = $null }
                return $script:SamBridgeInstalledCore
            }
        }
    }
    $private = Get-SamCoreEnvironmentPython -Path (Get-SamCoreEnvironmentPath)
    if ($private) {
        $script:SamBridgeInstalledCore = @{ Python = $private; Source = 'Install-SamBridgeCore'; Version = $null }
        return $script:SamBridgeInstalledCore
    }
    $null
}

# Decided on first use (Get-SamInstalledCore); @{} means none.
$script:SamBridgeInstalledCore = $null
