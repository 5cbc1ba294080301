# Reliability and secret hygiene through the cmdlets (issue 8), against the emulator:
# * faults on the token endpoint surface as ErrorRecords with sam-bridge's ErrorId and category, the
#   stored refresh token is left as it was (compared byte for byte) and still redeems, and no retry
#   redeemed it twice (the emulator's request log counts the redemptions);
# * bad input the issue lists (several resources, '//', non-ASCII scopes, plain-http authorities,
#   unknown stores, unusable certificates, corrupt config and store files) is refused with a specific
#   ErrorRecord, never a Python traceback, and nothing stored changes;
# * a leak scan: every exported cmdlet runs with -Verbose while sentinel secrets are planted (a
#   client secret, a certificate password, an imported refresh token); all streams, every file the
#   run writes (the plaintext file: store excepted, by design) and every process command line are
#   searched for them. The scan is shown to see the core's verbose log and its processes.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $graph = 'https://graph.microsoft.com/.default'

    function Get-Redemption {
        # The token requests the emulator acted on (refresh-token grants) after sequence number $Since.
        param([int] $Since)
        $notActed = @('429', '503', '500', 'malformed', 'truncated', 'reset', 'oversized', 'wrong_types', 'missing_fields', 'html')
        @(Invoke-SamTestEmulator -Operation requests -Body @{ since = $Since }) | Where-Object {
            $_.PSObject.Properties['endpoint'] -and $_.endpoint -eq 'token' -and $_.grant_type -eq 'refresh_token' -and
            -not ($_.fault -and $notActed -contains $_.fault)
        }
    }


    function New-TestCertificate {
        # Writes certificate files with Python's cryptography; passwords travel on stdin, never argv.
        param([string] $Directory, [string] $Password)
        $script = @'
import json, sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
directory, password = Path(spec["directory"]), spec["password"].encode()
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sam-bridge pester")])
now = datetime.now(timezone.utc)
def cert(start, end):
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + start).not_valid_after(now + end)
            .sign(key, hashes.SHA256()))
good, expired = cert(timedelta(days=-1), timedelta(days=365)), cert(timedelta(days=-30), timedelta(days=-1))
encryption = serialization.BestAvailableEncryption(password)
(directory / "good.pfx").write_bytes(pkcs12.serialize_key_and_certificates(b"p", key, good, None, encryption))
(directory / "expired.pfx").write_bytes(pkcs12.serialize_key_and_certificates(b"p", key, expired, None, encryption))
(directory / "not-a-certificate.pfx").write_bytes(b"this is not a certificate\n")
'@
        $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
        $startInfo.FileName = Get-SamTestPython
        # stdin: one line of JSON (directory, password), then the script.
        $startInfo.Arguments = '-c "import json, sys; spec = json.loads(sys.stdin.readline()); exec(sys.stdin.read())"'
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardInput = $true
        $process = [System.Diagnostics.Process]::Start($startInfo)
        $process.StandardInput.WriteLine((@{ directory = $Directory; password = $Password } | ConvertTo-Json -Compress))
        $process.StandardInput.Write($script.Replace("`r", ''))
        $process.StandardInput.Close()
        $process.WaitForExit()
        $process.ExitCode | Should -Be 0
    }
}

Describe 'Faults on the token endpoint, through New-SamAccessToken' -Tag 'Reliability' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
    }
    AfterAll {
        $null = Invoke-SamTestEmulator -Operation clear_faults
        Remove-Item -LiteralPath Env:SAM_BRIDGE_HTTP_RETRY_BUDGET, Env:SAM_BRIDGE_HTTP_TIMEOUT -ErrorAction SilentlyContinue
        Exit-SamTestHome
    }

    It '<Name>: <ErrorId> (<Category>), the stored token kept and redeemable' -ForEach @(
        @{ Name = '429 past the retry budget'; Kind = '429'; Count = 50; RetryAfter = 1; Budget = '1.5'; Timeout = $null; Delay = $null
            ErrorId = 'SamBridge.Throttled'; Category = 'LimitsExceeded'; Text = '*kept throttling (HTTP 429, Retry-After: 1 s)*' }
        @{ Name = '500 (not retried: the server may have acted)'; Kind = '500'; Count = 2; RetryAfter = $null; Budget = $null; Timeout = $null; Delay = $null
            ErrorId = 'SamBridge.ServiceUnavailable'; Category = 'ConnectionError'; Text = '*answered HTTP 500*' }
        @{ Name = 'cut-off JSON'; Kind = 'malformed'; Count = 2; RetryAfter = $null; Budget = $null; Timeout = $null; Delay = $null
            ErrorId = 'SamBridge.ServiceUnavailable'; Category = 'ConnectionError'; Text = '*not valid JSON*nothing was stored*' }
        @{ Name = 'an HTML page'; Kind = 'html'; Count = 2; RetryAfter = $null; Budget = $null; Timeout = $null; Delay = $null
            ErrorId = 'SamBridge.ServiceUnavailable'; Category = 'ConnectionError'; Text = '*HTML page*instead of JSON*' }
        @{ Name = 'a connection reset'; Kind = 'reset'; Count = 2; RetryAfter = $null; Budget = $null; Timeout = $null; Delay = $null
            ErrorId = 'SamBridge.ServiceUnavailable'; Category = 'ConnectionError'; Text = '*closed the connection before answering*' }
        @{ Name = 'an answer slower than the timeout'; Kind = 'delay'; Count = 1; RetryAfter = $null; Budget = $null; Timeout = '1'; Delay = 2
            ErrorId = 'SamBridge.ServiceUnavailable'; Category = 'ConnectionError'; Text = '*did not answer in time*' }
    ) {
        $before = Get-Content -LiteralPath $testHome.StorePath -Raw
        $stored = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        $since = Get-SamTestLastSequence
        if ($Budget) { $env:SAM_BRIDGE_HTTP_RETRY_BUDGET = $Budget }
        if ($Timeout) { $env:SAM_BRIDGE_HTTP_TIMEOUT = $Timeout }
        $fault = @{ kind = $Kind; target = 'token'; count = $Count }
        if ($RetryAfter) { $fault['retry_after'] = $RetryAfter }
        if ($Delay) { $fault['delay_seconds'] = $Delay }
        $null = Invoke-SamTestEmulator -Operation add_fault -Body $fault
        try {
            $record = { New-SamAccessToken -Profile contoso -Scopes $graph -Force -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "$ErrorId,New-SamAccessToken" -PassThru
        } finally {
            Remove-Item -LiteralPath Env:SAM_BRIDGE_HTTP_RETRY_BUDGET, Env:SAM_BRIDGE_HTTP_TIMEOUT -ErrorAction SilentlyContinue
            $null = Invoke-SamTestEmulator -Operation clear_faults
        }
        $record.CategoryInfo.Category | Should -Be $Category
        $record.Exception.Message | Should -BeLike $Text
        $record.Exception.Message | Should -Not -Match 'Traceback'
        # Never redeemed twice: a timed-out request was acted on once (the answer arrived too late).
        if ($Kind -eq 'delay') { Start-Sleep -Seconds 2 }
        @(Get-Redemption -Since $since).Count | Should -BeLessOrEqual 1
        Get-Content -LiteralPath $testHome.StorePath -Raw | Should -BeExactly $before
        # The kept token still works: the next exchange presents exactly it.
        $since = Get-SamTestLastSequence
        $null = New-SamAccessToken -Profile contoso -Scopes $graph -Force -ErrorAction Stop -WarningAction SilentlyContinue
        $redeemed = @(Get-Redemption -Since $since)
        $redeemed.Count | Should -Be 1
        $redeemed[0].presented_rt | Should -Be (Get-SamTestFingerprint -Value $stored)
    }

    It 'rides out a 429 burst within the budget, redeeming once' {
        $since = Get-SamTestLastSequence
        $null = Invoke-SamTestEmulator -Operation add_fault -Body @{ kind = '429'; target = 'token'; count = 2; retry_after = 1 }
        $token = New-SamAccessToken -Profile contoso -Scopes $graph -Force -ErrorAction Stop -WarningAction SilentlyContinue
        $token.AccessToken | Should -Not -BeNullOrEmpty
        @(Get-Redemption -Since $since).Count | Should -Be 1
        $stored = (Get-SamTestStoreEntry -TestHome $testHome -Name 'contoso/refresh-token').value
        (Get-Redemption -Since $since)[0].issued_rt | Should -Be (Get-SamTestFingerprint -Value $stored)
    }
}

Describe 'Bad input through the cmdlets' -Tag 'Reliability' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent
        $certificates = Join-Path -Path $testHome.Path -ChildPath 'certificates'
        $null = New-Item -ItemType Directory -Path $certificates
        $password = 'Pester-Cert-Password-' + [guid]::NewGuid().ToString('n')
        $null = New-TestCertificate -Directory $certificates -Password $password
    }
    AfterAll { Exit-SamTestHome }

    It '<Why>' -ForEach @(
        @{ Why = 'scopes of two resources'; Call = { New-SamAccessToken -Profile contoso -Scopes 'https://graph.microsoft.com/.default', 'https://management.azure.com/.default' -Force -ErrorAction Stop }; Text = '*span more than one resource*' }
        @{ Why = 'a scope of two slashes'; Call = { New-SamAccessToken -Profile contoso -Scopes '//' -Force -ErrorAction Stop }; Text = '*is not of the form APP-ID/permission*' }
        @{ Why = 'a full-width scope copied from a document'; Call = { New-SamAccessToken -Profile contoso -Scopes 'ｈｔｔｐｓ://graph.microsoft.com/.default' -Force -ErrorAction Stop }; Text = '*non-ASCII or invisible characters*' }
        @{ Why = 'a scope with a zero-width space'; Call = { New-SamAccessToken -Profile contoso -Scopes "https://graph.microsoft.com/.default$([char]0x200b)" -Force -ErrorAction Stop }; Text = '*non-ASCII or invisible characters*' }
        @{ Why = 'a customer tenant that is not one'; Call = { New-SamAccessToken -Profile contoso -Tenant 'fabrikam onmicrosoft com' -Force -ErrorAction Stop }; Text = '*neither a tenant id*' }
        @{ Why = 'a plain-http authority'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.public_app -Tenant $ids.partner -AuthorityHost 'http://login.example.com' -ErrorAction Stop }; Text = '*uses plain http*' }
        @{ Why = 'an authority with a path'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.public_app -Tenant $ids.partner -AuthorityHost 'https://login.microsoftonline.com/contoso' -ErrorAction Stop }; Text = '*must be just scheme, host and optional port*' }
        @{ Why = 'an unknown store'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.public_app -Tenant $ids.partner -Store 'vault' -ErrorAction Stop }; Text = '*is not known*' }
        @{ Why = 'a Key Vault store over http'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.public_app -Tenant $ids.partner -Store 'keyvault:http://contoso.vault.azure.net' -ErrorAction Stop }; Text = '*uses plain http*' }
        @{ Why = 'a PFX with the wrong password'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.cert_app -Tenant $ids.partner -Store $testHome.Store -CertificatePath (Join-Path $certificates 'good.pfx') -CertificatePassword (ConvertTo-SecureString -String 'wrong' -AsPlainText -Force) -ErrorAction Stop -WarningAction SilentlyContinue }; Text = '*the PFX password is wrong*' }
        @{ Why = 'an expired certificate'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.cert_app -Tenant $ids.partner -Store $testHome.Store -CertificatePath (Join-Path $certificates 'expired.pfx') -CertificatePassword (ConvertTo-SecureString -String $password -AsPlainText -Force) -ErrorAction Stop -WarningAction SilentlyContinue }; Text = '*the certificate expired on*' }
        @{ Why = 'a file that is not a certificate'; Call = { Register-SamProfile -Name 'p2' -ApplicationId $ids.cert_app -Tenant $ids.partner -Store $testHome.Store -CertificatePath (Join-Path $certificates 'not-a-certificate.pfx') -ErrorAction Stop -WarningAction SilentlyContinue }; Text = '*neither PEM nor a PFX*' }
    ) {
        $config = Get-Content -LiteralPath $testHome.Config -Raw
        $store = Get-Content -LiteralPath $testHome.StorePath -Raw
        $record = $Call | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.InvalidInput,*'
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception | Should -BeOfType ([System.ArgumentException])
        $record.Exception.Message | Should -BeLike $Text
        $record.Exception.Message | Should -Not -Match 'Traceback|File "'
        Get-Content -LiteralPath $testHome.Config -Raw | Should -BeExactly $config
        Get-Content -LiteralPath $testHome.StorePath -Raw | Should -BeExactly $store
    }

    It 'the good certificate with its password is accepted (the cases above fail for their reason)' {
        $null = Register-SamProfile -Name 'withcert' -ApplicationId $ids.cert_app -Tenant $ids.partner -Store $testHome.Store `
            -CertificatePath (Join-Path $certificates 'good.pfx') -CertificatePassword (ConvertTo-SecureString -String $password -AsPlainText -Force) `
            -ErrorAction Stop -WarningAction SilentlyContinue
        (Get-SamProfile -Name withcert).Name | Should -Be 'withcert'
        Unregister-SamProfile -Name withcert -Force -ErrorAction Stop
    }

    It 'a corrupt config file is reported and left as it was' {
        $saved = Get-Content -LiteralPath $testHome.Config -Raw
        try {
            Set-Content -LiteralPath $testHome.Config -Value '[[[profiles' -NoNewline
            $record = { Get-SamProfile -ErrorAction Stop } | Should -Throw -PassThru
            $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.Config,*'
            $record.Exception.Message | Should -BeLike '*is not valid TOML*'
            $record = { New-SamAccessToken -Profile contoso -Force -ErrorAction Stop } | Should -Throw -PassThru
            $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.Config,*'
            Get-Content -LiteralPath $testHome.Config -Raw | Should -BeExactly '[[[profiles'
        } finally {
            Set-Content -LiteralPath $testHome.Config -Value $saved -NoNewline
        }
    }

    It 'a corrupt store file is reported and left as it was; nothing is sent to Entra' {
        $saved = Get-Content -LiteralPath $testHome.StorePath -Raw
        try {
            Set-Content -LiteralPath $testHome.StorePath -Value '{"version": 1, "entries": {' -NoNewline
            $since = Get-SamTestLastSequence
            foreach ($call in @(
                    { New-SamAccessToken -Profile contoso -Force -ErrorAction Stop -WarningAction SilentlyContinue }
                    { Import-SamRefreshToken -Profile contoso -RefreshToken (ConvertTo-SecureString -String '0.AXkA-a-new-token-of-the-right-shape' -AsPlainText -Force) -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue }
                    { Get-SamRefreshTokenStatus -Profile contoso -ErrorAction Stop -WarningAction SilentlyContinue })) {
                $record = $call | Should -Throw -PassThru
                $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.Store,*'
                $record.Exception.Message | Should -BeLike '*is corrupt or not a sam-bridge store*left untouched*'
            }
            @(Get-Redemption -Since $since).Count | Should -Be 0
            Get-Content -LiteralPath $testHome.StorePath -Raw | Should -BeExactly '{"version": 1, "entries": {'
        } finally {
            Set-Content -LiteralPath $testHome.StorePath -Value $saved -NoNewline
        }
    }
}

Describe 'Leak scan: every cmdlet with -Verbose' -Tag 'Reliability', 'ChildProcess' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        $temp = Join-Path -Path $testHome.Path -ChildPath 'tmp'
        $null = New-Item -ItemType Directory -Path $temp
        $null = Get-SamTestStandIn  # generated (once per run) before TMPDIR points at the scanned directory
        $savedTmp = $env:TMPDIR
        $env:TMPDIR = $temp  # the core's temp files, if any, land here and must be gone at the end
        $certificates = Join-Path -Path $testHome.Path -ChildPath 'certificates'
        $null = New-Item -ItemType Directory -Path $certificates
        $certPassword = 'Sentinel-Cert-Password-' + [guid]::NewGuid().ToString('n')
        $null = New-TestCertificate -Directory $certificates -Password $certPassword
        $imported = (Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'public'; scopes = @($graph) }).refresh_token
        $forAdhoc = (Invoke-SamTestEmulator -Operation device_login -Body @{ app = 'secret' }).refresh_token
        $secret = $ids.client_secret
        $credential = New-Object System.Management.Automation.PSCredential($ids.secret_app, (ConvertTo-SecureString -String $secret -AsPlainText -Force))
        # Every token answer waits a little: each core process lives long enough to be sampled.
        $null = Invoke-SamTestEmulator -Operation add_fault -Body @{ kind = 'delay'; target = 'token'; count = 40; delay_seconds = 0.3 }

        # Command lines of every process, sampled in a background runspace while the cmdlets run.
        $shared = [hashtable]::Synchronized(@{ Stop = $false; Scans = 0; Lines = New-Object -TypeName 'System.Collections.Concurrent.ConcurrentDictionary[string,int]' })
        $sampler = [powershell]::Create()
        $null = $sampler.AddScript({
                param($shared)
                while (-not $shared.Stop) {
                    foreach ($directory in [System.IO.Directory]::GetDirectories('/proc')) {
                        if ([System.IO.Path]::GetFileName($directory) -notmatch '^\d+$') { continue }
                        try { $bytes = [System.IO.File]::ReadAllBytes("$directory/cmdline") } catch { continue }
                        if ($bytes.Length -gt 0) { $null = $shared.Lines.TryAdd([System.Text.Encoding]::UTF8.GetString($bytes).Replace([char]0, ' '), 0) }
                    }
                    $shared.Scans++
                    [System.Threading.Thread]::Sleep(10)
                }
            }).AddArgument($shared)
        $handle = $sampler.BeginInvoke()

        $outputs = New-Object -TypeName System.Collections.Generic.List[object]
        $cmdlets = New-Object -TypeName System.Collections.Generic.List[string]
        function Invoke-Scanned {
            # Runs a cmdlet with -Verbose; keeps every stream's text. TokenOutput: its output is a token by design.
            param([string] $Cmdlet, [scriptblock] $Call, [switch] $TokenOutput)
            $cmdlets.Add($Cmdlet)
            $records = @(& $Call *>&1)
            $text = ($records | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.Exception.Message + ' ' + $_.ErrorDetails }
                    elseif ($_ -is [System.Management.Automation.VerboseRecord] -or $_ -is [System.Management.Automation.WarningRecord]) { $_.Message }
                    else { $_ | Out-String -Width 4096 }
                }) -join "`n"
            $outputs.Add([pscustomobject]@{ Cmdlet = $Cmdlet; Text = $text; TokenOutput = [bool]$TokenOutput; Verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count })
            $records
        }
        try {
            $null = Invoke-Scanned 'Get-SamBridgeOption' { Get-SamBridgeOption -Verbose }
            $null = Invoke-Scanned 'Set-SamBridgeOption' { Set-SamBridgeOption -ConfigPath $testHome.Config -Verbose -Confirm:$false }
            $null = Invoke-Scanned 'Register-SamProfile' { Register-SamProfile -Name pub -ApplicationId $ids.public_app -Tenant $ids.partner -Store $testHome.Store -Customers $ids.fabrikam -Default -Verbose }
            $null = Invoke-Scanned 'Register-SamProfile' { Register-SamProfile -Name sec -ApplicationId $ids.secret_app -Tenant $ids.partner -Store $testHome.Store -ClientSecret (ConvertTo-SecureString -String $secret -AsPlainText -Force) -Verbose }
            $null = Invoke-Scanned 'Register-SamProfile' { Register-SamProfile -Name crt -ApplicationId $ids.cert_app -Tenant $ids.partner -Store $testHome.Store -CertificatePath (Join-Path $certificates 'good.pfx') -CertificatePassword (ConvertTo-SecureString -String $certPassword -AsPlainText -Force) -Verbose }
            $null = Invoke-Scanned 'Get-SamProfile' { Get-SamProfile -Verbose }
            $null = Invoke-Scanned 'Import-SamRefreshToken' { Import-SamRefreshToken -Profile pub -RefreshToken (ConvertTo-SecureString -String $imported -AsPlainText -Force) -Confirm:$false -Verbose }
            $tokens = @(Invoke-Scanned 'New-SamAccessToken' { New-SamAccessToken -Profile pub -Scopes $graph -Force -Verbose } -TokenOutput | Where-Object { $_.PSObject.Properties['AccessToken'] })
            $tokens += @(Invoke-Scanned 'New-SamAccessToken' { New-SamAccessToken -Profile pub -Scopes $graph -Tenant $ids.fabrikam -Verbose } -TokenOutput | Where-Object { $_.PSObject.Properties['AccessToken'] })
            $adhoc = @(Invoke-Scanned 'New-SamAccessToken' {
                    New-SamAccessToken -ApplicationId $ids.secret_app -Credential $credential -RefreshToken (ConvertTo-SecureString -String $forAdhoc -AsPlainText -Force) `
                        -Scopes $graph -ServicePrincipal -Tenant $ids.partner -IncludeRefreshToken -Verbose } -TokenOutput | Where-Object { $_.PSObject.Properties['AccessToken'] })
            $tokens += $adhoc
            $null = Invoke-Scanned 'Get-SamConnectParameter' { Get-SamConnectParameter -Target MgGraph -Profile pub -Verbose }
            $null = Invoke-Scanned 'Get-SamConnectSnippet' { Get-SamConnectSnippet -Target MgGraph -Profile pub -Verbose }
            $null = Invoke-Scanned 'Get-SamConnectSnippet' { Get-SamConnectSnippet -Target MgGraph -Profile pub -EmbedTokens -Verbose } -TokenOutput
            # The stand-in Microsoft.Graph.Authentication reports what it received, the token included (by design).
            $null = Import-SamTestStandIn -Id 'Microsoft.Graph.Authentication-2.25.0'
            $null = Invoke-Scanned 'Connect-SamService' { Connect-SamService -Target MgGraph -Profile pub -Confirm:$false -Verbose } -TokenOutput
            $null = Invoke-Scanned 'Get-SamRefreshTokenStatus' { Get-SamRefreshTokenStatus -Profile pub -Verbose }
            $null = Invoke-Scanned 'Test-SamProfile' { Test-SamProfile -Profile pub -Verbose }
            $null = Invoke-Scanned 'Invoke-SamConsent' {
                $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.admin; mfa = $true }
                Invoke-SamConsent -Profile pub -DeviceCode -Confirm:$false -Verbose 6>&1
            }
            $null = Invoke-Scanned 'Invoke-SamKeepAlive' { Invoke-SamKeepAlive -Profile pub -Confirm:$false -Verbose }
            $null = Invoke-Scanned 'New-SamApplication' {
                $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.admin; mfa = $true; count = 2 }
                New-SamApplication -Name sam -Tenant $ids.partner -Targets PartnerCenter, MgGraph -Store $testHome.Store `
                    -GraphUrl $testHome.Emulator.graph_url -PartnerCenterUrl $testHome.Emulator.partner_center_url -Confirm:$false -Verbose 6>&1
            }
            $null = Invoke-Scanned 'Grant-SamCustomerConsent' { Grant-SamCustomerConsent -Profile sam -Tenant $ids.fabrikam -Confirm:$false -Verbose }
            $null = Invoke-Scanned 'Get-SamApplicationCredential' { Get-SamApplicationCredential -Profile sam -Verbose }
            $null = Invoke-Scanned 'Update-SamApplicationCredential' { Update-SamApplicationCredential -Profile sam -Confirm:$false -Verbose }
            $null = Invoke-Scanned 'Get-SamCustomer' { Get-SamCustomer -Profile sam -Target MgGraph -Verbose }
            $null = Invoke-Scanned 'Invoke-SamCustomerJob' { Invoke-SamCustomerJob -Target MgGraph -Profile sam -AllCustomers -Confirm:$false -Verbose -ScriptBlock { $_.TenantId } }
            $null = Invoke-Scanned 'Update-SamCustomerConnection' {
                Invoke-SamCustomerJob -Target MgGraph -Profile sam -CustomerId $ids.fabrikam -NoPreflight -Confirm:$false -ScriptBlock { Update-SamCustomerConnection -Force -PassThru -Verbose }
            }
            $null = Invoke-Scanned 'New-SamAccessToken' { New-SamAccessToken -Profile sec -Scopes '//' -Verbose -ErrorAction Continue }  # an error path
            $null = Invoke-Scanned 'Unregister-SamProfile' { Unregister-SamProfile -Name crt -Force -Verbose }
            $null = Invoke-Scanned 'Install-SamBridgeCore' { Install-SamBridgeCore -Path (Join-Path -Path $testHome.Path -ChildPath 'core') -Python (Get-SamTestPython) -WhatIf -Verbose }
            $null = Invoke-Scanned 'Set-SamBridgeOption' { Set-SamBridgeOption -ConfigPath '' -Verbose -Confirm:$false }
        } finally {
            $shared.Stop = $true
            $null = $sampler.EndInvoke($handle)
            $sampler.Dispose()
            $null = Invoke-SamTestEmulator -Operation clear_faults
            $env:TMPDIR = $savedTmp
        }
        $store = Get-Content -LiteralPath $testHome.StorePath -Raw | ConvertFrom-Json
        $sentinels = @{}
        $sentinels['client secret'] = $secret
        $sentinels['certificate password'] = $certPassword
        $sentinels['imported refresh token'] = $imported
        $sentinels['ad-hoc refresh token'] = $forAdhoc
        $sentinels['rotated refresh token returned as SecureString'] = ConvertFrom-SamTestSecureString -SecureString $adhoc[0].RefreshToken
        foreach ($entry in $store.entries.PSObject.Properties) {
            if ($entry.Name -like '*/refresh-token' -or $entry.Name -like '*/client-secret') { $sentinels["stored $($entry.Name)"] = $entry.Value.value }
        }
        $accessTokens = @($tokens | ForEach-Object { $_.AccessToken })
    }
    AfterAll {
        Remove-SamTestStandIn
        Set-SamBridgeOption -ConfigPath '' -Confirm:$false -ErrorAction SilentlyContinue
        Exit-SamTestHome
    }

    It 'ran every exported cmdlet, and -Verbose showed the core''s request flow' {
        $exported = @((Get-Command -Module SamBridge).Name | Sort-Object)
        @($cmdlets | Sort-Object -Unique) | Should -Be $exported
        $flow = ($outputs | Where-Object { $_.Cmdlet -eq 'New-SamAccessToken' } | ForEach-Object { $_.Text }) -join "`n"
        $flow | Should -Match 'sam-bridge core: DEBUG bridge\.http: POST 127\.0\.0\.1:\d+/\S+/oauth2/v2\.0/token -> 200'
        $accessTokens.Count | Should -Be 3
    }

    It 'no sentinel secret in any stream of any cmdlet' {
        foreach ($output in $outputs) {
            foreach ($name in $sentinels.Keys) {
                $output.Text.Contains($sentinels[$name]) | Should -BeFalse -Because "$name must not appear in the output of $($output.Cmdlet)"
            }
            if (-not $output.TokenOutput) {
                foreach ($token in $accessTokens) { $output.Text.Contains($token) | Should -BeFalse -Because "an access token appeared in $($output.Cmdlet)" }
                $output.Text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.eyJ' -Because "a JWT appeared in $($output.Cmdlet)"
            }
            $output.Text | Should -Not -Match 'Traceback'
        }
    }

    It 'no sentinel secret in any file written (the plaintext file: store excepted, by design), and every file private' {
        $files = @(Get-ChildItem -LiteralPath $testHome.Path -Recurse -File -Force | Where-Object { $_.FullName -ne $testHome.StorePath -and $_.DirectoryName -ne $certificates })
        $files.Count | Should -BeGreaterThan 0
        foreach ($file in $files) {
            $text = [System.IO.File]::ReadAllText($file.FullName)
            foreach ($name in $sentinels.Keys) { $text.Contains($sentinels[$name]) | Should -BeFalse -Because "$name is in $($file.FullName)" }
            foreach ($token in $accessTokens) { $text.Contains($token) | Should -BeFalse -Because "an access token is in $($file.FullName)" }
            $mode = [int](Get-Item -LiteralPath $file.FullName).UnixFileMode
            ($mode -band 63) | Should -Be 0 -Because "$($file.FullName) must not be readable by others (mode $([Convert]::ToString($mode, 8)))"
        }
        @(Get-ChildItem -LiteralPath $temp -Force).Count | Should -Be 0 -Because 'no temporary file may be left behind'
    }

    It 'no sentinel secret on any process command line, and the sampler saw the core processes' {
        $lines = @($shared.Lines.Keys)
        $shared.Scans | Should -BeGreaterThan 20
        @($lines | Where-Object { $_ -match '-m bridge (--verbose )?rpc' }).Count | Should -BeGreaterThan 0
        foreach ($line in $lines) {
            foreach ($name in $sentinels.Keys) { $line.Contains($sentinels[$name]) | Should -BeFalse -Because "$name was on a command line" }
            foreach ($token in $accessTokens) { $line.Contains($token) | Should -BeFalse -Because 'an access token was on a command line' }
        }
        Write-Host ("leak scan (cmdlets): {0} cmdlet runs, {1} characters of output, {2} command lines sampled, {3} sentinels, leaks found: 0" -f `
                $outputs.Count, ($outputs | ForEach-Object { $_.Text.Length } | Measure-Object -Sum).Sum, $lines.Count, ($sentinels.Count + $accessTokens.Count))
    }
}
