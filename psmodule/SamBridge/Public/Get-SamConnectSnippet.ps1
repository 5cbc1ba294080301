function Get-SamConnectSnippet {
    <#
    .SYNOPSIS
        Returns a PowerShell snippet that connects a Connect-* cmdlet with tokens fetched when the snippet runs.
    .DESCRIPTION
        The snippet runs in Windows PowerShell 5.1 and PowerShell 7, calls the cmdlet
        module-qualified, and by default contains no token or secret: each run fetches fresh
        parameters, through this module (Get-SamConnectParameter; -Via Module, the default) or
        through the sam-bridge command line (-Via Cli, for machines with the core but without the
        module). -EmbedTokens writes live tokens into it instead: the explicit opt-in, marked as
        such in the text and with a warning, for a one-off run; never save or share that snippet.
    .PARAMETER Target
        The Connect-* cmdlet: AzAccount, AzureAD, MsolService, PartnerCenter, MgGraph,
        ExchangeOnline, IPPSSession, MicrosoftTeams or PnPOnline.
    .PARAMETER Profile
        The sam-bridge profile the snippet uses (default: SAM_BRIDGE_PROFILE, else the
        configuration's default profile, else the only one); it must exist now.
    .PARAMETER Tenant
        A customer tenant (id or domain) the snippet connects to; default the partner tenant.
    .PARAMETER ModuleVersion
        Fix the parameter shape to this module version (default: the snippet adapts to the
        version installed where it runs).
    .PARAMETER With
        Optional extra tokens: for AzAccount 'graph', 'msgraph' and 'keyvault'.
    .PARAMETER Url
        The SharePoint URL for PnPOnline.
    .PARAMETER Via
        How the snippet gets its tokens when it runs: Module (the SamBridge module, the default)
        or Cli (`sam-bridge params --json`, or the command in SAM_BRIDGE_CLI).
    .PARAMETER EmbedTokens
        Exchange the tokens now and write them into the snippet (they are valid for about an hour).
    .EXAMPLE
        Get-SamConnectSnippet -Target MgGraph -Profile contoso -Tenant fabrikam.onmicrosoft.com | Set-Content -Path ./Connect-Fabrikam.ps1

        A script that connects Microsoft Graph to Fabrikam whenever it runs, with no token in it.
    .EXAMPLE
        Get-SamConnectSnippet -Target PartnerCenter -Via Cli

        The same for a machine that has the sam-bridge command but not this module.
    .OUTPUTS
        System.String
    .LINK
        Get-SamConnectParameter
    #>
    [CmdletBinding()]
    [OutputType([string])]
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

        [ValidateSet('Module', 'Cli')]
        [string] $Via = 'Module',

        [switch] $EmbedTokens
    )
    process {
        # -EmbedTokens exchanges now, so the tokens fit the module installed here; otherwise the
        # snippet adapts to the version where it runs.
        $arguments = Get-SamConnectArgument -Target $Target -Profile $Profile -Tenant $Tenant `
            -ModuleVersion $ModuleVersion -With $With -Url $Url -DetectModuleVersion:$EmbedTokens -Cmdlet $PSCmdlet
        $arguments['via'] = $Via.ToLowerInvariant()
        $arguments['embed_tokens'] = [bool]$EmbedTokens
        $result = Invoke-SamBridgeCore -Command 'connect.snippet' -Arguments $arguments -TargetObject $Target -Cmdlet $PSCmdlet
        if ($null -eq $result) { return }
        [string]$result.snippet
    }
}
