# The MFA claim Partner Center demands: a consent without MFA (the partner tenant does MFA outside
# Entra, so Entra issues the token) warns on the next Partner Center token, naming 900421 and the
# cmdlet to consent again, and Partner Center's refusal of the customer list is an ErrorRecord
# with that remediation.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $graph = 'https://graph.microsoft.com/.default'
}

Describe 'A consent without the MFA claim' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
    }
    AfterAll { Exit-SamTestHome }
    BeforeEach {
        $null = Invoke-SamTestEmulator -Operation reset
        $null = Invoke-SamTestEmulator -Operation set_conditional_access -Body @{ tenant = $ids.partner; external_mfa = $true }
        $null = Register-SamProfile -Name 'pc' -ApplicationId $ids.public_app -Tenant $ids.partner -Store $testHome.Store `
            -PartnerCenterUrl $testHome.Emulator.partner_center_url -Force -ErrorAction Stop -WarningAction SilentlyContinue
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.helpdesk; mfa = $false }
        $null = Invoke-SamConsent -Profile pc -ErrorAction Stop -WarningAction SilentlyContinue 6>$null
    }

    It 'warns on the next Partner Center token, naming 900421 and the command to consent again' {
        $warnings = $null
        $token = New-SamAccessToken -Profile pc -WarningVariable warnings -WarningAction SilentlyContinue
        @((Get-SamTestJwtClaim -Token $token.AccessToken).amr) | Should -Not -Contain 'mfa'
        $texts = @($warnings | ForEach-Object { $_.Message })
        $texts | Should -HaveCount 1
        $texts[0] | Should -BeLike "the Partner Center access token of profile 'pc' has no 'mfa' in its amr claim*"
        # A PowerShell user is told the cmdlet to run (`?`: a backtick is the wildcard escape character).
        $texts[0] | Should -BeLike '*Consent again with Entra MFA: run ?Invoke-SamConsent -Profile pc? with*error 900421*'
        $texts[0] | Should -Not -BeLike "*$($token.AccessToken)*"
    }

    It 'turns Partner Center''s 900421 into an error with the remediation' {
        $record = { New-SamAccessToken -Profile pc -AllCustomers -Scopes $graph -Force -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'SamBridge.MfaClaimRequired,*' -PassThru
        $record.Exception.Message | Should -BeLike '*error 900421*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Invoke-SamConsent -Profile pc*error 900421*'
    }
}
