# Every state-changing cmdlet in a session that cannot prompt (pwsh -NonInteractive: a scheduled
# task, CI): when confirmation would be asked, the cmdlet stops with
# SamBridge.ConfirmationUnavailable, changes nothing (configuration, store, emulator) and pwsh exits
# non-zero. Each case runs in its own `pwsh -NonInteractive` child, as a job would.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $script:pwsh = Join-Path -Path (Get-SamTestRepository) -ChildPath '.tools/pwsh'
    $script:module = Join-Path -Path (Get-SamTestRepository) -ChildPath 'psmodule/SamBridge'

    function Invoke-NonInteractive {
        # Runs $Script in `pwsh -NonInteractive` with the module loaded; returns exit code and output.
        param([Parameter(Mandatory = $true)][string] $Script, [string] $Preamble = '')
        $text = "Import-Module -Name '$script:module'`n$Preamble`n$Script"
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($text))
        $output = & $script:pwsh -NoLogo -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | Out-String
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
    }
}

BeforeDiscovery {
# One case per state-changing cmdlet (and its parameter sets that change different state).
$cases = @(
        @{ Name = 'Unregister-SamProfile (pipeline)'; Preamble = ''; Script = 'Get-SamProfile | Unregister-SamProfile' }
        @{ Name = 'Unregister-SamProfile -KeepSecrets'; Preamble = ''; Script = 'Unregister-SamProfile -Name victim -KeepSecrets' }
        @{ Name = 'Register-SamProfile'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'Register-SamProfile -Name newone -ApplicationId d08dc19e-ba2a-454d-8b27-fe0fdf4a176c -Tenant contoso.onmicrosoft.com' }
        @{ Name = 'Register-SamProfile -Force (replace)'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'Register-SamProfile -Name victim -ApplicationId d08dc19e-ba2a-454d-8b27-fe0fdf4a176c -Tenant contoso.onmicrosoft.com -Force' }
        @{ Name = 'Import-SamRefreshToken'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'Import-SamRefreshToken -Profile victim -RefreshToken (ConvertTo-SecureString -String ''0.AXreplacement'' -AsPlainText -Force)' }
        @{ Name = 'Invoke-SamConsent'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'Invoke-SamConsent -Profile victim' }
        @{ Name = 'New-SamAccessToken -Profile'; Preamble = '$ConfirmPreference = ''Low'''; Script = 'New-SamAccessToken -Profile victim -Force' }
        @{ Name = 'New-SamAccessToken -Tenant'; Preamble = '$ConfirmPreference = ''Low'''; Script = 'New-SamAccessToken -Profile victim -Tenant fabrikam.onmicrosoft.com -Force' }
        @{ Name = 'New-SamAccessToken -AllCustomers'; Preamble = '$ConfirmPreference = ''Low'''; Script = 'New-SamAccessToken -Profile victim -AllCustomers -Force' }
        @{ Name = 'New-SamAccessToken -RefreshToken'; Preamble = '$ConfirmPreference = ''Low'''; Script = 'New-SamAccessToken -RefreshToken (ConvertTo-SecureString -String ''0.AXsomething'' -AsPlainText -Force) -ApplicationId d08dc19e-ba2a-454d-8b27-fe0fdf4a176c -Tenant contoso.onmicrosoft.com -Scopes https://graph.microsoft.com/.default' }
        @{ Name = 'Invoke-SamKeepAlive'; Preamble = '$ConfirmPreference = ''Low'''; Script = 'Invoke-SamKeepAlive -Profile victim' }
        @{ Name = 'Connect-SamService'; Preamble = 'STANDIN`n$ConfirmPreference = ''Medium'''; Script = 'Connect-SamService -Target MgGraph -Profile victim' }
        @{ Name = 'Invoke-SamCustomerJob'; Preamble = 'STANDIN`n$ConfirmPreference = ''Medium'''; Script = 'Invoke-SamCustomerJob -Target MgGraph -Profile victim -AllCustomers -ScriptBlock { ''CHANGED'' }' }
        @{ Name = 'Install-SamBridgeCore'; Preamble = '$ConfirmPreference = ''Medium'''; Script = '$target = Join-Path ([System.IO.Path]::GetTempPath()) ([guid]::NewGuid()); Install-SamBridgeCore -Path $target; $stopped = -not $?; if (Test-Path -LiteralPath $target) { ''CHANGED'' }; if ($stopped) { exit 1 }' }
        @{ Name = 'New-SamApplication'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'New-SamApplication -Name victim -Targets PartnerCenter' }
        @{ Name = 'Grant-SamCustomerConsent'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'Grant-SamCustomerConsent -Profile victim -Tenant fabrikam.onmicrosoft.com' }
        @{ Name = 'Update-SamApplicationCredential'; Preamble = '$ConfirmPreference = ''Medium'''; Script = 'Update-SamApplicationCredential -Profile victim' }
        @{ Name = 'Set-SamBridgeOption'; Preamble = '$ConfirmPreference = ''Low'''; Script = 'Set-SamBridgeOption -ConfigPath /tmp/elsewhere.toml; $stopped = -not $?; if ((Get-SamBridgeOption).ConfigPath -like ''*elsewhere*'') { ''CHANGED'' }; if ($stopped) { exit 1 }' }
)
$scripts = @{ Scripts = @($cases | ForEach-Object { $_.Script }) }
}

Describe 'A state-changing cmdlet that cannot ask for confirmation stops' -Tag 'ChildProcess' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'victim' -Consent
        $standIn = Get-SamTestStandIn -Id 'Microsoft.Graph.Authentication-2.25.0'
    }
    AfterAll { Exit-SamTestHome }

    BeforeEach {
        $tokenBefore = (Get-SamTestStoreEntry -TestHome $testHome -Name 'victim/refresh-token').value
        $configBefore = Get-Content -LiteralPath $testHome.Config -Raw
        $storeBefore = Get-Content -LiteralPath $testHome.StorePath -Raw
        $sequence = Get-SamTestLastSequence
    }

    It 'pwsh -NonInteractive -Command "Unregister-SamProfile -Name victim" keeps the profile and its secrets and exits non-zero' {
        # The literal command line of the report (the module is found by its path on PSModulePath).
        $env:PSModulePath = (Split-Path -Path $script:module -Parent) + [System.IO.Path]::PathSeparator + $env:PSModulePath
        try {
            $output = & $script:pwsh -NoLogo -NoProfile -NonInteractive -Command 'Unregister-SamProfile -Name victim' 2>&1 | Out-String
            $code = $LASTEXITCODE
        } finally {
            $env:PSModulePath = ($env:PSModulePath -split [System.IO.Path]::PathSeparator | Select-Object -Skip 1) -join [System.IO.Path]::PathSeparator
        }
        $code | Should -Not -Be 0
        $output | Should -Match 'SamBridge.ConfirmationUnavailable|Nothing was changed'
        Get-Content -LiteralPath $testHome.Config -Raw | Should -Be $configBefore
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'victim/refresh-token').value | Should -Be $tokenBefore
        (Get-SamProfile -Name victim).Name | Should -Be 'victim'
    }

    It '<Name> stops, changes nothing and exits non-zero' -TestCases $cases {
        param($Name, $Preamble, $Script)
        $Preamble = $Preamble.Replace('STANDIN`n', "Import-Module -Name '$($standIn.manifest)'`n")
        $run = Invoke-NonInteractive -Preamble $Preamble -Script $Script
        $run.ExitCode | Should -Not -Be 0 -Because $run.Output
        $run.Output | Should -Match 'Nothing was changed' -Because 'the error says so'
        $run.Output | Should -Not -CMatch 'CHANGED'
        Get-Content -LiteralPath $testHome.Config -Raw | Should -Be $configBefore
        Get-Content -LiteralPath $testHome.StorePath -Raw | Should -Be $storeBefore
        @(Invoke-SamTestEmulator -Operation requests | Where-Object { [int]$_.seq -gt $sequence }) | Should -BeNullOrEmpty
    }

    It 'covers every exported cmdlet that supports ShouldProcess' -TestCases $scripts {
        param($Scripts)
        $covered = @($Scripts | ForEach-Object { [regex]::Matches($_, '[A-Z][a-z]+-Sam[A-Za-z]+') | ForEach-Object { $_.Value } })
        foreach ($command in @(Get-Command -Module SamBridge | Where-Object { $_.Parameters.ContainsKey('WhatIf') })) {
            $covered | Should -Contain $command.Name
        }
    }

    It 'the error is a specific ErrorRecord naming the target' {
        $run = Invoke-NonInteractive -Script 'try { Unregister-SamProfile -Name victim -ErrorAction Stop } catch { "{0}|{1}|{2}" -f $_.FullyQualifiedErrorId, $_.CategoryInfo.Category, $_.TargetObject }'
        $run.Output | Should -Match "SamBridge.ConfirmationUnavailable(,Unregister-SamProfile)?\|OperationStopped\|profile 'victim'"
    }

    It 'still proceeds when confirmed in advance' {
        $run = Invoke-NonInteractive -Script 'Invoke-SamKeepAlive -Profile victim -Confirm:$false | ForEach-Object State'
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output.Trim() | Should -Be 'ok'
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'victim/refresh-token').value | Should -Not -Be $tokenBefore
    }
}
