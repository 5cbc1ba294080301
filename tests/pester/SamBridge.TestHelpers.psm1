# Helpers shared by the Pester test files: the emulator (through tests/pester/emulator_helper.py),
# an isolated sam-bridge home per Describe, profiles consented through the real module, stand-in
# Connect-* modules, and JWT claims. The module keeps its state for the whole run, so every test
# file shares one emulator (started by run.ps1, or by the first file when a file runs alone).
Set-StrictMode -Version 3.0

$script:Repo = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).ProviderPath
$script:Python = Join-Path -Path $script:Repo -ChildPath '.venv/bin/python'
$script:HelperScript = Join-Path -Path $PSScriptRoot -ChildPath 'emulator_helper.py'
$script:Helper = $null
$script:Info = $null
$script:StandIns = $null
$script:StandInDirectory = $null
$script:SavedEnvironment = New-Object -TypeName System.Collections.Generic.Stack[hashtable]
# Set by run.ps1 for a whole pass (which transport, which Python.Runtime.dll): a test home keeps them.
$script:RunnerVariables = @('SAM_BRIDGE_TRANSPORT', 'SAM_BRIDGE_PYTHONNET_DLL')
$script:Homes = New-Object -TypeName System.Collections.Generic.List[string]

function Get-SamTestRepository { $script:Repo }

function Get-SamTestPython { $script:Python }

function Start-SamTestEmulator {
    <# Starts the emulator (once per run) and returns its ready line plus the seed's ids. #>
    [CmdletBinding()]
    param([int] $TimeoutSeconds = 60)
    if ($script:Helper -and -not $script:Helper.HasExited) { return $script:Info }
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $script:Python
    $startInfo.Arguments = "`"$script:HelperScript`" serve"
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $false
    $startInfo.WorkingDirectory = $script:Repo
    $startInfo.EnvironmentVariables['PYTHONDONTWRITEBYTECODE'] = '1'
    foreach ($name in @('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy')) { [void]$startInfo.EnvironmentVariables.Remove($name) }
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $task = $process.StandardOutput.ReadLineAsync()
    if (-not $task.Wait($TimeoutSeconds * 1000) -or -not $task.Result) {
        try { $process.Kill() } catch { $null = $_ }
        throw 'the emulator helper did not print its ready line'
    }
    $ready = ($task.Result | ConvertFrom-Json).ready
    $script:Helper = $process
    $script:Info = $ready
    $ids = Invoke-SamTestEmulator -Operation info
    $script:Info = $ids
    $script:Info
}

function Stop-SamTestEmulator {
    <# Stops the emulator (the helper stops it when its stdin closes) and removes the stand-in modules. #>
    [CmdletBinding()]
    param()
    if ($script:StandInDirectory) {
        Remove-SamTestStandIn
        Remove-Item -LiteralPath $script:StandInDirectory -Recurse -Force -ErrorAction SilentlyContinue
        $script:StandIns = $null
        $script:StandInDirectory = $null
    }
    if (-not $script:Helper) { return }
    try {
        $script:Helper.StandardInput.Close()
        if (-not $script:Helper.WaitForExit(15000)) { $script:Helper.Kill() }
    } finally {
        $script:Helper.Dispose()
        $script:Helper = $null
    }
}

function Invoke-SamTestEmulator {
    <# One request to the emulator helper: reset, approve_next_device_code, advance_clock, add_fault... #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string] $Operation,
        [hashtable] $Body = @{}
    )
    if (-not $script:Helper -or $script:Helper.HasExited) { throw 'the emulator is not running: call Start-SamTestEmulator' }
    $request = @{ op = $Operation }
    foreach ($key in $Body.Keys) { $request[$key] = $Body[$key] }
    $script:Helper.StandardInput.WriteLine((ConvertTo-Json -InputObject $request -Compress -Depth 5))
    $script:Helper.StandardInput.Flush()
    $task = $script:Helper.StandardOutput.ReadLineAsync()
    if (-not $task.Wait(120000)) { throw "the emulator helper did not answer $Operation" }
    $answer = $task.Result | ConvertFrom-Json
    if (-not $answer.ok) { throw "emulator helper ${Operation}: $($answer.error)" }
    $answer.result
}

function Get-SamTestEmulator { $script:Info }

function Enter-SamTestHome {
    <#
    Gives the caller (a Describe's BeforeAll) its own sam-bridge home: SAM_BRIDGE_CONFIG and
    SAM_BRIDGE_CACHE_DIR in a new temp directory, the emulator as authority, this checkout's
    Python as the core, every other SAM_BRIDGE_* variable cleared (except the runner's transport
    settings, SAM_BRIDGE_TRANSPORT and SAM_BRIDGE_PYTHONNET_DLL); resets the emulator.
    Exit-SamTestHome puts the environment back.
    #>
    [CmdletBinding()]
    param([switch] $KeepEmulatorState)
    $info = Start-SamTestEmulator
    $saved = @{}
    foreach ($item in @(Get-ChildItem -Path Env: | Where-Object { ($_.Name -like 'SAM_BRIDGE_*' -and $script:RunnerVariables -notcontains $_.Name) -or $_.Name -eq 'BROWSER' })) {
        $saved[$item.Name] = $item.Value
        Remove-Item -LiteralPath "Env:$($item.Name)"
    }
    foreach ($name in @('SAM_BRIDGE_CONFIG', 'SAM_BRIDGE_CACHE_DIR', 'SAM_BRIDGE_AUTHORITY_HOST', 'SAM_BRIDGE_CA_BUNDLE', 'SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY', 'SAM_BRIDGE_PYTHON', 'SAM_BRIDGE_TEST_EMULATOR')) {
        if (-not $saved.ContainsKey($name)) { $saved[$name] = $null }
    }
    $script:SavedEnvironment.Push($saved)
    $path = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('sam-bridge-pester-' + [guid]::NewGuid().ToString('n').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $path
    $script:Homes.Add($path)
    $env:SAM_BRIDGE_CONFIG = Join-Path -Path $path -ChildPath 'config.toml'
    $env:SAM_BRIDGE_CACHE_DIR = Join-Path -Path $path -ChildPath 'cache'
    $env:SAM_BRIDGE_AUTHORITY_HOST = $info.authority_host
    $env:SAM_BRIDGE_CA_BUNDLE = $info.ca_bundle
    $env:SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY = '1'  # the emulator is not a Microsoft authority host
    $env:SAM_BRIDGE_PYTHON = $script:Python
    $env:SAM_BRIDGE_TEST_EMULATOR = ($info | ConvertTo-Json -Compress -Depth 5)
    if (-not $KeepEmulatorState) { $null = Invoke-SamTestEmulator -Operation reset }
    [pscustomobject]@{
        Path      = $path
        Config    = $env:SAM_BRIDGE_CONFIG
        StorePath = (Join-Path -Path $path -ChildPath 'store.json')
        Store     = 'file:' + (Join-Path -Path $path -ChildPath 'store.json')
        Emulator  = $info
        Ids       = $info.ids
    }
}

function Exit-SamTestHome {
    <# Restores the environment Enter-SamTestHome changed and removes its directory. #>
    [CmdletBinding()]
    param()
    if ($script:SavedEnvironment.Count -eq 0) { return }
    $saved = $script:SavedEnvironment.Pop()
    foreach ($item in @(Get-ChildItem -Path Env: | Where-Object { ($_.Name -like 'SAM_BRIDGE_*' -and $script:RunnerVariables -notcontains $_.Name) -or $_.Name -eq 'BROWSER' })) {
        Remove-Item -LiteralPath "Env:$($item.Name)"
    }
    foreach ($name in $saved.Keys) {
        if ($null -ne $saved[$name]) { Set-Item -LiteralPath "Env:$name" -Value $saved[$name] }
    }
    if ($script:Homes.Count -gt 0) {
        $path = $script:Homes[$script:Homes.Count - 1]
        $script:Homes.RemoveAt($script:Homes.Count - 1)
        Remove-Item -LiteralPath $path -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function New-SamTestProfile {
    <#
    Registers a profile for the emulator's partner tenant in the current test home (public app
    unless -Secret) and, with -Consent, consents through Invoke-SamConsent -DeviceCode while the
    emulator helper approves the code as the user would on another device.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object] $TestHome,
        [string] $Name = 'contoso',
        [switch] $Secret,
        [switch] $Consent,
        [string] $User,
        [switch] $NoMfa,
        [string[]] $Scopes
    )
    $ids = $TestHome.Ids
    $more = @{}
    if ($Scopes) { $more['Scopes'] = $Scopes }
    # Graph too is the emulator's: -AllCustomers checks the customers' GDAP there first.
    $more['GraphUrl'] = $TestHome.Emulator.graph_url
    if ($Secret) {
        $secretValue = ConvertTo-SecureString -String $ids.client_secret -AsPlainText -Force
        $null = Register-SamProfile -Name $Name -ApplicationId $ids.secret_app -Tenant $ids.partner -ClientSecret $secretValue `
            -Store $TestHome.Store -Customers @($ids.fabrikam) -ErrorAction Stop -WarningAction SilentlyContinue @more
    } else {
        $null = Register-SamProfile -Name $Name -ApplicationId $ids.public_app -Tenant $ids.partner `
            -Store $TestHome.Store -Customers @($ids.fabrikam) -ErrorAction Stop -WarningAction SilentlyContinue @more
    }
    if ($Consent) {
        if (-not $User) { $User = $ids.admin }
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $User; mfa = (-not $NoMfa) }
        $null = Invoke-SamConsent -Profile $Name -ErrorAction Stop -WarningAction SilentlyContinue 6>$null
        $approvals = @(Invoke-SamTestEmulator -Operation approvals)
        if ($approvals.Count -ne 1 -or $approvals[0].PSObject.Properties['error']) {
            throw "the device code was not approved: $($approvals | ConvertTo-Json -Compress)"
        }
    }
}

function Get-SamTestStoreEntry {
    <# An entry of the test home's plaintext file store (value and metadata), or $null. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object] $TestHome,
        [Parameter(Mandatory = $true)][string] $Name
    )
    if (-not (Test-Path -LiteralPath $TestHome.StorePath)) { return $null }
    $store = Get-Content -LiteralPath $TestHome.StorePath -Raw | ConvertFrom-Json
    $entry = $store.entries.PSObject.Properties[$Name]
    if ($null -eq $entry) { return $null }
    $entry.Value
}

function Get-SamTestJwtClaim {
    <# The payload of a JWT (not verified: the emulator's resources verify, the tests read audiences). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true, ValueFromPipeline = $true)][object] $Token)
    process {
        if ($Token -is [System.Security.SecureString]) {
            $Token = [System.Net.NetworkCredential]::new('', $Token).Password
        }
        $payload = ([string]$Token).Split('.')[1].Replace('-', '+').Replace('_', '/')
        switch ($payload.Length % 4) { 2 { $payload += '==' } 3 { $payload += '=' } }
        [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($payload)) | ConvertFrom-Json
    }
}

function ConvertFrom-SamTestSecureString {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][System.Security.SecureString] $SecureString)
    [System.Net.NetworkCredential]::new('', $SecureString).Password
}

function Get-SamTestStandIn {
    <# The stand-in Connect-* modules (generated once per run by tests/targets/standins.py), by id. #>
    [CmdletBinding()]
    param([string] $Id)
    if ($null -eq $script:StandIns) {
        $directory = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('sam-bridge-standins-' + [guid]::NewGuid().ToString('n').Substring(0, 12))
        $script:StandInDirectory = $directory
        $script:StandIns = @{}
        foreach ($standIn in @(Invoke-SamTestEmulator -Operation standins -Body @{ directory = $directory })) {
            $script:StandIns[$standIn.id] = $standIn
        }
    }
    if ($Id) { return $script:StandIns[$Id] }
    $script:StandIns.Values
}

function Import-SamTestStandIn {
    <# Loads one stand-in module, after removing any loaded module of the same name (another version). #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string] $Id)
    $standIn = Get-SamTestStandIn -Id $Id
    Get-Module -Name $standIn.module | Remove-Module -Force
    Import-Module -Name $standIn.manifest -Force -Global -ErrorAction Stop
    $standIn
}

function Remove-SamTestStandIn {
    <# Unloads every stand-in module. #>
    [CmdletBinding()]
    param()
    foreach ($standIn in @(Get-SamTestStandIn)) {
        Get-Module -Name $standIn.module | Remove-Module -Force
    }
}

function Get-SamTestFingerprint {
    # bridge._core.scrub.fingerprint: the first 12 hex digits of SHA-256, as the emulator's log shows tokens.
    param([string] $Value)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try {
        $hash = $sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($Value))
    } finally {
        $sha.Dispose()
    }
    (-join ($hash | ForEach-Object { $_.ToString('x2') })).Substring(0, 12)
}

function Get-SamTestLastSequence {
    # The sequence number of the emulator's newest logged request (0 when none): requests after it are this test's.
    $log = @(Invoke-SamTestEmulator -Operation requests)
    if ($log.Count -eq 0) { return 0 }
    [int]$log[-1].seq
}

Export-ModuleMember -Function @(
    'Get-SamTestRepository', 'Get-SamTestPython', 'Start-SamTestEmulator', 'Stop-SamTestEmulator',
    'Invoke-SamTestEmulator', 'Get-SamTestEmulator', 'Enter-SamTestHome', 'Exit-SamTestHome', 'New-SamTestProfile',
    'Get-SamTestStoreEntry', 'Get-SamTestJwtClaim', 'ConvertFrom-SamTestSecureString', 'Get-SamTestStandIn',
    'Import-SamTestStandIn', 'Remove-SamTestStandIn', 'Get-SamTestFingerprint', 'Get-SamTestLastSequence'
)
