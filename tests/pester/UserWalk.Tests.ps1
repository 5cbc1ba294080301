# The module's bugs a new user met on a first walk (issue 13, bugs 2-10; 1 and 11 are in
# tests/core/test_user_walk.py, Health.Tests.ps1 and NonInteractive.Tests.ps1): each test failed
# on the code before the fix.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $graph = 'https://graph.microsoft.com/.default'
}

Describe 'A first walk through the module' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
    }
    AfterAll { Exit-SamTestHome }

    It 'bug 3: a mistyped -Profile is ItemNotFoundException SamBridge.ProfileNotFound with the profile name as TargetObject' {
        $record = { Get-SamConnectParameter -Target MgGraph -Profile contsoo -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.ProfileNotFound,*'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.Exception | Should -BeOfType ([System.Management.Automation.ItemNotFoundException])
        $record.TargetObject | Should -Be 'contsoo'
        $record.ErrorDetails.RecommendedAction + $record.Exception.Message | Should -Match 'Register-SamProfile -Name contsoo'
    }

    It 'bug 4: Connect-SamService takes tenants from the pipeline, and the README lists only parameters it has' {
        $standIn = Import-SamTestStandIn -Id 'Microsoft.Graph.Authentication-2.25.0'
        $reports = @('fabrikam.onmicrosoft.com', 'northwind.onmicrosoft.com' |
                Connect-SamService -Target MgGraph -Profile contoso -Confirm:$false -WarningAction SilentlyContinue)
        $reports.Count | Should -Be 2
        (Get-SamTestJwtClaim -Token $reports[1].parameters['AccessToken'].value).tid | Should -Be $ids.northwind
        $readme = Get-Content -LiteralPath (Join-Path -Path (Get-SamTestRepository) -ChildPath 'psmodule/README.md') -Raw
        $row = @($readme -split "`n" | Where-Object { $_.StartsWith('| `Connect-SamService` |') })[0]
        $named = @([regex]::Matches($row, '(?<=[\s\[])-([A-Z][A-Za-z]+)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $named.Count | Should -BeGreaterThan 3
        $have = (Get-Command -Name Connect-SamService).Parameters.Keys
        foreach ($name in $named) { $have | Should -Contain $name -Because "the README's row names -$name" }
        $null = $standIn
    }

    It 'bug 5: no command-line wording in PowerShell messages (consent of a confidential client, snippet header)' {
        New-SamTestProfile -TestHome $testHome -Name 'sp' -Secret
        $record = { Invoke-SamConsent -Profile sp -DeviceCode -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $record.Exception.Message | Should -Match '-Browser or -PrintUrl'
        $record.Exception.Message | Should -Not -Match '--browser|--print-url'
        $snippet = Get-SamConnectSnippet -Target MgGraph -Profile contoso -EmbedTokens -WarningAction SilentlyContinue
        $snippet | Should -Match 'Get-SamConnectSnippet -EmbedTokens'
        $snippet | Should -Not -Match '--embed-tokens'
    }

    It 'bug 6: -AllCustomers without customers says where the list comes from, and -PartnerCenterUrl sets it on the profile' {
        $null = Register-SamProfile -Name nocust -ApplicationId $ids.public_app -Tenant $ids.partner -Store $testHome.Store `
            -PartnerCenterUrl 'https://127.0.0.1:9/partner-center' -WarningAction SilentlyContinue -Confirm:$false
        (Get-SamProfile -Name nocust).PartnerCenterUrl | Should -Be 'https://127.0.0.1:9/partner-center'
        $store = Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token'
        Import-SamRefreshToken -Profile nocust -RefreshToken (ConvertTo-SecureString -String $store.value -AsPlainText -Force) -Confirm:$false | Out-Null
        $errors = @()
        $null = New-SamAccessToken -Profile nocust -AllCustomers -Scopes $graph -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $errors.Count | Should -BeGreaterThan 0
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Register-SamProfile -Name nocust .* -PartnerCenterUrl URL'
        $errors[0].ErrorDetails.RecommendedAction | Should -Match '-Customers TENANT'
    }

    It 'bug 7: a string -RefreshToken gets a specific error naming the conversion' {
        $record = { New-SamAccessToken -RefreshToken 'a-string-token' -ApplicationId $ids.public_app -Scopes $graph -Tenant $ids.partner -ErrorAction Stop } |
            Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.InvalidInput,*'
        $record.ErrorDetails.RecommendedAction | Should -Match 'ConvertTo-SecureString'
        $record.Exception.Message | Should -Not -Match 'a-string-token'
    }

    It 'bug 8: neither a token object nor a parameter hashtable shows a token when displayed or interpolated' {
        $token = New-SamAccessToken -Profile contoso -Scopes $graph -WarningAction SilentlyContinue
        "$token" | Should -Not -Match ([regex]::Escape($token.AccessToken.Substring(0, 30)))
        "$token" | Should -Match "<hidden: $($token.AccessToken.Length) characters>"
        $params = Get-SamConnectParameter -Target AzAccount -Profile contoso -WarningAction SilentlyContinue
        $shown = ($params | Out-String -Width 400) + ($params | Format-List | Out-String -Width 400)
        $shown | Should -Not -Match 'eyJ[A-Za-z0-9_-]{20}'
        $shown | Should -Match '<hidden: \d+ characters>'
        # The cmdlet still gets the token itself.
        $params['AccessToken'] | Should -BeOfType ([string])
        ([string]$params['AccessToken']).StartsWith('eyJ') | Should -BeTrue
    }

    It 'bug 9: duplicate tenants in a batch are reported, not dropped silently' {
        $tenants = @($ids.fabrikam, $ids.fabrikam, $ids.northwind, $ids.fabrikam.ToUpperInvariant())
        $warnings = @()
        $tokens = @($tenants | New-SamAccessToken -Profile contoso -Scopes $graph -WarningVariable warnings -WarningAction SilentlyContinue)
        $tokens.Count | Should -Be 2
        ($warnings -join ' ') | Should -Match '4 tenants were given but only 2 are distinct'
    }

    It 'bug 10: Set-SamBridgeOption InProcess sets the transport, not -PythonPath' {
        $before = Get-SamBridgeOption
        try {
            Set-SamBridgeOption ChildProcess -Confirm:$false
            $after = Get-SamBridgeOption
            $after.Transport | Should -Be 'ChildProcess'
            $after.PythonPath | Should -Be $before.PythonPath
            { Set-SamBridgeOption ChildProcess /usr/bin/python3 -Confirm:$false -ErrorAction Stop } | Should -Throw
        } finally {
            Set-SamBridgeOption -Transport $(if ($before.Transport) { $before.Transport } else { 'Auto' }) -Confirm:$false
        }
    }
}

Describe 'SAM_BRIDGE_CLI naming a program path with spaces (bug 2)' -Tag 'ChildProcess' {
    BeforeAll {
        $testHome = Enter-SamTestHome -KeepEmulatorState
        $python = Get-SamTestPython
        $folder = Join-Path -Path $testHome.Path -ChildPath 'Program Files'
        $null = New-Item -ItemType Directory -Path $folder
        $wrapper = Join-Path -Path $folder -ChildPath 'py wrapper'
        Set-Content -LiteralPath $wrapper -Value "#!/bin/sh`nexec '$python' `"`$@`"`n" -NoNewline
        & chmod +x $wrapper
        $savedPython = $env:SAM_BRIDGE_PYTHON
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
    }
    AfterAll {
        Remove-Item -Path Env:SAM_BRIDGE_CLI -ErrorAction SilentlyContinue
        $env:SAM_BRIDGE_PYTHON = $savedPython
        Exit-SamTestHome
    }

    It 'runs a quoted program path with spaces followed by arguments (<Quote>)' -TestCases @(@{ Quote = '"' }, @{ Quote = "'" }) {
        param($Quote)
        $env:SAM_BRIDGE_CLI = "$Quote$wrapper$Quote -m bridge"
        $option = Get-SamBridgeOption
        $option.CoreSource | Should -Be 'SAM_BRIDGE_CLI'
        $option.CoreCommand | Should -Be "$wrapper -m bridge rpc"
        { Get-SamProfile -ErrorAction Stop } | Should -Not -Throw
    }

    It 'the -Via Cli snippet runs the same quoted command' {
        $env:SAM_BRIDGE_PYTHON = $python
        New-SamTestProfile -TestHome $testHome -Name 'viacli' -Consent
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $env:SAM_BRIDGE_CLI = "`"$wrapper`" -m bridge"
        $snippet = Get-SamConnectSnippet -Target MgGraph -Profile viacli -Via Cli
        $standIn = Get-SamTestStandIn -Id 'Microsoft.Graph.Authentication-2.25.0'
        $text = "Import-Module -Name '$($standIn.manifest)'`n$snippet"
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($text))
        $pwsh = Join-Path -Path (Get-SamTestRepository) -ChildPath '.tools/pwsh'
        $output = & $pwsh -NoLogo -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $output
        $output | Should -Not -Match 'was not found'
    }
}
