# No secret ever appears on a process's command line while the cmdlets run. A background runspace
# reads /proc/*/cmdline of every process in a tight loop while secret-carrying cmdlets run; the
# emulator delays its token answers so each core process lives long enough to be seen. The
# scanner is shown to see the core processes, and to catch a secret on a command line.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global

    function Start-CommandLineScan {
        $shared = [hashtable]::Synchronized(@{
                Stop  = $false
                Lines = New-Object -TypeName 'System.Collections.Concurrent.ConcurrentDictionary[string,int]'
                Scans = 0
            })
        $powershell = [powershell]::Create()
        $null = $powershell.AddScript({
                param($shared)
                while (-not $shared.Stop) {
                    foreach ($directory in [System.IO.Directory]::GetDirectories('/proc')) {
                        $name = [System.IO.Path]::GetFileName($directory)
                        if ($name -notmatch '^\d+$') { continue }
                        try {
                            $bytes = [System.IO.File]::ReadAllBytes("$directory/cmdline")
                        } catch {
                            continue  # the process ended between the listing and the read
                        }
                        if ($bytes.Length -eq 0) { continue }
                        $line = [System.Text.Encoding]::UTF8.GetString($bytes).Replace([char]0, ' ').Trim()
                        $null = $shared.Lines.TryAdd($line, 0)
                    }
                    $shared.Scans++
                    [System.Threading.Thread]::Sleep(5)
                }
            }).AddArgument($shared)
        @{ Shared = $shared; PowerShell = $powershell; Handle = $powershell.BeginInvoke() }
    }

    function Stop-CommandLineScan {
        param($Scan)
        $Scan.Shared.Stop = $true
        $null = $Scan.PowerShell.EndInvoke($Scan.Handle)
        $Scan.PowerShell.Dispose()
        [pscustomobject]@{ Lines = @($Scan.Shared.Lines.Keys); Scans = $Scan.Shared.Scans }
    }
}

Describe 'Command lines while the cmdlets run' -Tag 'ChildProcess' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        $login = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'secret' }
        $publicLogin = Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'public' }
        $credential = New-Object System.Management.Automation.PSCredential($ids.secret_app, (ConvertTo-SecureString -String $ids.client_secret -AsPlainText -Force))
        # Every token request now waits 1.5 s: each core process lives long enough to be seen.
        $null = Invoke-SamTestEmulator -Operation add_fault -Body @{ kind = 'delay'; target = 'token'; count = 20; delay_seconds = 1.5 }

        $scan = Start-CommandLineScan
        $seen = @()
        try {
            $null = Register-SamProfile -Name sp -Credential $credential -Tenant $ids.partner -Store $testHome.Store -WarningAction SilentlyContinue
            $null = Register-SamProfile -Name contoso -ApplicationId $ids.public_app -Tenant $ids.partner -Store $testHome.Store -WarningAction SilentlyContinue
            $null = Import-SamRefreshToken -Profile contoso -RefreshToken (ConvertTo-SecureString -String $publicLogin.refresh_token -AsPlainText -Force) -Confirm:$false -WarningAction SilentlyContinue
            $tokens = @()
            $tokens += New-SamAccessToken -Profile contoso -Force -WarningAction SilentlyContinue
            $rotated = New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -RefreshToken (ConvertTo-SecureString -String $login.refresh_token -AsPlainText -Force) `
                -Scopes 'https://api.partnercenter.microsoft.com/user_impersonation' -ServicePrincipal -Tenant $ids.partner -IncludeRefreshToken
            $tokens += $rotated
            $params = Get-SamConnectParameter -Target MgGraph -Profile contoso -Tenant fabrikam.onmicrosoft.com -WarningAction SilentlyContinue
            $seen = @($tokens | ForEach-Object { $_.AccessToken }) + @(ConvertFrom-SamTestSecureString -SecureString $params['AccessToken'])
        } finally {
            $result = Stop-CommandLineScan -Scan $scan
            $null = Invoke-SamTestEmulator -Operation clear_faults
        }
        $secrets = @(
            $ids.client_secret
            $login.refresh_token
            $publicLogin.refresh_token
            (ConvertFrom-SamTestSecureString -SecureString $rotated.RefreshToken)
            (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        ) + $seen
    }
    AfterAll { Exit-SamTestHome }

    It 'saw the core processes the cmdlets started' {
        $result.Scans | Should -BeGreaterThan 10
        $core = @($result.Lines | Where-Object { $_ -like '*-m bridge*rpc*' })
        $core.Count | Should -BeGreaterThan 0
        foreach ($line in $core) { $line | Should -Match '-m bridge (--verbose )?rpc$' }
    }

    It 'saw no secret on any command line' {
        $secrets.Count | Should -Be 8
        foreach ($secret in $secrets) {
            $secret | Should -Not -BeNullOrEmpty
            @($result.Lines | Where-Object { $_.Contains($secret) }) | Should -BeNullOrEmpty
        }
        @($result.Lines | Where-Object { $_ -match 'eyJ[A-Za-z0-9_-]{10,}\.' }) | Should -BeNullOrEmpty
    }

    It 'would have caught a secret on a command line' {
        $marker = 'pretend-secret-' + [guid]::NewGuid().ToString('n')
        $probe = Start-CommandLineScan
        try {
            $process = Start-Process -FilePath '/bin/sh' -ArgumentList @('-c', '"sleep 0.5"', $marker) -PassThru
            $process.WaitForExit()
        } finally {
            $caught = Stop-CommandLineScan -Scan $probe
        }
        @($caught.Lines | Where-Object { $_.Contains($marker) }).Count | Should -BeGreaterThan 0
    }
}
