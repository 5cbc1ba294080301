# Batches across customer tenants through the cmdlets (issue 7): Get-SamConnectParameter and
# New-SamAccessToken with many tenants stream one result per tenant down the pipeline as the
# exchanges complete, one non-terminating ErrorRecord per failed tenant, Write-Progress, one read
# and one write of the refresh token per batch, and a 50-tenant batch riding out injected 429s with
# every tenant's result checked. Runs in both passes of run.ps1: the transports must agree.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $graph = 'https://graph.microsoft.com/.default'

    function Get-TokenRequest {
        # The token requests the emulator logged after sequence number $Since.
        param([int] $Since)
        @(Invoke-SamTestEmulator -Operation requests -Body @{ since = $Since }) | Where-Object {
            $_.PSObject.Properties['endpoint'] -and $_.endpoint -eq 'token'
        }
    }

}

Describe 'A batch through Get-SamConnectParameter and New-SamAccessToken' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        $customers = @(Invoke-SamTestEmulator -Operation customers -Body @{ count = 6 })
    }
    AfterAll {
        $null = Invoke-SamTestEmulator -Operation clear_faults
        $null = Invoke-SamTestEmulator -Operation update_settings -Body @{ token_latency_ms = 0 }
        Exit-SamTestHome
    }
    AfterEach {
        $null = Invoke-SamTestEmulator -Operation clear_faults
        $null = Invoke-SamTestEmulator -Operation update_settings -Body @{ token_latency_ms = 0 }
    }

    It 'gives one hashtable per tenant of -Tenant, each for its own tenant' {
        $all = @(Get-SamConnectParameter -Target PartnerCenter -Profile contoso -Tenant $customers -WarningAction SilentlyContinue)
        $all.Count | Should -Be $customers.Count
        foreach ($params in $all) {
            $params | Should -BeOfType ([hashtable])
            $claims = Get-SamTestJwtClaim -Token $params['AccessToken']
            $claims.aud | Should -Be 'https://api.partnercenter.microsoft.com'
            $customers | Should -Contain $claims.tid
        }
        @($all | ForEach-Object { (Get-SamTestJwtClaim -Token $_['AccessToken']).tid } | Sort-Object) | Should -Be @($customers | Sort-Object)
    }

    It 'makes one batch of piped tenants: the stored refresh token is read once and rotated once' {
        $before = Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token'
        $since = Get-SamTestLastSequence
        $tokens = @($customers | New-SamAccessToken -Profile contoso -Scopes $graph -Force -Concurrency 3 -WarningAction SilentlyContinue)
        @($tokens.TenantId | Sort-Object) | Should -Be @($customers | Sort-Object)
        $after = Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token'
        # One request each would have rotated it once per tenant.
        [int]$after.metadata.generation | Should -Be ([int]$before.metadata.generation + 1)
        $after.value | Should -Not -Be $before.value
        $requests = @(Get-TokenRequest -Since $since)
        $requests.Count | Should -Be $customers.Count
        # Every redemption presented the token read once at the start.
        @($requests.presented_rt | Select-Object -Unique).Count | Should -Be 1
    }

    It 'streams each result down the pipeline as it arrives, before the slow tenant is done' {
        # The first token request waits 3 s; the others are answered at once. Passed down as they
        # arrive, the others reach the next command seconds before the slow one.
        $null = Invoke-SamTestEmulator -Operation add_fault -Body @{ kind = 'delay'; target = 'token'; count = 1; delay_seconds = 3 }
        $arrivals = @(New-SamAccessToken -Profile contoso -Tenant $customers[0..3] -Scopes $graph -Force -Concurrency 4 -WarningAction SilentlyContinue |
                ForEach-Object { [pscustomobject]@{ Tenant = $_.TenantId; At = [datetime]::UtcNow } })
        $arrivals.Count | Should -Be 4
        $ordered = @($arrivals | Sort-Object -Property At)
        ($ordered[-1].At - $ordered[0].At).TotalSeconds | Should -BeGreaterThan 2 -Because 'the fast tenants were not held back for the slow one'
    }

    It 'reports a failed tenant as one non-terminating error naming it, and goes on with the others' {
        $errors = $null
        $tenants = @($customers[0], 'tailspin.onmicrosoft.com', $customers[1])
        $tokens = @(New-SamAccessToken -Profile contoso -Tenant $tenants -Scopes $graph -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue)
        @($tokens.TenantId | Sort-Object) | Should -Be @($customers[0], $customers[1] | Sort-Object)
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be 'tailspin.onmicrosoft.com'
        $errors[0].FullyQualifiedErrorId | Should -Be 'SamBridge.TenantAccess,New-SamAccessToken'
        $errors[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errors[0].ErrorDetails.RecommendedAction | Should -BeLike '*GDAP*'
    }

    It 'reports a tenant that is not a tenant id or domain the same way, without sending it' {
        $errors = $null
        $tokens = @(New-SamAccessToken -Profile contoso -Tenant @($customers[2], 'not a tenant!') -Scopes $graph -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue)
        @($tokens.TenantId) | Should -Be @($customers[2])
        $errors.Count | Should -Be 1
        $errors[0].TargetObject | Should -Be 'not a tenant!'
        $errors[0].FullyQualifiedErrorId | Should -Be 'SamBridge.InvalidInput,New-SamAccessToken'
    }

    It 'stops at the first failure with -ErrorAction Stop' {
        { New-SamAccessToken -Profile contoso -Tenant @('tailspin.onmicrosoft.com', $customers[0]) -Scopes $graph -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'SamBridge.TenantAccess,New-SamAccessToken'
    }

    It 'stops asking Entra when the next command has what it wants (Select-Object -First)' {
        # One exchange at a time, each 300 ms: the batch would take 1.8 s; it must stop after the first.
        $null = Invoke-SamTestEmulator -Operation update_settings -Body @{ token_latency_ms = 300 }
        $since = Get-SamTestLastSequence
        $first = @(New-SamAccessToken -Profile contoso -Tenant $customers -Scopes $graph -Force -Concurrency 1 -WarningAction SilentlyContinue | Select-Object -First 1)
        $first.Count | Should -Be 1
        Start-Sleep -Seconds 2  # what the batch would have gone on to send, had it not stopped
        @(Get-TokenRequest -Since $since).Count | Should -BeLessThan $customers.Count
    }

    It 'takes -AllCustomers from the profile''s customers' {
        $tokens = @(New-SamAccessToken -Profile contoso -AllCustomers -Scopes $graph -WarningAction SilentlyContinue)
        @($tokens.TenantId) | Should -Be @($ids.fabrikam)
        $params = @(Get-SamConnectParameter -Target MgGraph -Profile contoso -AllCustomers -Tenant $customers[0] -WarningAction SilentlyContinue)
        @($params | ForEach-Object { (Get-SamTestJwtClaim -Token $_['AccessToken']).tid } | Sort-Object) | Should -Be @($ids.fabrikam, $customers[0] | Sort-Object)
    }

    It 'shows its progress with Write-Progress: every tenant counted, the failures too' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($Module, $Tenants)
                    Import-Module -Name $Module
                    Get-SamConnectParameter -Target PartnerCenter -Profile contoso -Tenant $Tenants -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
                }).AddArgument((Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge')).AddArgument(@($customers[0..2] + 'tailspin.onmicrosoft.com'))
            $output = @($shell.Invoke())
            $output.Count | Should -Be 3
            $records = @($shell.Streams.Progress)
            $records.Count | Should -BeGreaterThan 3
            @($records | Where-Object { $_.RecordType -eq 'Processing' } | ForEach-Object StatusDescription) | Should -Contain '4 of 4 tenants, 1 failed'
            $records[-1].RecordType | Should -Be 'Completed'
        } finally {
            $shell.Dispose()
        }
    }
}

Describe 'A 50-tenant batch through PowerShell with injected 429s' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        $customers = @(Invoke-SamTestEmulator -Operation customers -Body @{ count = 50 })
    }
    AfterAll {
        $null = Invoke-SamTestEmulator -Operation clear_faults
        Exit-SamTestHome
    }

    It 'gives every tenant its own token, the 429s answered after their Retry-After, nothing failed' {
        $since = Get-SamTestLastSequence
        $null = Invoke-SamTestEmulator -Operation add_fault -Body @{ kind = '429'; target = 'token'; count = 12; retry_after = 1 }
        $errors = $null
        $tokens = @(New-SamAccessToken -Profile contoso -Tenant $customers -Scopes $graph -Concurrency 8 -ErrorVariable errors -WarningAction SilentlyContinue)
        $errors.Count | Should -Be 0
        $tokens.Count | Should -Be 50
        @($tokens.TenantId | Sort-Object) | Should -Be @($customers | Sort-Object)
        foreach ($token in $tokens) {
            $claims = Get-SamTestJwtClaim -Token $token.AccessToken
            $claims.tid | Should -Be $token.TenantId -Because 'each result is the token of the tenant it names'
            $claims.aud | Should -Be 'https://graph.microsoft.com'
            $claims.upn | Should -Be $ids.admin
            $token.ExpiresOn | Should -BeGreaterThan ([System.DateTimeOffset]::UtcNow.AddMinutes(5))
        }
        $log = @(Get-TokenRequest -Since $since)
        @($log | Where-Object { $_.status -eq 429 }).Count | Should -Be 12 -Because 'every 429 was answered with a retry'
        @($log | Where-Object { $_.status -eq 200 }).Count | Should -Be 50
        # The stored refresh token is one the emulator issued in this batch, and it still redeems.
        $stored = Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token'
        @($log.issued_rt) | Should -Contain (Get-SamTestFingerprint -Value $stored.value)
        (New-SamAccessToken -Profile contoso -Tenant $customers[0] -Scopes $graph -Force -WarningAction SilentlyContinue).TenantId | Should -Be $customers[0]
    }

    It 'gives every tenant its Connect-MgGraph parameters from the cache the token batch filled' {
        $since = Get-SamTestLastSequence
        $all = @(Get-SamConnectParameter -Target MgGraph -Profile contoso -Tenant $customers -Concurrency 16 -WarningAction SilentlyContinue)
        $all.Count | Should -Be 50
        @($all | ForEach-Object { (Get-SamTestJwtClaim -Token $_['AccessToken']).tid } | Sort-Object) | Should -Be @($customers | Sort-Object)
        @(Get-TokenRequest -Since $since).Count | Should -Be 0 -Because 'the batch above cached a Graph token for every tenant'
    }
}
