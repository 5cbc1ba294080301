function Read-SamCoreRecord {
    # The install record beside the manifest (python, version, site), or $null.
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory = $true)][string] $ModuleBase)
    # .NET, not Join-Path and Test-Path: this runs at every import, where the first use of a
    # provider cmdlet in a fresh process costs more than the check (a cold runbook pays it).
    $path = [System.IO.Path]::Combine($ModuleBase, 'SamBridge.Core.json')
    if (-not [System.IO.File]::Exists($path)) { return $null }
    try {
        $record = [System.IO.File]::ReadAllText($path, [System.Text.Encoding]::UTF8) | ConvertFrom-Json
    } catch {
        Write-Warning "SamBridge: $path is not valid JSON ($($_.Exception.Message)); run 'sam-bridge psmodule install' again."
        return $null
    }
    if (-not $record.PSObject.Properties['python'] -or -not $record.python) { return $null }
    $record
}
