function Invoke-SamCustomerJob {
    <#
    .SYNOPSIS
        Runs a script block for each customer, connected to the target with fresh tokens, reconnecting before they expire, and returns one result per customer.
    .DESCRIPTION
        The tokens handed to Connect-MgGraph, Connect-ExchangeOnline, Connect-MicrosoftTeams and
        Connect-PnPOnline cannot be refreshed by those modules, so a loop over many customers
        that outlives a token (60-90 minutes) fails half way. This cmdlet:

        1. checks the customers first (GDAP relationship, role, group membership, app consent;
           see Get-SamCustomer) and returns a NotReady result, with the reason and remediation,
           for each one that cannot work, without exchanging anything for it (-NoPreflight: try
           them all);
        2. for each ready customer, connects the target's Connect-* cmdlet (module-qualified)
           with parameters from the profile's refresh token, tokens with more than
           -MarginSeconds left;
        3. runs -ScriptBlock with $_ set to the customer (TenantId, Input, Target, ExpiresOn);
           inside it, Update-SamCustomerConnection reconnects when the tokens have
           -MarginSeconds or less left (call it in long loops, e.g. once per mailbox);
        4. disconnects (the target module's Disconnect-* cmdlet), and goes on with the next
           customer whatever happened.

        One SamBridge.CustomerJobResult per customer: Status Succeeded, Failed (the error that
        stopped the script block is in Error, with the customer's output until then) or NotReady.
        A customer's failure never stops the loop. For Teams, both tokens are minted together,
        and the core checks their expiries are less than 5,400 s apart, as Connect-MicrosoftTeams
        requires.
    .PARAMETER Target
        MgGraph, ExchangeOnline, MicrosoftTeams or PnPOnline.
    .PARAMETER ScriptBlock
        The work for one customer; $_ is the customer. Its output goes into the result's Output.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default profile).
    .PARAMETER CustomerId
        The customers (tenant ids or domains); pipeline input and TenantId / CustomerId / Domain
        properties are accepted.
    .PARAMETER AllCustomers
        Every customer of the profile: its configured customers, else the Partner Center API's list.
    .PARAMETER MarginSeconds
        Reconnect when the tokens have this many seconds or less left (default 600).
    .PARAMETER NoPreflight
        Try every customer, even those GDAP or consent rule out.
    .PARAMETER WarningDays
        Warn about GDAP relationships ending within this many days (default 30).
    .PARAMETER ModuleVersion
        The target module's version to produce parameters for (default: the one in use).
    .PARAMETER Url
        The SharePoint URL for PnPOnline when it cannot be derived from the tenant's domain.
    .PARAMETER AdditionalParameter
        More parameters for the Connect-* cmdlet, e.g. @{ ShowBanner = $false }.
    .EXAMPLE
        Invoke-SamCustomerJob -Target ExchangeOnline -AllCustomers -AdditionalParameter @{ ShowBanner = $false } -ScriptBlock {
            Get-Mailbox -ResultSize Unlimited | ForEach-Object {
                Update-SamCustomerConnection   # reconnects only when the token runs low
                Get-MailboxStatistics -Identity $_.Identity
            }
        } | Where-Object Status -ne 'Succeeded'
    .OUTPUTS
        SamBridge.CustomerJobResult: TenantId, Input, Target, Status, Output, Error, Reason,
        Remediation, Connections, Started, Finished.
    .LINK
        Update-SamCustomerConnection
    .LINK
        Get-SamCustomer
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.CustomerJobResult')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateSet('MgGraph', 'ExchangeOnline', 'MicrosoftTeams', 'PnPOnline')]
        [string] $Target,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNull()]
        [scriptblock] $ScriptBlock,

        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Tenant', 'TenantId', 'Domain')]
        [ValidateNotNullOrEmpty()]
        [string[]] $CustomerId,

        [switch] $AllCustomers,

        [ValidateRange(0, 3600)]
        [int] $MarginSeconds = 600,

        [switch] $NoPreflight,

        [ValidateRange(0, 730)]
        [double] $WarningDays,

        [ValidateNotNullOrEmpty()]
        [string] $ModuleVersion,

        [ValidateNotNullOrEmpty()]
        [string] $Url,

        [ValidateNotNull()]
        [hashtable] $AdditionalParameter = @{}
    )
    begin { $tenants = [System.Collections.Generic.List[string]]::new() }
    process { foreach ($name in @($CustomerId)) { if ($name) { $tenants.Add($name) } } }
    end {
        if ($tenants.Count -eq 0 -and -not $AllCustomers) {
            Write-SamError -Cmdlet $PSCmdlet -ErrorRecord (New-SamErrorRecord -ErrorId 'SamBridge.InvalidInput' -Category InvalidArgument `
                    -Message 'The job has no customers.' -Remediation 'Give -CustomerId (or pipe customers in), or -AllCustomers.' -TargetObject $Target)
            return
        }
        $resolved = Resolve-SamConnectTarget -Target $Target -ModuleVersion $ModuleVersion -AdditionalParameter $AdditionalParameter -Cmdlet $PSCmdlet
        if ($null -eq $resolved) { return }
        $info, $version = $resolved.Info, $resolved.Version

        $who = 'the default profile'
        if ($Profile) { $who = "profile '$Profile'" }
        $whom = "every customer of $who"
        if (-not $AllCustomers) { $whom = "customers $(@($tenants) -join ', ') ($who)" }
        # Asked once, before the check: even that exchanges tokens (and so rotates the refresh token).
        if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $whom -Action "Connect with $($info.qualified_cmdlet) ($($info.module) $version) for each ready customer and run the script block")) { return }

        $splitArguments = @{ target = $Target; tenants = [string[]]$tenants.ToArray(); all_customers = [bool]$AllCustomers; preflight = (-not $NoPreflight) }
        if ($Profile) { $splitArguments['profile'] = $Profile }
        if ($PSBoundParameters.ContainsKey('WarningDays')) { $splitArguments['warn_days'] = $WarningDays }
        $split = Invoke-SamBridgeCore -Command 'customers.split' -Arguments $splitArguments -TargetObject $Target -Cmdlet $PSCmdlet
        if ($null -eq $split) { return }

        $newResult = {
            param($Tenant, $Inputs, $Status)
            [pscustomobject]@{
                PSTypeName  = 'SamBridge.CustomerJobResult'
                TenantId    = $Tenant
                Input       = $Inputs
                Target      = $Target
                Status      = $Status
                Output      = @()
                Error       = $null
                Reason      = $null
                Remediation = $null
                Connections = 0
                Started     = [System.DateTimeOffset]::UtcNow
                Finished    = [System.DateTimeOffset]::UtcNow
            }
        }
        # The customers that cannot work, up front: nothing is exchanged or run for them.
        foreach ($item in @($split.unready)) {
            $result = & $newResult $item.tenant $item.input 'NotReady'
            $result.Error = ConvertTo-SamErrorRecord -CoreError $item.error -TargetObject ([string]$item.input)
            $result.Reason = $item.error.message
            $result.Remediation = $item.error.remediation
            Write-Warning ("sam-bridge: {0}" -f $item.error.message)
            $result
        }
        foreach ($item in @($split.ready)) {
            $customer = [string]$item.tenant
            $arguments = Get-SamConnectArgument -Target $Target -Profile $Profile -Tenant $customer -ModuleVersion $version -Url $Url
            $arguments['min_lifetime'] = $MarginSeconds
            $result = & $newResult $customer $item.input 'Succeeded'
            $state = [pscustomobject]@{
                Info                = $info
                Arguments           = $arguments
                AdditionalParameter = $AdditionalParameter
                MarginSeconds       = $MarginSeconds
                ExpiresOn           = $null
                Connections         = 0
                Cmdlet              = $PSCmdlet
            }
            $outer = $script:SamCustomerJob
            $script:SamCustomerJob = $state
            $output = [System.Collections.Generic.List[object]]::new()
            try {
                Connect-SamCustomerJobTarget -State $state -ErrorAction Stop
                $job = [pscustomobject]@{ PSTypeName = 'SamBridge.CustomerJobCustomer'; TenantId = $customer; Input = $item.input; Target = $Target; ExpiresOn = $state.ExpiresOn }
                foreach ($value in @($job | ForEach-Object -Process $ScriptBlock)) { $output.Add($value) }
            } catch {
                $result.Status = 'Failed'
                $result.Error = $_
                $result.Reason = $_.Exception.Message
                if ($_.ErrorDetails -and $_.ErrorDetails.RecommendedAction) { $result.Remediation = $_.ErrorDetails.RecommendedAction }
                Write-Verbose ("sam-bridge: customer {0} failed: {1}" -f $item.input, $_.Exception.Message)
            } finally {
                $script:SamCustomerJob = $outer
                if ($state.Connections -gt 0 -and $info.qualified_disconnect) {
                    try {
                        $command = Get-Command -Name $info.qualified_disconnect -ErrorAction Stop
                        if ($command.Parameters.ContainsKey('Confirm')) { $null = & $info.qualified_disconnect -Confirm:$false -ErrorAction Stop }
                        else { $null = & $info.qualified_disconnect -ErrorAction Stop }
                    } catch {
                        Write-Verbose ("sam-bridge: {0} for {1}: {2}" -f $info.qualified_disconnect, $item.input, $_.Exception.Message)
                    }
                }
            }
            $result.Output = $output.ToArray()
            $result.Connections = $state.Connections
            $result.Finished = [System.DateTimeOffset]::UtcNow
            $result
        }
    }
}
