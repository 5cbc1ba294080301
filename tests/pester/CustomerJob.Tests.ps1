# Customer readiness and jobs over customers (issue 18), through the cmdlets, against the emulator
# seeded with a customer in each state (tests/customers/conftest.py: ready, nested group, expired,
# missing role, user not in the group, no consent, a limited role without consent).
#
# The Connect-* modules are not installed here: stand-in modules of the same names and versions
# (written below) bind the parameters the real cmdlets take, record every token they are given, and
# refuse work on an expired one, as the services would. The five-minute job is tagged 'Once': run.ps1
# runs it in one transport only.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global

    function Enter-ReadinessWorld {
        # A test home, the customers in every state, and a consented profile on the emulator's
        # Graph and Partner Center without a customers list of its own (-AllCustomers asks Partner Center).
        $testHome = Enter-SamTestHome
        $world = Invoke-SamTestEmulator -Operation readiness_world
        $emulator = $testHome.Emulator
        $null = Register-SamProfile -Name contoso -ApplicationId $testHome.Ids.public_app -Tenant $testHome.Ids.partner `
            -Store $testHome.Store -GraphUrl $emulator.graph_url -PartnerCenterUrl $emulator.partner_center_url `
            -ErrorAction Stop -WarningAction SilentlyContinue
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $testHome.Ids.admin; mfa = $true }
        $null = Invoke-SamConsent -Profile contoso -ErrorAction Stop -WarningAction SilentlyContinue 6>$null
        $null = Invoke-SamTestEmulator -Operation approvals
        [pscustomobject]@{ Home = $testHome; Ids = $world.ids }
    }

    function Import-ConnectStandIn {
        # Stand-ins of Microsoft.Graph.Authentication 2.25.0 and MicrosoftTeams 6.0.0: Connect-* take
        # the real token parameters and record each token's tenant and expiry in $global:SamStandInLog;
        # Invoke-SamStandInWork refuses to work once the current token has expired.
        param([Parameter(Mandatory = $true)][string] $Path)
        $global:SamStandInLog = [System.Collections.Generic.List[object]]::new()
        $common = @'
$script:Current = $null
function Save-Token([string] $Cmdlet, [string[]] $Tokens) {
    $claims = @($Tokens | ForEach-Object { Get-SamTestJwtClaim -Token $_ })
    $script:Current = $claims[0]
    $global:SamStandInLog.Add([pscustomobject]@{ Cmdlet = $Cmdlet; Tenant = $claims[0].tid; Claims = $claims; At = [System.DateTimeOffset]::UtcNow })
}
function Invoke-SamStandInWork {
    if ($null -eq $script:Current) { throw 'not connected' }
    $left = $script:Current.exp - [System.DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    if ($left -le 0) { throw "the access token expired $(-$left) s ago" }
    $global:SamStandInLog.Add([pscustomobject]@{ Cmdlet = 'work'; Tenant = $script:Current.tid; Left = $left; At = [System.DateTimeOffset]::UtcNow })
    $script:Current.tid
}
'@
        $modules = @{
            'Microsoft.Graph.Authentication' = @{ Version = '2.25.0'; Functions = @('Connect-MgGraph', 'Disconnect-MgGraph', 'Invoke-SamStandInWork'); Code = @'
function Connect-MgGraph { [CmdletBinding()] param([Parameter(Mandatory = $true)][securestring] $AccessToken, [switch] $NoWelcome)
    Save-Token 'Connect-MgGraph' @(ConvertFrom-SamTestSecureString -SecureString $AccessToken) }
function Disconnect-MgGraph { [CmdletBinding()] param() $script:Current = $null
    $global:SamStandInLog.Add([pscustomobject]@{ Cmdlet = 'Disconnect-MgGraph'; At = [System.DateTimeOffset]::UtcNow }) }
'@ }
            'MicrosoftTeams'                 = @{ Version = '6.0.0'; Functions = @('Connect-MicrosoftTeams', 'Disconnect-MicrosoftTeams'); Code = @'
function Connect-MicrosoftTeams { [CmdletBinding()] param([Parameter(Mandatory = $true)][string[]] $AccessTokens, [string] $TenantId)
    Save-Token 'Connect-MicrosoftTeams' $AccessTokens }
function Disconnect-MicrosoftTeams { [CmdletBinding()] param() $script:Current = $null
    $global:SamStandInLog.Add([pscustomobject]@{ Cmdlet = 'Disconnect-MicrosoftTeams'; At = [System.DateTimeOffset]::UtcNow }) }
'@ }
        }
        foreach ($name in $modules.Keys) {
            $spec = $modules[$name]
            $folder = Join-Path -Path $Path -ChildPath "$name/$($spec.Version)"
            $null = New-Item -ItemType Directory -Path $folder -Force
            Set-Content -LiteralPath (Join-Path -Path $folder -ChildPath "$name.psm1") -Value ($common + "`n" + $spec.Code)
            New-ModuleManifest -Path (Join-Path -Path $folder -ChildPath "$name.psd1") -RootModule "$name.psm1" `
                -ModuleVersion $spec.Version -FunctionsToExport $spec.Functions
            Import-Module -Name (Join-Path -Path $folder -ChildPath "$name.psd1") -Force -Global
        }
    }

    function Get-TokenRequest {
        param([int] $Since)
        @(Invoke-SamTestEmulator -Operation requests -Body @{ since = $Since }) | Where-Object {
            $_.PSObject.Properties['endpoint'] -and $_.endpoint -eq 'token'
        }
    }
}

AfterAll {
    Remove-Module -Name 'Microsoft.Graph.Authentication', 'MicrosoftTeams' -ErrorAction SilentlyContinue
}

Describe 'Get-SamCustomer' {
    BeforeAll { $world = Enter-ReadinessWorld; $ids = $world.Ids }
    AfterAll { Exit-SamTestHome }

    It 'gives every customer of the partner its ExchangeOnline verdict, with the reason and what to do' {
        $customers = @(Get-SamCustomer -Profile contoso -Target ExchangeOnline)
        $customers.Count | Should -Be 7
        $byId = @{}
        foreach ($c in $customers) { $byId[$c.TenantId] = $c }
        $byId[$ids.ready].Ready | Should -BeTrue
        $byId[$ids.nested].Ready | Should -BeTrue
        $byId[$ids.expired].Reason | Should -BeLike '*is expired*'
        $byId[$ids.missing_role].Reason | Should -BeLike 'no active GDAP relationship grants Exchange Administrator*'
        $byId[$ids.not_in_group].Reason | Should -BeLike '*is not in the security group*'
        $byId[$ids.no_consent].Reason | Should -BeLike '*not consented*'
        # The remediation names the cmdlet to run, not the command line.
        $byId[$ids.no_consent].Remediation | Should -BeLike "*Grant-SamCustomerConsent -Profile contoso -Tenant $($ids.no_consent)*"
        $byId[$ids.expired].RelationshipStatus | Should -Be 'expired'
        $byId[$ids.ready].End | Should -BeOfType ([System.DateTimeOffset])
        $byId[$ids.ready].PSObject.TypeNames[0] | Should -Be 'SamBridge.Customer'
        @($byId[$ids.nested].RolesHeld) | Should -Be @('Global Administrator')
    }
}

Describe 'Get-SamConnectParameter -AllCustomers checks the customers first' {
    BeforeAll { $world = Enter-ReadinessWorld; $ids = $world.Ids }
    AfterAll { Exit-SamTestHome }

    It 'writes one error per unready customer, before any result, and exchanges only for the ready ones' {
        $since = Get-SamTestLastSequence
        $errors = $null
        $arrivals = [System.Collections.Generic.List[object]]::new()
        $params = @(Get-SamConnectParameter -Target ExchangeOnline -Profile contoso -AllCustomers -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue |
                ForEach-Object { $arrivals.Add($errors.Count); $_ })
        $params.Count | Should -Be 2
        @($params | ForEach-Object { $_['DelegatedOrganization'] } | Sort-Object) | Should -Be @($ids.ready, $ids.nested | Sort-Object)
        $errors.Count | Should -Be 5
        @($arrivals | Select-Object -Unique) | Should -Be @(5) -Because 'every unready customer was reported before the first result'
        foreach ($record in $errors) {
            $record.FullyQualifiedErrorId | Should -Be 'SamBridge.CustomerNotReady,Get-SamConnectParameter'
            $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
        @($errors | ForEach-Object { [string]$_.TargetObject }) | Should -Contain $ids.expired
        $exchange = @(Get-TokenRequest -Since $since | Where-Object { $_.scope -like 'https://outlook.office365.com*' -and $_.status -eq 200 })
        @($exchange | ForEach-Object tenant | Sort-Object) | Should -Be @($ids.ready, $ids.nested | Sort-Object)
    }

    It 'tries every customer with -NoPreflight' {
        $errors = $null
        $null = @(Get-SamConnectParameter -Target ExchangeOnline -Profile contoso -AllCustomers -NoPreflight -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue)
        @($errors | ForEach-Object { $_.FullyQualifiedErrorId }) | Should -Not -Contain 'SamBridge.CustomerNotReady,Get-SamConnectParameter'
        @($errors | Where-Object { [string]$_.TargetObject -eq $ids.expired }).Count | Should -Be 1
    }
}

Describe 'Invoke-SamCustomerJob' {
    BeforeAll {
        $world = Enter-ReadinessWorld
        $ids = $world.Ids
        Import-ConnectStandIn -Path (Join-Path -Path $TestDrive -ChildPath 'modules')
    }
    AfterAll { Exit-SamTestHome }
    BeforeEach { $global:SamStandInLog.Clear() }

    It 'returns the unready customers first, then one result per ready customer, a failure never stopping the loop' {
        $results = @(Invoke-SamCustomerJob -Target MgGraph -Profile contoso -AllCustomers -Confirm:$false -WarningAction SilentlyContinue -ScriptBlock {
                if ($_.TenantId -eq $ids.nested) { throw 'this customer fails' }
                Invoke-SamStandInWork
            })
        $results.Count | Should -Be 7
        $results[0].PSObject.TypeNames[0] | Should -Be 'SamBridge.CustomerJobResult'
        # For MgGraph any GDAP role will do: the customer with only Teams Administrator is ready too.
        $notReady = @($results | Where-Object Status -eq 'NotReady')
        $notReady.Count | Should -Be 4
        @($results[0..3] | ForEach-Object Status | Select-Object -Unique) | Should -Be @('NotReady')
        ($notReady | Where-Object TenantId -eq $ids.expired).Reason | Should -BeLike '*is expired*'
        $failed = $results | Where-Object TenantId -eq $ids.nested
        $failed.Status | Should -Be 'Failed'
        $failed.Reason | Should -Be 'this customer fails'
        $ok = $results | Where-Object TenantId -eq $ids.ready
        $ok.Status | Should -Be 'Succeeded'
        @($ok.Output) | Should -Be @($ids.ready) -Because 'the work ran connected to that customer'
        $ok.Connections | Should -Be 1
        # Connected and disconnected once per ready customer, the failed one too.
        @($global:SamStandInLog | Where-Object Cmdlet -eq 'Connect-MgGraph' | ForEach-Object Tenant | Sort-Object) | Should -Be @($ids.ready, $ids.nested, $ids.missing_role | Sort-Object)
        @($global:SamStandInLog | Where-Object Cmdlet -eq 'Disconnect-MgGraph').Count | Should -Be 3
    }

    It 'connects Teams with a Graph and a Teams token minted together, less than 5,400 s apart' {
        $result = Invoke-SamCustomerJob -Target MicrosoftTeams -Profile contoso -CustomerId $ids.ready -Confirm:$false -ScriptBlock { 'done' }
        $result.Status | Should -Be 'Succeeded'
        $connect = @($global:SamStandInLog | Where-Object Cmdlet -eq 'Connect-MicrosoftTeams')
        $connect.Count | Should -Be 1
        $claims = @($connect[0].Claims)
        $claims[0].aud | Should -Be 'https://graph.microsoft.com'
        $claims[1].aud | Should -Be '48ac35b8-9aa8-4d74-927d-1f4a14a0b239'
        [Math]::Abs($claims[0].exp - $claims[1].exp) | Should -BeLessThan 5400
        @($claims | ForEach-Object tid | Select-Object -Unique) | Should -Be @($ids.ready)
    }

    It 'reconnects on Update-SamCustomerConnection -Force, and not before the margin without it' {
        $result = Invoke-SamCustomerJob -Target MgGraph -Profile contoso -CustomerId $ids.ready -Confirm:$false -ScriptBlock {
            Update-SamCustomerConnection -PassThru
            Update-SamCustomerConnection -Force -PassThru
        }
        $result.Status | Should -Be 'Succeeded' -Because "$($result.Reason)"
        @($result.Output | ForEach-Object Reconnected) | Should -Be @($false, $true)
        $result.Connections | Should -Be 2
    }

    It 'Update-SamCustomerConnection outside a job is an error saying where it belongs' {
        { Update-SamCustomerConnection } | Should -Throw -ErrorId 'SamBridge.NoCustomerJob,Update-SamCustomerConnection'
    }

    It 'connects nothing with -WhatIf' {
        $since = Get-SamTestLastSequence
        $results = @(Invoke-SamCustomerJob -Target MgGraph -Profile contoso -AllCustomers -WhatIf -ScriptBlock { 'ran' })
        $results.Count | Should -Be 0
        $global:SamStandInLog.Count | Should -Be 0
        @(Get-TokenRequest -Since $since).Count | Should -Be 0
    }

    It 'refuses a job without customers, before anything is sent' {
        { Invoke-SamCustomerJob -Target MgGraph -Profile contoso -ScriptBlock { } -ErrorAction Stop } |
            Should -Throw -ErrorId 'SamBridge.InvalidInput,Invoke-SamCustomerJob'
    }
}

Describe 'Invoke-SamCustomerJob over customers with 2-minute tokens, for five minutes' -Tag 'Once' {
    BeforeAll {
        $world = Enter-ReadinessWorld
        $ids = $world.Ids
        Import-ConnectStandIn -Path (Join-Path -Path $TestDrive -ChildPath 'modules')
        $null = Invoke-SamTestEmulator -Operation set_token_lifetime -Body @{ seconds = 120 }
    }
    AfterAll {
        $null = Invoke-SamTestEmulator -Operation set_token_lifetime -Body @{ seconds = $null }
        Exit-SamTestHome
    }

    It 'keeps working past every token''s lifetime, reconnecting as needed' {
        $started = [System.Diagnostics.Stopwatch]::StartNew()
        # Two ready customers, 150 s of work each (every 5 s), on tokens that live 120 s.
        $results = @(Invoke-SamCustomerJob -Target MgGraph -Profile contoso -CustomerId $ids.ready, $ids.nested -MarginSeconds 45 -Confirm:$false -ScriptBlock {
                $until = [DateTime]::UtcNow.AddSeconds(150)
                while ([DateTime]::UtcNow -lt $until) {
                    Update-SamCustomerConnection
                    Invoke-SamStandInWork
                    Start-Sleep -Seconds 5
                }
            })
        $started.Stop()
        $started.Elapsed.TotalSeconds | Should -BeGreaterThan 300
        $results.Count | Should -Be 2
        foreach ($result in $results) {
            $result.Status | Should -Be 'Succeeded' -Because "$($result.TenantId): $($result.Reason)"
            $result.Connections | Should -BeGreaterOrEqual 2 -Because 'one 2-minute token cannot last 150 s'
            @($result.Output | Select-Object -Unique) | Should -Be @($result.TenantId)
        }
        $connects = @($global:SamStandInLog | Where-Object Cmdlet -eq 'Connect-MgGraph')
        foreach ($connect in $connects) {
            ($connect.Claims[0].exp - $connect.Claims[0].iat) | Should -BeLessOrEqual 125 -Because 'the emulator issued 2-minute tokens'
        }
        $work = @($global:SamStandInLog | Where-Object Cmdlet -eq 'work')
        $work.Count | Should -BeGreaterThan 50
        # Every step ran on a token with time left, and never on one within the margin of its end.
        ($work | Measure-Object -Property Left -Minimum).Minimum | Should -BeGreaterThan 30
    }
}
