function Connect-SamService {
    <#
    .SYNOPSIS
        Connects a Connect-* cmdlet (Connect-AzAccount, Connect-MgGraph, Connect-ExchangeOnline...) with tokens from the profile's refresh token.
    .DESCRIPTION
        Checks that the target's module is installed, gets its parameters with
        Get-SamConnectParameter (in the shape of the installed version), and calls the real cmdlet
        module-qualified (for example Az.Accounts\Connect-AzAccount), so a function of the same
        name elsewhere can never receive the tokens. The cmdlet's output is passed through.

        When the module is missing, nothing is exchanged and the error names the module to
        install. -WhatIf shows the connection without exchanging tokens (so nothing rotates).
    .PARAMETER Target
        What to connect: AzAccount, AzureAD, MsolService, PartnerCenter, MgGraph, ExchangeOnline,
        IPPSSession, MicrosoftTeams or PnPOnline.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default
        profile, else the only one).
    .PARAMETER Tenant
        A customer tenant (id or domain) to connect to through GDAP; default the partner tenant.
        Takes piped strings, and the TenantId, CustomerId or Domain property of piped objects:
        each piped tenant is connected in turn (one connection at a time, so there is no
        -AllCustomers or -Concurrency: for a batch, use Get-SamConnectParameter -AllCustomers).
    .PARAMETER ModuleVersion
        The module version to produce parameters for (default: the version loaded, else the newest installed).
    .PARAMETER With
        Optional extra tokens: for AzAccount 'graph', 'msgraph' and 'keyvault'.
    .PARAMETER Url
        The SharePoint URL for PnPOnline, when it cannot be derived from the tenant's domain.
    .PARAMETER AdditionalParameter
        More parameters for the cmdlet, e.g. @{ ShowBanner = $false } for Connect-ExchangeOnline or
        @{ Subscription = 'Production' } for Connect-AzAccount. They may not repeat the parameters
        sam-bridge supplies.
    .EXAMPLE
        Connect-SamService -Target MgGraph -Tenant fabrikam.onmicrosoft.com
        Get-MgUser -Top 5
    .EXAMPLE
        Connect-SamService -Target ExchangeOnline -Tenant fabrikam.onmicrosoft.com -AdditionalParameter @{ ShowBanner = $false }
    .EXAMPLE
        Connect-SamService -Target AzAccount -With msgraph -WhatIf

        Shows what would be connected; no token is exchanged.
    .INPUTS
        Tenant ids or domains, or objects with a TenantId, CustomerId or Domain property.
    .OUTPUTS
        The output of the target's Connect-* cmdlet.
    .LINK
        Get-SamConnectParameter
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateSet('AzAccount', 'AzureAD', 'MsolService', 'PartnerCenter', 'MgGraph', 'ExchangeOnline', 'IPPSSession', 'MicrosoftTeams', 'PnPOnline')]
        [string] $Target,

        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('TenantId', 'CustomerId', 'Domain')]
        [ValidateNotNullOrEmpty()]
        [string] $Tenant,

        [ValidateNotNullOrEmpty()]
        [string] $ModuleVersion,

        [ValidateNotNullOrEmpty()]
        [string[]] $With,

        [ValidateNotNullOrEmpty()]
        [string] $Url,

        [ValidateNotNull()]
        [hashtable] $AdditionalParameter = @{}
    )
    process {
        # Refused before any token is exchanged: a module that is not installed, a parameter sam-bridge supplies.
        $resolved = Resolve-SamConnectTarget -Target $Target -ModuleVersion $ModuleVersion -AdditionalParameter $AdditionalParameter -Cmdlet $PSCmdlet
        if ($null -eq $resolved) { return }
        $info, $version = $resolved.Info, $resolved.Version
        $where = 'the partner tenant'
        if ($Tenant) { $where = "tenant '$Tenant'" }
        $who = 'the default profile'
        if ($Profile) { $who = "profile '$Profile'" }
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target "$where ($who)" -Action "Connect with $($info.qualified_cmdlet) ($($info.module) $version)")) { return }

        $arguments = Get-SamConnectArgument -Target $Target -Profile $Profile -Tenant $Tenant -ModuleVersion $version -With $With -Url $Url
        $targetObject = $Target
        if ($Tenant) { $targetObject = $Tenant }
        $result = Invoke-SamBridgeCore -Command 'connect.params' -Arguments $arguments -TargetObject $targetObject -Cmdlet $PSCmdlet
        if ($null -eq $result) { return }
        $splat = ConvertTo-SamConnectSplat -Result $result
        foreach ($key in @($AdditionalParameter.Keys)) { $splat[$key] = $AdditionalParameter[$key] }
        & $info.qualified_cmdlet @splat
    }
}
