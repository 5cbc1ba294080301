function Read-SamCoreRecord {
    # The install record beside the manifest (python, version, site), or $null.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory = $true)][string] $ModuleBase)
    $path = Join-Path -Path $ModuleBase -ChildPath 'SamBridge.Core.json'
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return $null }
    try {
        $record = [System.IO.File]::ReadAllText($path, [System.Text.Encoding]::UTF8) | ConvertFrom-Json
    } catch {
        Write-Warning "SamBridge: $path is not valid JSON ($($_.Exception.Message)); run 'sam-bridge psmodule install' again."
        return $null
    }
    if (-not $record.PSObject.Properties['python'] -or -not $record.python) { return $null }
    $record
}
