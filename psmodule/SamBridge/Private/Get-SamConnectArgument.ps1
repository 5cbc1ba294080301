function Get-SamConnectArgument {
    <#
    .SYNOPSIS
        The core arguments of a Connect-* request (connect.params, connect.snippet) from cmdlet parameters.
    .DESCRIPTION
        Without -ModuleVersion, the version of the target's module in use (loaded, else installed)
        is sent, so the parameters fit the cmdlet that will receive them; with no such module the
        core answers with its newest known shape.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true)][string] $Target,
        [string] $Profile,
        [string] $Tenant,
        [string] $ModuleVersion,
        [string[]] $With,
        [string] $Url,
        [switch] $DetectModuleVersion,
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $arguments = @{ target = $Target }
    if ($Profile) { $arguments['profile'] = $Profile }
    if ($Tenant) { $arguments['tenant'] = $Tenant }
    if ($With) { $arguments['include'] = [string[]]@($With) }
    if ($Url) { $arguments['url'] = $Url }
    if ($ModuleVersion) {
        $arguments['module_version'] = $ModuleVersion
    } elseif ($DetectModuleVersion) {
        # The registry asked of the core once per session (Get-SamTarget); looked up inline once known.
        $info = $null
        if ($null -eq $script:SamBridgeTargets) {
            $info = Get-SamTarget -Name $Target -Cmdlet $Cmdlet
        } else {
            foreach ($known in $script:SamBridgeTargets) {
                if ($known.name -eq $Target) { $info = $known; break }
            }
        }
        if ($info) {
            $version = Get-SamModuleVersion -Name $info.module
            if ($version) {
                $arguments['module_version'] = $version.ToString()
                Write-Verbose "sam-bridge: $($info.module) $version is in use; asking for its parameter shape"
            }
        }
    }
    $arguments
}
