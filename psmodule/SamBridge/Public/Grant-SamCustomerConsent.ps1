function Grant-SamCustomerConsent {
    <#
    .SYNOPSIS
        Consents the profile's app into customer tenants through Partner Center, or with -Check reports each customer's missing permissions.
    .DESCRIPTION
        Calls Partner Center's application consent API for every tenant, concurrently, with the
        delegated permissions the app registration asks for. A tenant that already consented is a
        success; when the app now needs more than that consent gave, the customer's grants are
        extended through Microsoft Graph. One SamBridge.CustomerConsent object per tenant that
        succeeded, one error per tenant that did not (no GDAP relationship, no Admin Agent role).

        With -Check nothing is changed: each tenant's Status is in-sync, drift (Missing lists the
        permissions it lacks) or not-consented.
    .PARAMETER Tenant
        Customer tenant ids or domains.
    .PARAMETER AllCustomers
        Every customer: the profile's customers list, else Partner Center's customer list.
    .PARAMETER Check
        Compare only; change nothing.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default profile).
    .PARAMETER Concurrency
        Tenants worked on at once (1-64, default 8).
    .EXAMPLE
        Grant-SamCustomerConsent -Profile contoso -Tenant fabrikam.onmicrosoft.com, northwind.onmicrosoft.com
    .EXAMPLE
        Grant-SamCustomerConsent -Profile contoso -AllCustomers -Check | Where-Object Status -ne 'in-sync'

        Customers whose consent is missing or older than the app's permissions.
    .OUTPUTS
        SamBridge.CustomerConsent: Tenant, Status, Missing, Added.
    .LINK
        New-SamApplication
    #>
    [CmdletBinding(DefaultParameterSetName = 'Tenant', SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.CustomerConsent')]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Tenant', Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Tenant,

        [Parameter(Mandatory = $true, ParameterSetName = 'AllCustomers')]
        [switch] $AllCustomers,

        [switch] $Check,

        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [ValidateRange(1, 64)]
        [int] $Concurrency = 8
    )
    $arguments = @{ check = [bool]$Check; concurrency = $Concurrency; all_customers = [bool]$AllCustomers }
    if ($Tenant) { $arguments['tenants'] = @($Tenant) }
    if ($Profile) { $arguments['profile'] = $Profile }
    $shown = 'every customer'
    if ($Tenant) { $shown = $Tenant -join ', ' }
    if (-not $Check -and -not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $shown -Action 'Consent the SAM application through Partner Center')) { return }
    $results = Invoke-SamBridgeCore -Command 'app.consent' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet
    foreach ($result in @($results)) {
        if ($null -eq $result) { continue }
        if ($result.ok) {
            $result.result | ConvertTo-SamObject -TypeName 'SamBridge.CustomerConsent'
        } else {
            Write-SamError -Cmdlet $PSCmdlet -ErrorRecord (ConvertTo-SamErrorRecord -CoreError $result.error -TargetObject $result.tenant)
        }
    }
}
