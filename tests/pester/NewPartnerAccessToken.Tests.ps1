# New-SamAccessToken with New-PartnerAccessToken's parameters (RefreshToken and ServicePrincipal sets):
# no profile, nothing stored; the rotated refresh token only when asked, as a SecureString.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $partnerCenter = 'https://api.partnercenter.microsoft.com/user_impersonation'
}

Describe 'New-SamAccessToken in New-PartnerAccessToken''s sets' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        $secretLogin = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'secret' }
        $publicLogin = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'public' }
        $credential = New-Object System.Management.Automation.PSCredential($ids.secret_app, (ConvertTo-SecureString -String $ids.client_secret -AsPlainText -Force))
        $secretToken = ConvertTo-SecureString -String $secretLogin.refresh_token -AsPlainText -Force
    }
    AfterAll { Exit-SamTestHome }

    It 'redeems -RefreshToken with the service principal''s -Credential, as the reference doc''s exchange step does' {
        $token = New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -RefreshToken $secretToken `
            -Scopes $partnerCenter -ServicePrincipal -Tenant $ids.partner
        $token.PSObject.TypeNames[0] | Should -Be 'SamBridge.AccessToken'
        $token.TenantId | Should -Be $ids.partner
        $token.ExpiresOn | Should -BeOfType ([System.DateTimeOffset])
        @($token.Scopes) | Should -Be @($partnerCenter)
        $claims = Get-SamTestJwtClaim -Token $token.AccessToken
        $claims.aud | Should -Be 'https://api.partnercenter.microsoft.com'
        $claims.appid | Should -Be $ids.secret_app
        $claims.appidacr | Should -Be '1'
        $token.PSObject.Properties['RefreshToken'] | Should -BeNullOrEmpty
        (Invoke-SamTestEmulator -Operation partner_center_customers -Body @{ token = $token.AccessToken }).body.totalCount | Should -Be 3
        # Nothing was stored anywhere.
        Test-Path -LiteralPath $testHome.Config | Should -BeFalse
        Test-Path -LiteralPath $testHome.StorePath | Should -BeFalse
    }

    It 'takes the application id from -Credential when -ApplicationId is left out, and accepts -ClientId and -TenantId' {
        $token = New-SamAccessToken -Credential $credential -RefreshToken $secretToken -Scopes 'https://graph.microsoft.com/.default' -ServicePrincipal -TenantId 'fabrikam.onmicrosoft.com'
        $token.TenantId | Should -Be $ids.fabrikam
        (Get-SamTestJwtClaim -Token $token.AccessToken).appid | Should -Be $ids.secret_app
        $token = New-SamAccessToken -ClientId $ids.public_app -RefreshToken (ConvertTo-SecureString -String $publicLogin.refresh_token -AsPlainText -Force) -Scopes 'https://graph.microsoft.com/.default'
        (Get-SamTestJwtClaim -Token $token.AccessToken).appidacr | Should -Be '0'
        $token.TenantId | Should -Be $ids.partner -Because 'without -Tenant the user''s home tenant answers (organizations)'
    }

    It 'returns the rotated refresh token only with -IncludeRefreshToken, as a SecureString that redeems again' {
        $token = New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -RefreshToken $secretToken `
            -Scopes $partnerCenter -ServicePrincipal -Tenant $ids.partner -IncludeRefreshToken
        $token.RefreshToken | Should -BeOfType ([System.Security.SecureString])
        $rotated = ConvertFrom-SamTestSecureString -SecureString $token.RefreshToken
        $rotated | Should -Not -BeNullOrEmpty
        $rotated | Should -Not -Be $secretLogin.refresh_token
        ($token | Out-String) | Should -Not -Match ([regex]::Escape($rotated))
        $again = New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -RefreshToken $token.RefreshToken `
            -Scopes $partnerCenter -ServicePrincipal -Tenant $ids.partner
        (Get-SamTestJwtClaim -Token $again.AccessToken).aud | Should -Be 'https://api.partnercenter.microsoft.com'
    }

    It 'gives an app-only token without -RefreshToken (the ServicePrincipal set: client credentials)' {
        $token = New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -Scopes 'https://graph.microsoft.com/.default' -ServicePrincipal -Tenant $ids.partner
        $claims = Get-SamTestJwtClaim -Token $token.AccessToken
        $claims.idtyp | Should -Be 'app'
        $claims.PSObject.Properties['scp'] | Should -BeNullOrEmpty
        @($claims.roles).Count | Should -BeGreaterThan 0
        $token.TenantId | Should -Be $ids.partner
    }

    It 'refuses a wrong client secret as SamBridge.ClientCredential (7000215), naming what to check' {
        $wrong = New-Object System.Management.Automation.PSCredential($ids.secret_app, (ConvertTo-SecureString -String 'not-the-secret' -AsPlainText -Force))
        $record = { New-SamAccessToken -Credential $wrong -RefreshToken $secretToken -Scopes $partnerCenter -ServicePrincipal -Tenant $ids.partner -ErrorAction Stop } |
            Should -Throw -ErrorId 'SamBridge.ClientCredential,New-SamAccessToken' -PassThru
        $record.CategoryInfo.Category | Should -Be 'InvalidData'
        @($record.Exception.Data['Codes']) | Should -Contain 7000215
        $record.ErrorDetails.RecommendedAction | Should -BeLike "*Store the secret's Value (not its Secret ID)*"
        $record.TargetObject | Should -Be $ids.partner
    }

    It 'refuses a refresh token that is not one (9002313) as SamBridge.RefreshTokenInvalid' {
        $record = { New-SamAccessToken -Credential $credential -RefreshToken (ConvertTo-SecureString -String 'bad!' -AsPlainText -Force) -Scopes $partnerCenter -ServicePrincipal -Tenant $ids.partner -ErrorAction Stop } |
            Should -Throw -ErrorId 'SamBridge.RefreshTokenInvalid,New-SamAccessToken' -PassThru
        @($record.Exception.Data['Codes']) | Should -Contain 9002313
    }

    It '-WhatIf sends nothing' {
        $since = [int](@(Invoke-SamTestEmulator -Operation requests) | Measure-Object -Property seq -Maximum).Maximum
        New-SamAccessToken -Credential $credential -RefreshToken $secretToken -Scopes $partnerCenter -ServicePrincipal -Tenant $ids.partner -WhatIf | Should -BeNullOrEmpty
        @(Invoke-SamTestEmulator -Operation requests -Body @{ since = $since }) | Should -BeNullOrEmpty
    }
}
