function Update-SamCustomerConnection {
    <#
    .SYNOPSIS
        Inside Invoke-SamCustomerJob's script block: reconnects the customer's target when its tokens are about to expire.
    .DESCRIPTION
        Does nothing while the current connection's tokens have more than the job's
        -MarginSeconds left; otherwise gets fresh parameters for the same customer and target and
        connects again (the Connect-* cmdlet replaces its session). Call it in a long loop, once
        per item: it costs nothing until a reconnect is due. -Force reconnects now.

        Outside a customer job there is no connection to renew: that is an error.
    .PARAMETER Force
        Reconnect whatever the tokens' remaining lifetime.
    .PARAMETER PassThru
        Return the job's customer connection state (ExpiresOn, Connections).
    .EXAMPLE
        Invoke-SamCustomerJob -Target MgGraph -AllCustomers -ScriptBlock {
            Get-MgUser -All | ForEach-Object { Update-SamCustomerConnection; Get-MgUserLicenseDetail -UserId $_.Id }
        }
    .OUTPUTS
        None, or with -PassThru SamBridge.CustomerConnection: TenantId, Target, ExpiresOn, Connections, Reconnected.
    .LINK
        Invoke-SamCustomerJob
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.CustomerConnection')]
    param([switch] $Force, [switch] $PassThru)
    $state = $script:SamCustomerJob
    if ($null -eq $state) {
        $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.NoCustomerJob' -Category InvalidOperation `
                    -Message 'Update-SamCustomerConnection renews the connection of a customer job, and no job is running.' `
                    -Remediation 'Call it inside the -ScriptBlock of Invoke-SamCustomerJob.' -TargetObject $null))
    }
    $left = 0
    if ($null -ne $state.ExpiresOn) { $left = ($state.ExpiresOn - [System.DateTimeOffset]::UtcNow).TotalSeconds }
    $reconnected = $false
    if ($Force -or $left -le $state.MarginSeconds) {
        Write-Verbose ("sam-bridge: {0:N0} s left on the tokens of tenant {1} (margin {2} s): reconnecting" -f $left, $state.Arguments['tenant'], $state.MarginSeconds)
        Connect-SamCustomerJobTarget -State $state -ErrorAction Stop
        $reconnected = $true
    }
    if ($PassThru) {
        [pscustomobject]@{
            PSTypeName  = 'SamBridge.CustomerConnection'
            TenantId    = $state.Arguments['tenant']
            Target      = $state.Info.name
            ExpiresOn   = $state.ExpiresOn
            Connections = $state.Connections
            Reconnected = $reconnected
        }
    }
}
