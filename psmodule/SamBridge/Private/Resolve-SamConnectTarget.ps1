function Resolve-SamConnectTarget {
    <#
    .SYNOPSIS
        The target a cmdlet is about to connect, with the module version to ask parameters for; $null (and an error written) when it cannot connect.
    .DESCRIPTION
        Checked before any token is exchanged: the target's module is installed (else the error
        names the module to install), and -AdditionalParameter sets none of the parameters
        sam-bridge supplies for the target. Connect-SamService and Invoke-SamCustomerJob both ask.
    .PARAMETER Target
        The target name.
    .PARAMETER ModuleVersion
        The version asked for, if any (default: the installed module's).
    .PARAMETER AdditionalParameter
        The caller's extra Connect-* parameters.
    .PARAMETER Cmdlet
        The calling cmdlet's $PSCmdlet, which reports the errors.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)][string] $Target,
        [string] $ModuleVersion,
        [hashtable] $AdditionalParameter = @{},
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet] $Cmdlet
    )
    $info = Get-SamTarget -Name $Target -Cmdlet $Cmdlet
    if ($null -eq $info) { return }
    $version = $ModuleVersion
    $installed = Get-SamModuleVersion -Name $info.module
    if (-not $installed) {
        $install = "Install-Module -Name $($info.module) -Scope CurrentUser"
        if ($ModuleVersion) { $install = "Install-Module -Name $($info.module) -RequiredVersion $ModuleVersion -Scope CurrentUser" }
        Write-SamError -Cmdlet $Cmdlet -ErrorRecord (New-SamErrorRecord -ErrorId 'SamBridge.ModuleNotInstalled' -Category NotInstalled `
                -Message "$($info.cmdlet) comes from the PowerShell module $($info.module), which is not installed." `
                -Remediation "Install it: $install" -TargetObject $info.module)
        return
    }
    if (-not $version) { $version = $installed.ToString() }
    $supplied = @($info.variants | ForEach-Object { $_.parameters })
    foreach ($key in @($AdditionalParameter.Keys)) {
        if ($supplied -contains $key) {
            Write-SamError -Cmdlet $Cmdlet -ErrorRecord (New-SamErrorRecord -ErrorId 'SamBridge.InvalidInput' -Category InvalidArgument `
                    -Message "-AdditionalParameter may not set -$($key): sam-bridge supplies it for $($info.cmdlet)." `
                    -Remediation "Remove '$key' from -AdditionalParameter." -TargetObject $key)
            return
        }
    }
    [pscustomobject]@{ Info = $info; Version = $version }
}
