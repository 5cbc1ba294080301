# The samples in samples/powershell: the reference doc's Partner Center script ported to
# New-SamAccessToken runs against the emulator (Partner Center stand-in of the real parameter
# sets), every sample is Windows PowerShell 5.1 syntax without a token in it, and the module-based
# samples connect. (tests/targets/test_samples.py runs every sample against every module shape.)
BeforeDiscovery {
    $script:samples = @(Get-ChildItem -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../samples/powershell') -Filter '*.ps1' |
            ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Compatibility.ps1')
    $sampleRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../samples/powershell')).ProviderPath
    $testHome = Enter-SamTestHome
    $ids = $testHome.Ids
}

AfterAll {
    Remove-SamTestStandIn
    Exit-SamTestHome
}

Describe 'ReferenceDoc-PartnerCenter.ps1: the doc''s Partner Center sample with New-SamAccessToken' {
    BeforeAll {
        $login = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'secret' }
        $refreshToken = ConvertTo-SecureString -String $login.refresh_token -AsPlainText -Force
        $credential = New-Object System.Management.Automation.PSCredential($ids.secret_app, (ConvertTo-SecureString -String $ids.client_secret -AsPlainText -Force))
        $script = Join-Path -Path $sampleRoot -ChildPath 'ReferenceDoc-PartnerCenter.ps1'
    }
    AfterEach { Remove-SamTestStandIn }

    It 'connects PartnerCenter 3.x with a Partner Center token of the service principal''s app' {
        $standIn = Import-SamTestStandIn -Id 'PartnerCenter-3.0.10'
        $report = & $script -ApplicationId $ids.secret_app -Tenant $ids.partner -Credential $credential -RefreshToken $refreshToken
        $report.standin | Should -Be $standIn.id
        $report.parameter_set | Should -Be 'AccessToken'
        @($report.parameters.Keys | Sort-Object) | Should -Be @('AccessToken', 'Tenant')
        $report.parameters['Tenant'].value | Should -Be $ids.partner
        $token = $report.parameters['AccessToken'].value
        $claims = Get-SamTestJwtClaim -Token $token
        $claims.aud | Should -Be 'https://api.partnercenter.microsoft.com'
        $claims.appid | Should -Be $ids.secret_app
        $claims.tid | Should -Be $ids.partner
        @($claims.amr) | Should -Contain 'mfa'
        $customers = Invoke-SamTestEmulator -Operation partner_center_customers -Body @{ token = $token }
        $customers.status | Should -Be 200
        @($customers.body.items | ForEach-Object { $_.companyProfile.domain }) | Should -Contain 'fabrikam.onmicrosoft.com'
    }

    It 'changes only what had to change: the doc''s -ApplicationId does not bind on 3.x, and did on 2.0.1909.1' {
        $token = New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -RefreshToken $refreshToken -Scopes 'https://api.partnercenter.microsoft.com/user_impersonation' -ServicePrincipal -Tenant $ids.partner
        $null = Import-SamTestStandIn -Id 'PartnerCenter-3.0.10'
        { PartnerCenter\Connect-PartnerCenter -AccessToken $token.AccessToken -ApplicationId $ids.secret_app -Tenant $ids.partner } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,*'
        $null = Import-SamTestStandIn -Id 'PartnerCenter-2.0.1909.1'
        (PartnerCenter\Connect-PartnerCenter -AccessToken $token.AccessToken -ApplicationId $ids.secret_app -Tenant $ids.partner).parameter_set | Should -Be 'AccessToken'
        $text = Get-Content -LiteralPath $script -Raw
        $text | Should -Match ([regex]::Escape("New-SamAccessToken -ApplicationId `$ApplicationId -Credential `$Credential -RefreshToken `$RefreshToken -Scopes 'https://api.partnercenter.microsoft.com/user_impersonation' -ServicePrincipal -Tenant `$Tenant"))
    }
}

Describe 'The module-based samples' {
    BeforeAll { New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent }
    AfterEach { Remove-SamTestStandIn }

    It 'Connect-MicrosoftGraph.ps1 connects a customer with a SecureString token' {
        $null = Import-SamTestStandIn -Id 'Microsoft.Graph.Authentication-2.25.0'
        $report = & (Join-Path -Path $sampleRoot -ChildPath 'Connect-MicrosoftGraph.ps1') -ProfileName contoso -Tenant fabrikam.onmicrosoft.com 3>$null
        $report.parameters['AccessToken'].type | Should -Be 'System.Security.SecureString'
        (Get-SamTestJwtClaim -Token $report.parameters['AccessToken'].value).tid | Should -Be $ids.fabrikam
    }

    It 'Connect-PartnerCenter.ps1 follows the installed module''s shape' {
        $null = Import-SamTestStandIn -Id 'PartnerCenter-2.0.1909.1'
        $report = & (Join-Path -Path $sampleRoot -ChildPath 'Connect-PartnerCenter.ps1') -ProfileName contoso 3>$null
        @($report.parameters.Keys | Sort-Object) | Should -Be @('AccessToken', 'ApplicationId', 'Tenant')
    }
}

Describe 'Every PowerShell sample' {
    It '<Name> is Windows PowerShell 5.1 syntax, uses the module and holds no token' -ForEach $samples {
        $text = Get-Content -LiteralPath $Path -Raw
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$null, [ref]$errors)
        @($errors) | Should -BeNullOrEmpty
        @(Get-CompatibilityProblem -Text $text) | Should -BeNullOrEmpty
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.'
        $text | Should -Match 'Get-SamConnectParameter|New-SamAccessToken'
    }
}
