# New-SamAccessToken with a profile, Import-SamRefreshToken and Get-SamRefreshTokenStatus against the
# emulator: audiences, rotation of the stored refresh token, the access-token cache, customer
# tenants through GDAP, and every mapped Entra error as the ErrorRecord a script sees.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $partnerCenter = 'https://api.partnercenter.microsoft.com/user_impersonation'
    $graph = 'https://graph.microsoft.com/.default'
}

Describe 'Exchanging the stored refresh token' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        New-SamTestProfile -TestHome $testHome -Name 'nomfa' -Consent -User $ids.helpdesk -NoMfa -Scopes 'https://graph.microsoft.com/.default'
        New-SamTestProfile -TestHome $testHome -Name 'fresh'
    }
    AfterAll { Exit-SamTestHome }

    It 'gives a Partner Center token for the partner tenant by default' {
        $token = New-SamAccessToken -Profile contoso -WarningAction SilentlyContinue
        $token.PSObject.TypeNames[0] | Should -Be 'SamBridge.AccessToken'
        $token.AccessToken | Should -BeOfType ([string])
        $token.ExpiresOn | Should -BeOfType ([System.DateTimeOffset])
        $token.ExpiresOn | Should -BeGreaterThan ([System.DateTimeOffset]::UtcNow.AddMinutes(5))
        $token.ExpiresOn.Offset | Should -Be ([timespan]::Zero)
        @($token.Scopes) | Should -Be @($partnerCenter)
        $token.TenantId | Should -Be $ids.partner
        $token.PSObject.Properties['RefreshToken'] | Should -BeNullOrEmpty
        $claims = Get-SamTestJwtClaim -Token $token.AccessToken
        $claims.aud | Should -Be 'https://api.partnercenter.microsoft.com'
        $claims.tid | Should -Be $ids.partner
        $claims.upn | Should -Be $ids.admin
        @($claims.amr) | Should -Contain 'mfa'
        # The emulator's Partner Center accepts it.
        (Invoke-SamTestEmulator -Operation partner_center_customers -Body @{ token = $token.AccessToken }).status | Should -Be 200
    }

    It 'never shows the token in the default views' {
        $token = New-SamAccessToken -Profile contoso -WarningAction SilentlyContinue
        $shown = ($token | Out-String) + ($token | Format-List | Out-String)
        $shown | Should -Not -Match ([regex]::Escape($token.AccessToken.Substring(0, 40)))
        $shown | Should -Match "<hidden: $($token.AccessToken.Length) characters>"
    }

    It 'rotates the stored refresh token on every redemption, and reuses a cached access token until -Force' {
        $before = Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token'
        $first = New-SamAccessToken -Profile contoso -Scopes $graph -Force -WarningAction SilentlyContinue
        $after = Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token'
        $after.value | Should -Not -Be $before.value
        $after.metadata.generation | Should -Be ($before.metadata.generation + 1)
        $second = New-SamAccessToken -Profile contoso -Scopes $graph -WarningAction SilentlyContinue
        $second.AccessToken | Should -Be $first.AccessToken
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Be $after.value
        $third = New-SamAccessToken -Profile contoso -Scopes $graph -Force -WarningAction SilentlyContinue
        $third.AccessToken | Should -Not -Be $first.AccessToken
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Not -Be $after.value
        $status = Get-SamRefreshTokenStatus -Profile contoso
        $status.LastRedeemedAt | Should -BeGreaterThan ([System.DateTimeOffset]::UtcNow.AddMinutes(-2))
        $status.DaysLeft | Should -BeGreaterThan 89.9
    }

    It 'gives a token in a customer tenant through GDAP' {
        $token = New-SamAccessToken -Profile contoso -Tenant 'fabrikam.onmicrosoft.com' -Scopes $graph -WarningAction SilentlyContinue
        $token.TenantId | Should -Be $ids.fabrikam
        $claims = Get-SamTestJwtClaim -Token $token.AccessToken
        $claims.tid | Should -Be $ids.fabrikam
        $claims.aud | Should -Be 'https://graph.microsoft.com'
        $claims.idp | Should -Be "https://sts.windows.net/$($ids.partner)/"
    }

    It 'gives one token per piped tenant, and an error for the one without access' {
        $errors = $null
        $tokens = @('fabrikam.onmicrosoft.com', 'tailspin.onmicrosoft.com', 'northwind.onmicrosoft.com' |
                New-SamAccessToken -Profile contoso -Scopes $graph -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue)
        # Piped tenants make one batch: results come in the order the exchanges complete.
        @($tokens | ForEach-Object { $_.TenantId } | Sort-Object) | Should -Be @($ids.fabrikam, $ids.northwind | Sort-Object)
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be 'tailspin.onmicrosoft.com'
    }

    It 'fixes the reference doc''s doubled slash in the ARM scope, with a warning' {
        $warnings = $null
        $token = New-SamAccessToken -Profile contoso -Scopes 'https://management.azure.com//user_impersonation' -WarningVariable warnings -WarningAction SilentlyContinue
        (Get-SamTestJwtClaim -Token $token.AccessToken).aud | Should -Be 'https://management.azure.com'
        @($warnings | ForEach-Object { $_.Message }) | Should -Contain "scope 'https://management.azure.com//user_impersonation' has a double slash (a bug in old Partner Center samples); using 'https://management.azure.com/user_impersonation'"
    }

    It '-WhatIf redeems nothing' {
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        New-SamAccessToken -Profile contoso -Force -WhatIf | Should -BeNullOrEmpty
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Be $before
    }

    Context 'Entra''s refusals, as ErrorRecords' {
        It '<Code>: <Why>' -ForEach @(
            @{ Code = 50020; Why = 'no GDAP relationship with the customer'; Profile = 'contoso'; Tenant = 'tailspin.onmicrosoft.com'; Scope = 'https://graph.microsoft.com/.default'
                ErrorId = 'SamBridge.TenantAccess'; Category = 'PermissionDenied'; Remediation = '*granular delegated admin (GDAP) relationship*'; Exception = [System.Security.Authentication.AuthenticationException] }
            @{ Code = 65001; Why = 'the app has no consent in the customer tenant'; Profile = 'contoso'; Tenant = 'woodgrove.onmicrosoft.com'; Scope = 'https://graph.microsoft.com/.default'
                ErrorId = 'SamBridge.ConsentRequired'; Category = 'PermissionDenied'; Remediation = 'Application d08dc19e-ba2a-454d-8b27-fe0fdf4a176c has not been consented in tenant woodgrove.onmicrosoft.com*Partner Center*'; Exception = [System.Security.Authentication.AuthenticationException] }
            @{ Code = 50076; Why = 'Partner Center needs MFA, and the consent had none'; Profile = 'nomfa'; Tenant = $null; Scope = 'https://api.partnercenter.microsoft.com/user_impersonation'
                ErrorId = 'SamBridge.InteractionRequired'; Category = 'PermissionDenied'; Remediation = 'Multi-factor authentication is required*Invoke-SamConsent -Profile nomfa*'; Exception = [System.Security.Authentication.AuthenticationException] }
        ) {
            $arguments = @{ Profile = $Profile; Scopes = $Scope; Force = $true; ErrorAction = 'Stop'; WarningAction = 'SilentlyContinue' }
            if ($Tenant) { $arguments['Tenant'] = $Tenant }
            $record = { New-SamAccessToken @arguments } | Should -Throw -ErrorId "$ErrorId,New-SamAccessToken" -PassThru
            $record.CategoryInfo.Category | Should -Be $Category
            $record.Exception | Should -BeOfType $Exception
            $record.Exception.Message | Should -BeLike "*AADSTS$Code*"
            @($record.Exception.Data['Codes']) | Should -Contain $Code
            $record.Exception.Data['CorrelationId'] | Should -Not -BeNullOrEmpty
            $record.ErrorDetails.RecommendedAction | Should -BeLike $Remediation
            $expectedTarget = $Profile
            if ($Tenant) { $expectedTarget = $Tenant }
            $record.TargetObject | Should -Be $expectedTarget
        }

        It 'no refresh token: the profile was never consented' {
            $record = { New-SamAccessToken -Profile fresh -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'SamBridge.NoRefreshToken,New-SamAccessToken' -PassThru
            $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $record.ErrorDetails.RecommendedAction | Should -Be 'Run `Invoke-SamConsent -Profile fresh` (or import one with `Import-SamRefreshToken -Profile fresh`).' -Because 'a PowerShell user is told the cmdlet to run'
            (Get-SamRefreshTokenStatus -Profile fresh).State | Should -Be 'missing'
        }
    }
}

Describe 'A refresh token unused for 90 days' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        $null = Invoke-SamTestEmulator -Operation advance_clock -Body @{ seconds = 7776001 }
    }
    AfterAll { Exit-SamTestHome }

    It '700082: SamBridge.RefreshTokenExpired, with the date it was issued and what to run' {
        $record = { New-SamAccessToken -Profile contoso -Force -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'SamBridge.RefreshTokenExpired,New-SamAccessToken' -PassThru
        $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $record.Exception | Should -BeOfType ([System.Security.Authentication.AuthenticationException])
        @($record.Exception.Data['Codes']) | Should -Contain 700082
        $record.Exception.Data['Error'] | Should -Be 'invalid_grant'
        $record.ErrorDetails.RecommendedAction | Should -Match '^The refresh token expired after 90 days without use \(it was issued on 20\d\d-\d\d-\d\dT'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Invoke-SamConsent -Profile contoso*Invoke-SamKeepAlive -Profile contoso*'
        $record.TargetObject | Should -Be 'contoso'
    }
}

Describe 'Import-SamRefreshToken' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso'
    }
    AfterAll { Exit-SamTestHome }

    It 'stores a refresh token obtained elsewhere, which then exchanges and rotates' {
        $obtained = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'public' }
        $secure = ConvertTo-SecureString -String $obtained.refresh_token -AsPlainText -Force
        $result = $secure | Import-SamRefreshToken -Profile contoso -Confirm:$false -WarningAction SilentlyContinue
        $result.PSObject.TypeNames[0] | Should -Be 'SamBridge.RefreshTokenImport'
        $result.Profile | Should -Be 'contoso'
        $result.Store | Should -Be $testHome.Store
        $result.ImportedAt | Should -BeOfType ([System.DateTimeOffset])
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Be $obtained.refresh_token
        $status = Get-SamRefreshTokenStatus -Profile contoso
        $status.Source | Should -Be 'import'
        $status.State | Should -Be 'ok'
        $token = New-SamAccessToken -Profile contoso -WarningAction SilentlyContinue
        (Get-SamTestJwtClaim -Token $token.AccessToken).upn | Should -Be $ids.admin
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Not -Be $obtained.refresh_token
    }

    It 'a token of another app is refused by the import, and the stored one kept' {
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        $obtained = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'secret' }
        $record = { Import-SamRefreshToken -Profile contoso -RefreshToken (ConvertTo-SecureString -String $obtained.refresh_token -AsPlainText -Force) -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.*'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Be $before
    }

    It 'a token of another app stored with -SkipVerification is refused at the first exchange' {
        $obtained = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'secret' }
        $null = Import-SamRefreshToken -Profile contoso -RefreshToken (ConvertTo-SecureString -String $obtained.refresh_token -AsPlainText -Force) -SkipVerification -Confirm:$false -WarningAction SilentlyContinue
        $record = { New-SamAccessToken -Profile contoso -Force -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.*'
        $record.CategoryInfo.Category | Should -BeIn @('InvalidData', 'AuthenticationError')
    }

    It '-WhatIf replaces nothing' {
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        Import-SamRefreshToken -Profile contoso -RefreshToken (ConvertTo-SecureString -String 'some-other-token-value' -AsPlainText -Force) -WhatIf
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Be $before
    }
}

Describe 'Get-SamRefreshTokenStatus' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        New-SamTestProfile -TestHome $testHome -Name 'empty'
    }
    AfterAll { Exit-SamTestHome }

    It 'reports every piped profile' {
        $status = @(Get-SamProfile | Get-SamRefreshTokenStatus)
        @($status | ForEach-Object { $_.Profile }) | Should -Be @('contoso', 'empty')
        $status[0].State | Should -Be 'ok'
        $status[0].Present | Should -BeTrue
        $status[0].Mfa | Should -BeTrue
        $status[0].ExpiresAt | Should -BeOfType ([System.DateTimeOffset])
        ($status[0].ExpiresAt - $status[0].IssuedAt).TotalDays | Should -Be 90
        $status[1].State | Should -Be 'missing'
        $status[1].Present | Should -BeFalse
    }

    It 'says warning when fewer than -WarningDays are left' {
        (Get-SamRefreshTokenStatus -Profile contoso -WarningDays 90).State | Should -Be 'warning'
        (Get-SamRefreshTokenStatus -Profile contoso -WarningDays 1).State | Should -Be 'ok'
    }
}
