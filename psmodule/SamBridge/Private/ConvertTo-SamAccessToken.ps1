function ConvertTo-SamAccessToken {
    <#
    .SYNOPSIS
        The SamBridge.AccessToken for a core token result (token, token.adhoc, one tenant of token.batch).
    .PARAMETER Result
        The core's result: access_token, expires_on, scopes, tenant_id, token_type (and
        refresh_token from token.adhoc when asked for).
    .PARAMETER IncludeRefreshToken
        Add the rotated refresh token as RefreshToken, a SecureString ($null when none came back).
    #>
    [CmdletBinding()]
    [OutputType('SamBridge.AccessToken')]
    param(
        [Parameter(Mandatory = $true)][object] $Result,
        [switch] $IncludeRefreshToken
    )
    $token = [pscustomobject]@{
        AccessToken = [string]$Result.access_token
        ExpiresOn   = ConvertTo-SamDateTimeOffset -Value $Result.expires_on
        Scopes      = [string[]]@($Result.scopes)
        TenantId    = [string]$Result.tenant_id
        TokenType   = [string]$Result.token_type
    }
    $token.PSObject.TypeNames.Insert(0, 'SamBridge.AccessToken')
    if ($IncludeRefreshToken) {
        $rotated = $null
        $text = Get-SamProperty -InputObject $Result -Name 'refresh_token'
        if ($text) { $rotated = ConvertTo-SecureString -String $text -AsPlainText -Force }
        $text = $null
        Add-Member -InputObject $token -MemberType NoteProperty -Name 'RefreshToken' -Value $rotated
    }
    $token
}
