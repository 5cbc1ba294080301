function Test-SamProfile {
    <#
    .SYNOPSIS
        Diagnoses a profile before a job meets a cryptic AADSTS error (sam-bridge doctor).
    .DESCRIPTION
        Runs the core's checks in order: the configuration, the secret store, the authority
        (reachable, trusted), the clock, the application kind against the credential, the
        loopback port, the refresh token, MFA, and access to each customer tenant (GDAP and
        consent). It asks Entra rather than trusting what was last written down: the stored
        refresh token is redeemed once (the rotated token is stored, as by every exchange) and
        Entra's verdict reported (AADSTS700082 expired, 50173 revoked, 50076/50078/70043 MFA or
        sign-in frequency, 65001 consent, 50020 no GDAP) with its remediation; MFA is read from the
        amr claim of the token Entra issued; each customer check is a fresh exchange in that
        tenant, never a cached access token. -Offline keeps to this machine (the network checks
        are skipped, the token judged by its stored record). Each check gives a finding with
        Status ok, warn, fail or skip and, for anything but ok, a Fix a person can act on. A check
        that cannot run because an earlier one failed is a skip naming what to repair first.
    .PARAMETER Profile
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default
        profile, else the only one). Takes the Profile property of piped objects.
    .PARAMETER Tenant
        Customer tenants to check access to (default: the profile's customers).
    .PARAMETER Offline
        Send nothing: check the configuration, the store, the port and the refresh token's stored
        record only.
    .PARAMETER Quiet
        Return $true when no check failed, $false otherwise, instead of the findings (for a monitor).
    .EXAMPLE
        Test-SamProfile -Profile contoso | Where-Object Status -ne 'ok'
    .EXAMPLE
        if (-not (Test-SamProfile -Profile contoso -Tenant fabrikam.onmicrosoft.com -Quiet)) { throw 'fix the profile first' }
    .INPUTS
        Objects with a Profile property (SamBridge.Profile from Get-SamProfile).
    .OUTPUTS
        SamBridge.DoctorFinding (Profile, Check, Status, Detail, Fix), or System.Boolean with -Quiet.
    .LINK
        Get-SamRefreshTokenStatus
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.DoctorFinding')]
    [OutputType([bool])]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Profile,

        [ValidateNotNullOrEmpty()]
        [string[]] $Tenant,

        [switch] $Offline,

        [switch] $Quiet
    )
    process {
        $arguments = @{}
        if ($Profile) { $arguments['profile'] = $Profile }
        if ($Tenant) { $arguments['tenants'] = [string[]]@($Tenant) }
        if ($Offline) { $arguments['offline'] = $true }
        $findings = @(Invoke-SamBridgeCore -Command 'doctor' -Arguments $arguments -TargetObject $Profile -Cmdlet $PSCmdlet)
        if ($findings.Count -eq 0) { return }
        if ($Quiet) {
            return (@($findings | Where-Object { $_.status -eq 'fail' }).Count -eq 0)
        }
        foreach ($finding in $findings) {
            $object = ConvertTo-SamObject -InputObject $finding -TypeName 'SamBridge.DoctorFinding'
            Add-Member -InputObject $object -MemberType NoteProperty -Name 'Profile' -Value $Profile
            $object
        }
    }
}
