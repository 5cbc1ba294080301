function Get-SamCustomer {
    <#
    .SYNOPSIS
        Lists the partner's customers with their GDAP relationship, the roles you hold there, app consent, and per target whether a job can reach them (and if not, why and what to do).
    .DESCRIPTION
        Every customer Partner Center lists, and every customer of a GDAP relationship, joined
        with what Microsoft Graph says about the relationships (status, end date, auto-extend,
        the roles granted and the security groups they are assigned to) and about the consenting
        user (checkMemberGroups: which of those groups they are in). Where GDAP could work, one
        token request in the customer's tenant tells whether the app is consented there.

        Each customer gets a verdict per target: ready, or the first reason the target would fail
        (no relationship, expired, missing role, role not assigned to a group, user not in the
        group, no consent) with its remediation. With -Target, the Ready, Reason and Remediation
        properties are that target's. Relationships ending within -WarningDays that do not
        auto-extend are warned about. Nothing is changed.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default profile).
    .PARAMETER Target
        Only the verdict for this Connect-* target (MgGraph, ExchangeOnline, MicrosoftTeams, ...).
    .PARAMETER CustomerId
        Only these customers (tenant ids or domains); default every customer.
    .PARAMETER WarningDays
        Warn about relationships ending within this many days (default 30).
    .EXAMPLE
        Get-SamCustomer -Target ExchangeOnline | Where-Object { -not $_.Ready } | Format-List Name, Reason, Remediation
    .EXAMPLE
        Get-SamCustomer | Format-Table Name, RelationshipStatus, End, RolesHeld, Consent, ReadyFor
    .OUTPUTS
        SamBridge.Customer: Tenant, TenantId, Name, RelationshipStatus, End, AutoExtend, RolesGranted,
        RolesHeld, Consent, ConsentNote, ReadyFor, Verdicts, Warnings, Relationships; with -Target
        also Ready, Reason and Remediation.
    .LINK
        Invoke-SamCustomerJob
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.Customer')]
    param(
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [ValidateSet('AzAccount', 'AzureAD', 'MsolService', 'PartnerCenter', 'MgGraph', 'ExchangeOnline', 'IPPSSession', 'MicrosoftTeams', 'PnPOnline')]
        [string] $Target,

        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Tenant', 'TenantId')]
        [ValidateNotNullOrEmpty()]
        [string[]] $CustomerId,

        [ValidateRange(0, 730)]
        [double] $WarningDays
    )
    begin { $tenants = [System.Collections.Generic.List[string]]::new() }
    process { foreach ($name in @($CustomerId)) { if ($name) { $tenants.Add($name) } } }
    end {
        $arguments = @{}
        if ($Profile) { $arguments['profile'] = $Profile }
        if ($Target) { $arguments['target'] = $Target }
        if ($tenants.Count -gt 0) { $arguments['tenants'] = [string[]]$tenants.ToArray() }
        if ($PSBoundParameters.ContainsKey('WarningDays')) { $arguments['warn_days'] = $WarningDays }
        $found = Invoke-SamBridgeCore -Command 'customers' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet
        foreach ($item in @($found | ForEach-Object { $_ })) {
            $customer = $item | ConvertTo-SamObject -TypeName 'SamBridge.Customer'
            $customer.End = ConvertTo-SamDateTimeOffset -Value $item.end
            if ($Target) {
                $verdict = $item.verdicts.$Target
                $customer | Add-Member -NotePropertyName Ready -NotePropertyValue ([bool]$verdict.ready)
                $customer | Add-Member -NotePropertyName Reason -NotePropertyValue $verdict.reason
                $customer | Add-Member -NotePropertyName Remediation -NotePropertyValue $verdict.remediation
            }
            $customer
        }
    }
}
