# Register-SamProfile, Get-SamProfile, Unregister-SamProfile and Test-SamProfile against a real
# configuration file and file store: what is written where (secrets only in the store), replacing,
# wildcards, removal with and without secrets, and the doctor's findings.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
}

Describe 'Register-SamProfile' {
    BeforeEach {
        $testHome = Enter-SamTestHome -KeepEmulatorState
        $ids = $testHome.Ids
    }
    AfterEach { Exit-SamTestHome }

    It 'creates a public-client profile, the first one becoming the default' {
        $created = Register-SamProfile -Name contoso -ApplicationId $ids.public_app -Tenant contosopartner.onmicrosoft.com -Store $testHome.Store -WarningAction SilentlyContinue
        $created.PSObject.TypeNames[0] | Should -Be 'SamBridge.Profile'
        $created.Name | Should -Be 'contoso'
        $created.Profile | Should -Be 'contoso'
        $created.Default | Should -BeTrue
        $created.ApplicationId | Should -Be $ids.public_app
        $created.Tenant | Should -Be 'contosopartner.onmicrosoft.com'
        $created.Credential | Should -Be 'none'
        $created.AuthorityHost | Should -Be $testHome.Emulator.authority_host
        $created.ConfigPath | Should -Be $testHome.Config
        @($created.Scopes) | Should -Be @('https://api.partnercenter.microsoft.com/user_impersonation')
        (Get-SamProfile -Name contoso).ApplicationId | Should -Be $ids.public_app
    }

    It 'keeps a client secret given as a SecureString in the store, never in the configuration file' {
        $secret = 'secret-' + [guid]::NewGuid().ToString('n')
        $created = Register-SamProfile -Name sp -ApplicationId $ids.secret_app -Tenant $ids.partner -ClientSecret (ConvertTo-SecureString -String $secret -AsPlainText -Force) -Store $testHome.Store -WarningAction SilentlyContinue
        $created.Credential | Should -Be 'secret'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'sp/client-secret').value | Should -Be $secret
        Get-Content -LiteralPath $testHome.Config -Raw | Should -Not -Match $secret
    }

    It 'takes a service principal''s PSCredential: the user name is the application id' {
        $credential = New-Object System.Management.Automation.PSCredential($ids.secret_app, (ConvertTo-SecureString -String $ids.client_secret -AsPlainText -Force))
        $created = Register-SamProfile -Name sp -Credential $credential -Tenant $ids.partner -Store $testHome.Store -WarningAction SilentlyContinue
        $created.ApplicationId | Should -Be $ids.secret_app
        $created.Credential | Should -Be 'secret'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'sp/client-secret').value | Should -Be $ids.client_secret
        # The stored secret is the one Entra accepts.
        (Test-SamProfile -Profile sp -WarningAction SilentlyContinue | Where-Object { $_.Check -eq 'app_kind' }).Status | Should -Be 'ok'
    }

    It 'loads a certificate from a relative path and reports its thumbprint and expiry' {
        $pem = Join-Path -Path $testHome.Path -ChildPath 'client.pem'
        $certificate = Invoke-SamTestEmulator -Operation certificate -Body @{ path = $pem }
        Push-Location -LiteralPath $testHome.Path
        try {
            $created = Register-SamProfile -Name cert -ApplicationId $ids.cert_app -Tenant $ids.partner -CertificatePath './client.pem' -Store $testHome.Store -WarningAction SilentlyContinue
        } finally {
            Pop-Location
        }
        $created.Credential | Should -Be 'certificate'
        $created.Thumbprint | Should -Be $certificate.thumbprint
        $created.NotAfter | Should -BeOfType ([System.DateTimeOffset])
        $created.NotAfter | Should -BeGreaterThan ([System.DateTimeOffset]::UtcNow.AddDays(20))
        Get-SamTestStoreEntry -TestHome $testHome -Name 'cert/client-certificate' | Should -Not -BeNullOrEmpty
        (Test-SamProfile -Profile cert -WarningAction SilentlyContinue | Where-Object { $_.Check -eq 'app_kind' }).Status | Should -Be 'ok'
    }

    It 'refuses to replace a profile without -Force, and keeps the stored refresh token with -Force' {
        New-SamTestProfile -TestHome $testHome -Name contoso -Consent
        $token = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        $record = { Register-SamProfile -Name contoso -ApplicationId $ids.public_app -Tenant $ids.partner -ErrorAction Stop } |
            Should -Throw -ErrorId 'SamBridge.ProfileExists,Register-SamProfile' -PassThru
        $record.CategoryInfo.Category | Should -Be 'ResourceExists'
        $record.ErrorDetails.RecommendedAction | Should -BeLike 'Use -Force*'
        $replaced = Register-SamProfile -Name contoso -ApplicationId $ids.public_app -Tenant $ids.partner -Store $testHome.Store -Scopes 'https://graph.microsoft.com/.default' -Force -WarningAction SilentlyContinue
        @($replaced.Scopes) | Should -Be @('https://graph.microsoft.com/.default')
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value | Should -Be $token
    }

    It '-Default makes it the default, and -WhatIf writes nothing' {
        New-SamTestProfile -TestHome $testHome -Name first
        $second = Register-SamProfile -Name second -ApplicationId $ids.public_app -Tenant $ids.partner -Store $testHome.Store -Default -WarningAction SilentlyContinue
        $second.Default | Should -BeTrue
        @(Get-SamProfile | Where-Object Default | ForEach-Object Name) | Should -Be @('second')
        Register-SamProfile -Name third -ApplicationId $ids.public_app -Tenant $ids.partner -WhatIf | Should -BeNullOrEmpty
        @(Get-SamProfile | ForEach-Object Name) | Should -Be @('first', 'second')
    }
}

Describe 'Get-SamProfile and Unregister-SamProfile' {
    BeforeEach {
        $testHome = Enter-SamTestHome -KeepEmulatorState
        New-SamTestProfile -TestHome $testHome -Name contoso-a
        New-SamTestProfile -TestHome $testHome -Name contoso-b
        New-SamTestProfile -TestHome $testHome -Name other -Secret
    }
    AfterEach { Exit-SamTestHome }

    It 'finds profiles by wildcard, by several names, and from the pipeline' {
        @(Get-SamProfile -Name 'CONTOSO-*' | ForEach-Object Name) | Should -Be @('contoso-a', 'contoso-b')
        @(Get-SamProfile -Name other, contoso-a | ForEach-Object Name) | Should -Be @('other', 'contoso-a')
        @('contoso-b', 'other' | Get-SamProfile | ForEach-Object Name) | Should -Be @('contoso-b', 'other')
        @(Get-SamProfile -Name 'nothing-*') | Should -BeNullOrEmpty
        ((Get-SamProfile -Name other) | Out-String) | Should -Not -Match 'emulator-client-secret-value'
    }

    It 'removes a profile with its secrets, piped from Get-SamProfile' {
        Get-SamProfile -Name other | Unregister-SamProfile -Force
        @(Get-SamProfile | ForEach-Object Name) | Should -Be @('contoso-a', 'contoso-b')
        Get-SamTestStoreEntry -TestHome $testHome -Name 'other/client-secret' | Should -BeNullOrEmpty
    }

    It 'keeps the store''s entries with -KeepSecrets, and removes nothing with -WhatIf' {
        Unregister-SamProfile -Name other -WhatIf
        @(Get-SamProfile | ForEach-Object Name) | Should -Contain 'other'
        Unregister-SamProfile -Name other -KeepSecrets -Confirm:$false
        @(Get-SamProfile | ForEach-Object Name) | Should -Not -Contain 'other'
        Get-SamTestStoreEntry -TestHome $testHome -Name 'other/client-secret' | Should -Not -BeNullOrEmpty
    }

    It 'asks before removing (ConfirmImpact High) unless -Force' {
        (Get-Command -Name Unregister-SamProfile).ScriptBlock.Attributes |
            Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] } |
            ForEach-Object { $_.ConfirmImpact } | Should -Be 'High'
    }
}

Describe 'Test-SamProfile' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name contoso -Consent
        New-SamTestProfile -TestHome $testHome -Name empty
    }
    AfterAll { Exit-SamTestHome }

    It 'runs every check in order on a healthy profile, the customers included' {
        $findings = @(Test-SamProfile -Profile contoso -Tenant woodgrove.onmicrosoft.com, fabrikam.onmicrosoft.com -WarningAction SilentlyContinue)
        $findings[0].PSObject.TypeNames[0] | Should -Be 'SamBridge.DoctorFinding'
        @($findings | ForEach-Object Check) | Should -Be @('config', 'store', 'authority', 'clock', 'app_kind', 'loopback_port', 'refresh_token', 'mfa', 'customer:woodgrove.onmicrosoft.com', 'customer:fabrikam.onmicrosoft.com')
        @($findings | Select-Object -First 8 | ForEach-Object Status | Select-Object -Unique) | Should -Be @('ok')
        $woodgrove = $findings[8]
        $woodgrove.Status | Should -Be 'fail'
        $woodgrove.Detail | Should -Match 'AADSTS65001'
        $woodgrove.Fix | Should -Not -BeNullOrEmpty
        $findings[9].Status | Should -Be 'ok'
        $findings[0].Profile | Should -Be 'contoso'
        Test-SamProfile -Profile contoso -Quiet -WarningAction SilentlyContinue | Should -BeTrue
    }

    It 'fails a profile without a refresh token, saying what to run, and skips what depends on it' {
        $findings = @(Get-SamProfile -Name empty | Test-SamProfile -WarningAction SilentlyContinue)
        $token = $findings | Where-Object Check -eq 'refresh_token'
        $token.Status | Should -Be 'fail'
        $token.Fix | Should -BeLike '*Invoke-SamConsent -Profile empty*Import-SamRefreshToken -Profile empty*'
        ($findings | Where-Object Check -eq 'mfa').Status | Should -Be 'skip'
        Test-SamProfile -Profile empty -Quiet -WarningAction SilentlyContinue | Should -BeFalse
    }
}
