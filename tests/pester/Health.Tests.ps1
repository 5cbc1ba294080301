# Health that asks Entra, through the module: Test-SamProfile redeems the stored refresh token and
# reports Entra's verdict (a revoked user, 91 days on the identity provider's clock), its customer
# checks never answer from a cached access token, -Offline keeps the local check, and
# Get-SamRefreshTokenStatus says 'refused' after one failed exchange.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
}

Describe 'Health checks that ask Entra' {
    BeforeEach {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        # A valid access token for Fabrikam is now cached: a customer check must not trust it.
        $null = New-SamAccessToken -Profile contoso -Tenant $ids.fabrikam -WarningAction SilentlyContinue
    }
    AfterEach { Exit-SamTestHome }

    It 'a healthy profile passes -Quiet, and the findings report the amr of the token Entra issued' {
        Test-SamProfile -Profile contoso -Tenant $ids.fabrikam -Quiet -WarningAction SilentlyContinue | Should -BeTrue
        $mfa = Test-SamProfile -Profile contoso -WarningAction SilentlyContinue | Where-Object Check -eq 'mfa'
        $mfa.Detail | Should -Match 'amr: pwd, mfa'
    }

    It 'after <Cause>, Test-SamProfile -Quiet is $false, the finding names <Code>, and status says refused' -TestCases @(
        @{ Cause = 'the user''s sessions were revoked'; Code = 'AADSTS50173' }
        @{ Cause = '91 days on Entra''s clock'; Code = 'AADSTS700082' }
    ) {
        param($Cause, $Code)
        if ($Code -eq 'AADSTS50173') {
            $null = Invoke-SamTestEmulator -Operation revoke_user -Body @{ upn = $ids.admin }
        } else {
            $null = Invoke-SamTestEmulator -Operation advance_clock -Body @{ seconds = 91 * 86400 }
        }
        # What the record alone says (nothing sent): still fine.
        Test-SamProfile -Profile contoso -Offline -Quiet -WarningAction SilentlyContinue | Should -BeTrue
        (Get-SamRefreshTokenStatus -Profile contoso).State | Should -Be 'ok'

        Test-SamProfile -Profile contoso -Tenant $ids.fabrikam -Quiet -WarningAction SilentlyContinue | Should -BeFalse
        $finding = Test-SamProfile -Profile contoso -WarningAction SilentlyContinue | Where-Object Check -eq 'refresh_token'
        $finding.Status | Should -Be 'fail'
        $finding.Detail | Should -Match $Code
        $finding.Fix | Should -Match 'Invoke-SamConsent -Profile contoso'

        $status = Get-SamRefreshTokenStatus -Profile contoso
        $status.State | Should -Be 'refused'
        $status.RefusalCode | Should -Be $Code
        $status.RefusedAt | Should -BeOfType ([System.DateTimeOffset])
        $status.RefusalRemediation | Should -Match 'Invoke-SamConsent -Profile contoso'
        ($status | Out-String -Width 250) | Should -Match $Code
    }

    It 'a failed job is enough for status to say refused' {
        $null = Invoke-SamTestEmulator -Operation revoke_user -Body @{ upn = $ids.admin }
        { New-SamAccessToken -Profile contoso -Force -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw
        $status = Get-SamRefreshTokenStatus -Profile contoso
        $status.State | Should -Be 'refused'
        $status.RefusalCode | Should -Be 'AADSTS50173'
    }

    It 'Test-SamProfile -Offline sends nothing' {
        $sequence = Get-SamTestLastSequence
        $findings = @(Test-SamProfile -Profile contoso -Offline -WarningAction SilentlyContinue)
        ($findings | Where-Object Check -eq 'authority').Status | Should -Be 'skip'
        ($findings | Where-Object Check -eq 'refresh_token').Status | Should -Be 'ok'
        @(Invoke-SamTestEmulator -Operation requests | Where-Object { [int]$_.seq -gt $sequence }) | Should -BeNullOrEmpty
    }

    It 'Invoke-SamKeepAlive rotates the token, and reports Entra''s refusal as an error' {
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        $status = Invoke-SamKeepAlive -Profile contoso -WarningAction SilentlyContinue
        $status.PSObject.TypeNames[0] | Should -Be 'SamBridge.RefreshTokenStatus'
        $status.DaysLeft | Should -BeGreaterThan 89.9
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Not -Be $before
        $null = Invoke-SamTestEmulator -Operation revoke_user -Body @{ upn = $ids.admin }
        $record = { Invoke-SamKeepAlive -Profile contoso -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.RefreshTokenRevoked*'
    }
}
