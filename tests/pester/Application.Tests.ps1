# The SAM application cmdlets end to end against the emulator: New-SamApplication creates the app and
# the profile (two device codes approved as the admin would on another device), Grant-SamCustomerConsent
# consents it into customers, Get-/Update-SamApplicationCredential list and rotate its secret.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
}

Describe 'The SAM application cmdlets' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        $script:urls = @{ GraphUrl = $testHome.Emulator.graph_url; PartnerCenterUrl = $testHome.Emulator.partner_center_url }
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.admin; mfa = $true; count = 2 }
        $script:created = New-SamApplication -Name sam -Tenant $ids.partner -Targets PartnerCenter, MgGraph -Store $testHome.Store `
            @urls -WarningAction SilentlyContinue -ErrorAction Stop 6>$null
        $script:appId = $created.ApplicationId
        $script:module = Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge'
        function Invoke-Child([string] $Command) {
            # A separate pwsh, as a scheduled job would run it: -NonInteractive, same test home.
            $script = "`$PSStyle.OutputRendering = 'PlainText'; Import-Module '$module'; $Command"
            & (Join-Path -Path (Get-SamTestRepository) -ChildPath '.tools/pwsh') -NoLogo -NoProfile -NonInteractive -Command $script 2>&1 |
                ForEach-Object { [string]$_ }
        }
    }
    AfterAll { Exit-SamTestHome }

    It 'New-SamApplication creates the app, stores its secret and the refresh token, and writes the profile' {
        $created.PSObject.TypeNames[0] | Should -Be 'SamBridge.ApplicationResult'
        $created.Changed | Should -BeTrue
        $created.Consent.mfa | Should -BeTrue
        $created.Credential.type | Should -Be 'secret'
        (Get-SamProfile -Name sam).ApplicationId | Should -Be $appId
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'sam/client-secret').metadata.key_id | Should -Be $created.Credential.key_id
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'sam/refresh-token').value | Should -Not -BeNullOrEmpty
    }

    It 'New-SamApplication run again changes nothing' {
        $again = New-SamApplication -Name sam -Confirm:$false -ErrorAction Stop 6>$null
        $again.Changed | Should -BeFalse
        $again.Credential | Should -BeNullOrEmpty
    }

    It 'New-SamApplication -WhatIf shows the permission an added target needs, and changes nothing' {
        $before = Invoke-SamTestEmulator -Operation directory | ConvertTo-Json -Depth 10
        $output = Invoke-Child "New-SamApplication -Name sam -Targets PartnerCenter, MgGraph, ExchangeOnline -WhatIf"
        ($output -join "`n") | Should -BeLike '*What if: Performing the operation "add permission Exchange.Manage of 00000002-0000-0ff1-ce00-000000000000"*'
        Invoke-SamTestEmulator -Operation directory | ConvertTo-Json -Depth 10 | Should -Be $before
    }

    It 'Grant-SamCustomerConsent consents, and reports a tenant without GDAP as its own error' {
        $errors = $null
        $results = @(Grant-SamCustomerConsent -Profile sam -Tenant $ids.fabrikam, $ids.tailspin -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 1
        $results[0].PSObject.TypeNames[0] | Should -Be 'SamBridge.CustomerConsent'
        $results[0].Tenant | Should -Be $ids.fabrikam
        $results[0].Status | Should -Be 'consented'
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'SamBridge.CustomerConsentRefused*'
        $errors[0].TargetObject | Should -Be $ids.tailspin
        $errors[0].Exception.Message | Should -BeLike '*GDAP*'
        (New-SamAccessToken -Profile sam -Tenant $ids.fabrikam -Scopes 'https://graph.microsoft.com/.default').TenantId | Should -Be $ids.fabrikam
        (Grant-SamCustomerConsent -Profile sam -Tenant $ids.fabrikam -Check).Status | Should -Be 'in-sync'
    }

    It 'Get-SamApplicationCredential lists the stored secret; Update-SamApplicationCredential replaces it' {
        $listed = @(Get-SamApplicationCredential -Profile sam)
        $listed.Count | Should -Be 1
        $listed[0].PSObject.TypeNames[0] | Should -Be 'SamBridge.ApplicationCredential'
        $listed[0].Stored | Should -BeTrue
        $listed[0].State | Should -Be 'ok'
        $old = $listed[0].KeyId
        $rotated = Update-SamApplicationCredential -Profile sam -Confirm:$false -ErrorAction Stop
        $rotated.Removed | Should -Be @($old)
        $now = @(Get-SamApplicationCredential -Profile sam)
        $now.Count | Should -Be 1
        $now[0].KeyId | Should -Be $rotated.New.key_id
        (New-SamAccessToken -Profile sam -Force -Scopes 'https://graph.microsoft.com/.default').TenantId | Should -Be $ids.partner
    }

    It 'Update-SamApplicationCredential stops when -Confirm cannot be asked (-NonInteractive), and changes nothing' {
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'sam/client-secret').metadata.key_id
        $output = Invoke-Child "Update-SamApplicationCredential -Profile sam -Confirm"
        ($output -join "`n") | Should -BeLike "*Nothing was changed: 'Add a new client secret, store it, and remove the old one' on profile 'sam' needs confirmation, which cannot be asked here*"
        ($output -join "`n") | Should -Not -BeLike '*KeyId*'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'sam/client-secret').metadata.key_id | Should -Be $before
        @(Get-SamApplicationCredential -Profile sam).Count | Should -Be 1
    }

    It 'Test-SamProfile reports the expiry of the app''s secret' {
        $finding = @(Test-SamProfile -Profile sam -WarningAction SilentlyContinue) | Where-Object Check -eq 'credential_expiry'
        $finding.Status | Should -Be 'ok'
        $finding.Detail | Should -BeLike '*as Microsoft Graph lists it*'
    }

    It 'an expired secret: Test-SamProfile fails naming Update-SamApplicationCredential -SignIn' {
        $key = (Get-SamTestStoreEntry -TestHome $testHome -Name 'sam/client-secret').metadata.key_id
        $null = Invoke-SamTestEmulator -Operation expire_credential -Body @{ app_id = $appId; key_id = $key }
        $finding = @(Test-SamProfile -Profile sam -WarningAction SilentlyContinue) | Where-Object Check -eq 'credential_expiry'
        $finding.Status | Should -Be 'fail'
        $finding.Fix | Should -BeLike '*Update-SamApplicationCredential -Profile sam -SignIn*'
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.admin; mfa = $true }
        $rotated = Update-SamApplicationCredential -Profile sam -SignIn -Confirm:$false -ErrorAction Stop 6>$null
        $rotated.Removed | Should -Be @($key)
        (New-SamAccessToken -Profile sam -Force -Scopes 'https://graph.microsoft.com/.default').TenantId | Should -Be $ids.partner
    }

    It 'refuses an unknown target before anyone signs in' {
        $record = { New-SamApplication -Name other -Tenant $ids.partner -Targets NoSuchModule -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'SamBridge.InvalidInput,*' -PassThru
        $record.Exception.Message | Should -BeLike "*unknown target 'NoSuchModule'*"
        Get-SamProfile | Where-Object Name -eq 'other' | Should -BeNullOrEmpty
    }
}
