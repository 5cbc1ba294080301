# Invoke-SamConsent end to end against the emulator: the device code approved through the emulator's
# control API (as a person would on another device), the print-URL route with the redirected URL
# typed back, the browser route through BROWSER, and the refusals.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
}

Describe 'Invoke-SamConsent' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'public'
        New-SamTestProfile -TestHome $testHome -Name 'secret' -Secret
        New-SamTestProfile -TestHome $testHome -Name 'graph' -Scopes 'https://graph.microsoft.com/.default'
    }
    AfterAll { Exit-SamTestHome }
    BeforeEach { $null = Invoke-SamTestEmulator -Operation reset }

    It 'with a device code: shows the code, stores the refresh token of the MFA sign-in' {
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.admin; mfa = $true }
        $output = Invoke-SamConsent -Profile public -WarningAction SilentlyContinue 6>&1
        $shown = @($output | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { [string]$_.MessageData })
        $result = @($output | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] })
        $approval = @(Invoke-SamTestEmulator -Operation approvals)[0]
        $shown.Count | Should -Be 1
        $shown[0] | Should -BeLike "*$($testHome.Emulator.authority_host)/devicelogin*"
        $shown[0] | Should -BeLike "*$($approval.user_code)*"
        $result.Count | Should -Be 1
        $result[0].PSObject.TypeNames[0] | Should -Be 'SamBridge.ConsentResult'
        $result[0].Profile | Should -Be 'public'
        $result[0].User | Should -Be $ids.admin
        $result[0].TenantId | Should -Be $ids.partner
        $result[0].Mfa | Should -BeTrue
        $result[0].Method | Should -Be 'device-code'
        $stored = Get-SamTestStoreEntry -TestHome $testHome -Name 'public/refresh-token'
        $stored.value | Should -Not -BeNullOrEmpty
        $stored.metadata.source | Should -Be 'device-code'
        (Get-SamRefreshTokenStatus -Profile public).State | Should -Be 'ok'
    }

    It 'warns when the sign-in had no MFA' {
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.helpdesk; mfa = $false }
        $warnings = $null
        $result = Invoke-SamConsent -Profile graph -WarningVariable warnings -WarningAction SilentlyContinue 6>$null
        $result.Mfa | Should -BeFalse
        @($warnings | ForEach-Object { $_.Message }) | Should -Contain 'the consent of helpdesk@contosopartner.onmicrosoft.com did not include MFA: Partner Center and MFA-protected resources will refuse its tokens (AADSTS50076)'
    }

    It 'with -PrintUrl: shows the sign-in URL and takes the redirected URL typed back' {
        Mock -ModuleName SamBridge Read-SamHostInput {
            $url = [regex]::Match($Context, 'https://\S+').Value
            (Invoke-SamTestEmulator -Operation sign_in -Body @{ url = $url; mfa = $true }).location
        }
        $output = Invoke-SamConsent -Profile secret -PrintUrl -WarningAction SilentlyContinue 6>&1
        $result = @($output | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] })
        $shown = @($output | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { [string]$_.MessageData })
        $shown[0] | Should -BeLike "Open this URL in a browser on any machine and sign in:*$($testHome.Emulator.authority_host)/$($ids.partner)/oauth2/v2.0/authorize?*"
        Should -Invoke -ModuleName SamBridge Read-SamHostInput -Times 1 -Exactly -ParameterFilter { $Name -eq 'redirect_url' }
        $result[0].Method | Should -Be 'print-url'
        $result[0].Mfa | Should -BeTrue
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'secret/refresh-token').metadata.source | Should -Be 'print-url'
        # The confidential client's token works: its secret came from the store, never from a command line.
        (New-SamAccessToken -Profile secret -WarningAction SilentlyContinue).TenantId | Should -Be $ids.partner
    }

    It 'with -PrintUrl: refuses a URL that is not the redirect, and stores nothing' {
        Mock -ModuleName SamBridge Read-SamHostInput { 'https://example.com/not-the-redirect' }
        $before = Get-SamTestStoreEntry -TestHome $testHome -Name 'secret/refresh-token'
        $record = { Invoke-SamConsent -Profile secret -PrintUrl -ErrorAction Stop -WarningAction SilentlyContinue 6>$null } |
            Should -Throw -ErrorId 'SamBridge.InvalidInput,*' -PassThru
        $record.Exception.Message | Should -BeLike '*goes to example.com*'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'secret/refresh-token') | ConvertTo-Json -Depth 5 |
            Should -Be ($before | ConvertTo-Json -Depth 5)
    }

    It 'with -Browser: the browser signs in and its redirect reaches the loopback listener' {
        $env:BROWSER = "$(Get-SamTestPython) $(Join-Path -Path $PSScriptRoot -ChildPath 'emulator_helper.py') browse %s"
        try {
            $result = Invoke-SamConsent -Profile secret -Browser -TimeoutSeconds 60 -WarningAction SilentlyContinue 6>$null
        } finally {
            Remove-Item -Path Env:BROWSER
        }
        $result.Method | Should -Be 'browser'
        $result.User | Should -Be $ids.admin
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'secret/refresh-token').metadata.source | Should -Be 'browser'
    }

    It 'reports a declined sign-in as SamBridge.ConsentFailed and keeps the stored token' {
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ decline = $true }
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'public/refresh-token').value
        $record = { Invoke-SamConsent -Profile public -ErrorAction Stop -WarningAction SilentlyContinue 6>$null } | Should -Throw -ErrorId 'SamBridge.ConsentFailed,*' -PassThru
        $record.CategoryInfo.Category | Should -Be 'OperationStopped'
        $record.ErrorDetails.RecommendedAction | Should -Be 'The user declined the sign-in. Run consent again.'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'public/refresh-token').value | Should -Be $before
    }

    It 'refuses the device code for a confidential client before anyone signs in' {
        $record = { Invoke-SamConsent -Profile secret -DeviceCode -ErrorAction Stop -WarningAction SilentlyContinue 6>$null } | Should -Throw -ErrorId 'SamBridge.InvalidInput,*' -PassThru
        $record.Exception.Message | Should -BeLike '*confidential client*'
        @(Invoke-SamTestEmulator -Operation requests | Where-Object { $_.endpoint -eq 'devicecode' }) | Should -BeNullOrEmpty
    }

    It '-WhatIf signs nobody in' {
        $null = Invoke-SamConsent -Profile public -WhatIf 6>$null
        @(Invoke-SamTestEmulator -Operation requests) | Should -BeNullOrEmpty
    }
}
