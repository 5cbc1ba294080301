function Get-SamModuleVersion {
    <#
    .SYNOPSIS
        The version of a module as it would be used: the newest loaded, else the newest installed; $null if neither.
    .DESCRIPTION
        The Connect-* cmdlets' parameters changed between module versions, so the core is asked
        for the shape of the one in use. A version of 0.0 (a module without one) counts as unknown.
    #>
    [CmdletBinding()]
    [OutputType([version])]
    param([Parameter(Mandatory = $true)][string] $Name)
    $found = @(Get-Module -Name $Name | Sort-Object -Property Version -Descending)
    if ($found.Count -eq 0) {
        $found = @(Get-Module -ListAvailable -Name $Name -ErrorAction SilentlyContinue | Sort-Object -Property Version -Descending)
    }
    if ($found.Count -eq 0 -or $found[0].Version -le [version]'0.0') { return $null }
    $found[0].Version
}
