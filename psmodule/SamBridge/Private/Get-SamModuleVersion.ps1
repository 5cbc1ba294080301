function Get-SamModuleVersion {
    <#
    .SYNOPSIS
        The version of a module as it would be used: the newest loaded, else the newest installed; $null if neither.
    .DESCRIPTION
        The Connect-* cmdlets' parameters changed between module versions, so the core is asked
        for the shape of the one in use. A version of 0.0 (a module without one) counts as unknown.

        The loaded modules are asked every time. The installed ones (Get-Module -ListAvailable, a
        scan of every module folder: milliseconds, where the rest of Get-SamConnectParameter takes
        about as long) are remembered for the session while nothing they depend on changes: the
        stamp is PSModulePath, and the last-write times of each of its folders, of the module's
        folder in each, of every entry in that folder (the version folders), and of the manifests
        in them. Installing, updating or removing the module changes one of those.
    #>
    [CmdletBinding()]
    [OutputType([version])]
    param([Parameter(Mandatory = $true)][string] $Name)
    # Sorted by hand, not with Sort-Object: a pipeline costs more than the rest of this function.
    $best = $null
    foreach ($module in @(Get-Module -Name $Name)) {
        if ($null -eq $best -or $module.Version -gt $best) { $best = $module.Version }
    }
    if ($null -eq $best) {
        # The stamp, inline (this runs for every Get-SamConnectParameter without -ModuleVersion).
        $stamp = [System.Text.StringBuilder]::new([string]$env:PSModulePath)
        foreach ($folder in ([string]$env:PSModulePath).Split([System.IO.Path]::PathSeparator)) {
            if (-not $folder -or -not [System.IO.Directory]::Exists($folder)) { continue }
            $null = $stamp.Append('|').Append([System.IO.Directory]::GetLastWriteTimeUtc($folder).Ticks)
            $moduleFolder = [System.IO.Path]::Combine($folder, $Name)
            if (-not [System.IO.Directory]::Exists($moduleFolder)) { continue }
            $null = $stamp.Append('|').Append([System.IO.Directory]::GetLastWriteTimeUtc($moduleFolder).Ticks)
            foreach ($entry in [System.IO.Directory]::GetFileSystemEntries($moduleFolder)) {
                $null = $stamp.Append('|').Append($entry).Append('=').Append([System.IO.File]::GetLastWriteTimeUtc($entry).Ticks)
                $manifest = [System.IO.Path]::Combine($entry, "$Name.psd1")
                if ([System.IO.File]::Exists($manifest)) {
                    $null = $stamp.Append('|').Append([System.IO.File]::GetLastWriteTimeUtc($manifest).Ticks)
                }
            }
        }
        $stamp = $stamp.ToString()
        $known = $script:SamBridgeInstalledModules[$Name]
        if ($null -ne $known -and $known.Stamp -eq $stamp) { return $known.Version }
        foreach ($module in @(Get-Module -ListAvailable -Name $Name -ErrorAction SilentlyContinue)) {
            if ($null -eq $best -or $module.Version -gt $best) { $best = $module.Version }
        }
        if ($null -ne $best -and $best -le [version]'0.0') { $best = $null }
        $script:SamBridgeInstalledModules[$Name] = @{ Stamp = $stamp; Version = $best }
        return $best
    }
    if ($best -le [version]'0.0') { return $null }
    $best
}

# Installed versions by module name: @{ Stamp; Version } (Get-SamModuleVersion).
$script:SamBridgeInstalledModules = @{}
