function Get-SamProfile {
    <#
    .SYNOPSIS
        Lists sam-bridge profiles: which application, which partner tenant, which authority and secret store each uses.
    .DESCRIPTION
        Reads the configuration file (SAM_BRIDGE_CONFIG, Set-SamBridgeOption -ConfigPath, or the
        platform's configuration directory). Values set by environment variables
        (SAM_BRIDGE_AUTHORITY_HOST, SAM_BRIDGE_CA_BUNDLE, SAM_BRIDGE_STORE) are shown as they apply.
        No secret is shown: the file records only where secrets are kept.
    .PARAMETER Name
        Profile names or wildcard patterns (any case). A name without wildcards that matches no
        profile is an error; default all profiles.
    .EXAMPLE
        Get-SamProfile

        Every profile; Default marks the one used when -Profile is not given.
    .EXAMPLE
        Get-SamProfile -Name contoso* | Get-SamRefreshTokenStatus
    .INPUTS
        System.String
    .OUTPUTS
        SamBridge.Profile: Name, Default, ConfigPath, ApplicationId, Tenant, Credential,
        AuthorityHost, CaBundle, Store, Scopes, Customers, RedirectPort (and Profile, the same as
        Name, for piping into the other cmdlets).
    .LINK
        Register-SamProfile
    .LINK
        Unregister-SamProfile
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.Profile')]
    param(
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [SupportsWildcards()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name
    )
    process {
        $arguments = @{}
        if ($Name) { $arguments['names'] = [string[]]@($Name) }
        Invoke-SamBridgeCore -Command 'profile.find' -Arguments $arguments -TargetObject $Name -Cmdlet $PSCmdlet |
            ConvertTo-SamObject -TypeName 'SamBridge.Profile'
    }
}
