function Get-SamConnectParameter {
    <#
    .SYNOPSIS
        Returns a hashtable to splat into a Connect-* cmdlet: the tokens it needs, exchanged from the profile's refresh token, and the parameters that go with them.
    .DESCRIPTION
        For one of nine targets (AzAccount, AzureAD, MsolService, PartnerCenter, MgGraph,
        ExchangeOnline, IPPSSession, MicrosoftTeams, PnPOnline), the sam-bridge core exchanges the
        profile's stored refresh token for exactly the tokens the target's cmdlet takes, each for
        the audience it expects (rotating the stored token as it goes), and adds the parameters
        that belong with them (-AccountId, -Tenant or -TenantId, -DelegatedOrganization for a
        customer's Exchange Online, -Url for PnP). The result binds to the cmdlet's access-token
        parameter set; parameters the cmdlet declares as SecureString (Connect-MgGraph 2.x
        -AccessToken) are SecureStrings.

        The cmdlets' parameters changed between module versions (Connect-PartnerCenter dropped
        -ApplicationId from its AccessToken set in 2.0.1909.2, Connect-MicrosoftTeams moved to
        -AccessTokens in 2.3.2-preview), so without -ModuleVersion the version of the target's
        module that is loaded, else the newest installed, decides the shape.

        Splat it from a variable: $params = Get-SamConnectParameter -Target AzAccount, then
        Az.Accounts\Connect-AzAccount @params. Warnings (AzureAD and MSOnline are retired) are
        written with Write-Warning. Connect-SamService does both steps.

        Several tenants (-Tenant with a list, tenants piped in, or -AllCustomers) make one batch:
        the stored refresh token is read once and redeemed for up to -Concurrency tenants at a
        time, within Entra's throttling (429 answers are retried after their Retry-After), and
        one hashtable per tenant goes down the pipeline as soon as its tokens arrive, in the order
        they complete, with Write-Progress showing how far the batch is. A tenant that fails is one
        non-terminating error whose target is that tenant; the others go on.
    .PARAMETER Target
        The Connect-* cmdlet to produce parameters for: AzAccount (Connect-AzAccount), AzureAD,
        MsolService, PartnerCenter, MgGraph, ExchangeOnline, IPPSSession (Connect-IPPSSession),
        MicrosoftTeams or PnPOnline.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default
        profile, else the only one).
    .PARAMETER Tenant
        Customer tenants (ids or domains) to connect to through GDAP; default the partner tenant.
        Accepts pipeline input (one hashtable per tenant) and the TenantId, CustomerId or Domain
        property of piped objects (for instance Partner Center customers). More than one tenant
        makes a batch (see the description).
    .PARAMETER AllCustomers
        Every customer tenant of the profile: its configured customers, else the Partner Center
        API's customer list. Runs as a batch, with any -Tenant given too.
    .PARAMETER Concurrency
        How many tenants of a batch are exchanged at once (1-64, default 8).
    .PARAMETER NoPreflight
        With -AllCustomers, the customers are checked first (GDAP relationship, role, group
        membership, app consent; see Get-SamCustomer): each one that cannot work for the target
        is one error, up front, with the reason and the remediation, and nothing is exchanged for
        it. -NoPreflight exchanges for every customer anyway.
    .PARAMETER ModuleVersion
        The version of the target's module to produce parameters for, e.g. 3.0.10 or
        2.3.2-preview (default: the version loaded or installed, else the newest shape known).
    .PARAMETER With
        Optional extra tokens the target can take: for AzAccount 'graph' (Azure AD Graph,
        -GraphAccessToken), 'msgraph' (-MicrosoftGraphAccessToken, Az.Accounts 2.7.0 and later)
        and 'keyvault' (-KeyVaultAccessToken).
    .PARAMETER Url
        The SharePoint URL for PnPOnline, when it cannot be derived from a NAME.onmicrosoft.com
        tenant domain (e.g. https://contoso.sharepoint.com/sites/hr).
    .EXAMPLE
        $params = Get-SamConnectParameter -Target AzAccount -Profile contoso -With msgraph
        Az.Accounts\Connect-AzAccount @params
    .EXAMPLE
        $params = Get-SamConnectParameter -Target ExchangeOnline -Tenant fabrikam.onmicrosoft.com
        ExchangeOnlineManagement\Connect-ExchangeOnline @params -ShowBanner:$false

        A customer's Exchange Online through GDAP: -AccessToken with -DelegatedOrganization.
    .EXAMPLE
        Get-PartnerCustomer | Get-SamConnectParameter -Target MgGraph | ForEach-Object {
            Microsoft.Graph.Authentication\Connect-MgGraph @_ -NoWelcome
            Get-MgUser -Top 1
        }

        One Microsoft Graph connection per customer; -AccessToken arrives as the SecureString
        Connect-MgGraph 2.x requires. The customers' tokens are exchanged as one batch.
    .EXAMPLE
        Get-SamConnectParameter -Target PartnerCenter -AllCustomers -Concurrency 16 -ErrorVariable failed |
            ForEach-Object { PartnerCenter\Connect-PartnerCenter @_ }

        Every customer tenant, 16 exchanges at a time; the tenants that failed are in $failed.
    .INPUTS
        System.String (tenants), or objects with a TenantId, CustomerId or Domain property.
    .OUTPUTS
        System.Collections.Hashtable
    .LINK
        Connect-SamService
    .LINK
        Get-SamConnectSnippet
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateSet('AzAccount', 'AzureAD', 'MsolService', 'PartnerCenter', 'MgGraph', 'ExchangeOnline', 'IPPSSession', 'MicrosoftTeams', 'PnPOnline')]
        [string] $Target,

        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('TenantId', 'CustomerId', 'Domain')]
        [ValidateNotNullOrEmpty()]
        [string[]] $Tenant,

        [ValidateNotNullOrEmpty()]
        [string] $ModuleVersion,

        [ValidateNotNullOrEmpty()]
        [string[]] $With,

        [ValidateNotNullOrEmpty()]
        [string] $Url,

        [switch] $AllCustomers,

        [ValidateRange(1, 64)]
        [int] $Concurrency = 8,

        [switch] $NoPreflight
    )
    begin {
        # Piped tenants are gathered, so that many of them make one batch (one read of the refresh
        # token, concurrent exchanges) instead of one request each.
        $tenants = [System.Collections.Generic.List[string]]::new()  # ::new, not New-Object: a tenth of the time
    }
    process {
        foreach ($name in @($Tenant)) {
            if ($name) { $tenants.Add($name) }
        }
    }
    end {
        $one = $null
        if ($tenants.Count -eq 1) { $one = $tenants[0] }
        $arguments = Get-SamConnectArgument -Target $Target -Profile $Profile -Tenant $one `
            -ModuleVersion $ModuleVersion -With $With -Url $Url -DetectModuleVersion -Cmdlet $PSCmdlet
        if ($AllCustomers -or $tenants.Count -gt 1) {
            $arguments['tenants'] = [string[]]$tenants.ToArray()
            $arguments['all_customers'] = [bool]$AllCustomers
            $arguments['concurrency'] = $Concurrency
            $arguments['preflight'] = [bool]$AllCustomers -and -not $NoPreflight
            Invoke-SamBridgeBatch -Command 'connect.params.batch' -Arguments $arguments -Cmdlet $PSCmdlet `
                -Activity "Connect-$Target parameters" -Convert { param($Result) ConvertTo-SamConnectSplat -Result $Result }
            return
        }
        $targetObject = $Target
        if ($one) { $targetObject = $one }
        $result = Invoke-SamBridgeCore -Command 'connect.params' -Arguments $arguments -TargetObject $targetObject -Cmdlet $PSCmdlet
        if ($null -eq $result) { return }
        ConvertTo-SamConnectSplat -Result $result
    }
}
