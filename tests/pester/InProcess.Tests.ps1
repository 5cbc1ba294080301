# The in-process transport (issue 7): the core hosted in this pwsh through pythonnet, chosen by Auto
# when it can run and forced by -Transport InProcess; one engine per process; no MSAL.NET in the
# session; what a child process would have had of its own (the environment, the location, the log)
# still reaching the core and coming back. The rest of the suite runs against this transport in
# run.ps1's first pass; these tests force the choice themselves, so they hold in either pass.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $python = Get-SamTestPython
    $fakeCore = Join-Path -Path $PSScriptRoot -ChildPath 'fake_core.py'
    $runtime = Join-Path -Path (Get-SamTestRepository) -ChildPath '.tools/nuget/pythonnet/3.2.1/lib/netstandard2.0/Python.Runtime.dll'
}

Describe 'The in-process transport' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        $ids = $testHome.Ids
        $savedDll = $env:SAM_BRIDGE_PYTHONNET_DLL
        $env:SAM_BRIDGE_PYTHONNET_DLL = $runtime
        New-SamTestProfile -TestHome $testHome -Name 'contoso' -Consent

        function Invoke-FreshPwsh {
            # The lines in a new `pwsh -NonInteractive` that has imported the module (this process's
            # engine was started by the tests before); its output as text, its exit code checked.
            param([Parameter(Mandatory = $true)][string[]] $Lines)
            $module = Join-Path -Path (Get-SamTestRepository) -ChildPath 'psmodule/SamBridge'
            $text = (@("Import-Module -Name '$module'") + $Lines) -join "`n"
            $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($text))
            $output = @(& (Join-Path -Path (Get-SamTestRepository) -ChildPath '.tools/pwsh') -NoLogo -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            $output
        }
    }
    AfterAll {
        $env:SAM_BRIDGE_PYTHONNET_DLL = $savedDll
        Remove-Item -Path Env:FAKE_CORE_MODE, Env:FAKE_CORE_LOG -ErrorAction SilentlyContinue
        Exit-SamTestHome
    }
    BeforeEach {
        Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
        $env:SAM_BRIDGE_PYTHON = $python
        Remove-Item -Path Env:SAM_BRIDGE_CLI -ErrorAction SilentlyContinue
    }

    It 'answers without starting a child process when forced' {
        Set-SamBridgeOption -Transport InProcess
        Mock -ModuleName SamBridge Invoke-SamBridgeChildProcess { throw 'the child-process transport was used' }
        $token = New-SamAccessToken -Profile contoso -Force -WarningAction SilentlyContinue
        (Get-SamTestJwtClaim -Token $token.AccessToken).tid | Should -Be $ids.partner
        Should -Invoke -ModuleName SamBridge Invoke-SamBridgeChildProcess -Times 0 -Exactly
        $option = Get-SamBridgeOption
        $option.EffectiveTransport | Should -Be 'InProcess'
        $option.PythonRuntimePath | Should -Be $runtime
        $option.InProcessError | Should -BeNullOrEmpty
    }

    It 'is what Auto picks when it can run' {
        Set-SamBridgeOption -Transport Auto
        Mock -ModuleName SamBridge Invoke-SamBridgeChildProcess { throw 'the child-process transport was used' }
        @(Get-SamProfile).Name | Should -Be @('contoso')
        (Get-SamBridgeOption).EffectiveTransport | Should -Be 'InProcess'
    }

    It 'loads no MSAL.NET into the session' {
        Set-SamBridgeOption -Transport InProcess
        $null = New-SamAccessToken -Profile contoso -Tenant $ids.fabrikam -Scopes 'https://graph.microsoft.com/.default' -Force -WarningAction SilentlyContinue
        $null = Get-SamConnectParameter -Target MgGraph -Profile contoso -WarningAction SilentlyContinue
        $loaded = @([System.AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name })
        $loaded | Should -Contain 'Python.Runtime'
        $loaded | Should -Not -Contain 'Microsoft.Identity.Client'
        @($loaded | Where-Object { $_ -like 'Microsoft.Identity*' }) | Should -BeNullOrEmpty
    }

    It 'keeps one engine per process: a new import of the module finds the one started before' {
        Set-SamBridgeOption -Transport InProcess
        $null = Get-SamProfile
        $first = [System.AppDomain]::CurrentDomain.GetData('SamBridge.InProcessEngine.v1')
        Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
        Set-SamBridgeOption -Transport InProcess
        $null = Get-SamProfile
        [object]::ReferenceEquals([System.AppDomain]::CurrentDomain.GetData('SamBridge.InProcessEngine.v1'), $first) | Should -BeTrue
        $first.Python | Should -Be $python
        $first.Problem | Should -BeNullOrEmpty
    }

    It 'falls back to the child process under Auto, saying why once as a warning (then with -Verbose), when it cannot tell the interpreter' {
        # A core started through a command that is not `PYTHON -m bridge` (here the test's fake core):
        # which Python it runs is unknown, so it cannot be hosted in this process.
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $env:SAM_BRIDGE_CLI = "$python $fakeCore"
        $env:FAKE_CORE_MODE = 'noise'
        $env:FAKE_CORE_LOG = Join-Path -Path $testHome.Path -ChildPath 'fallback.log'
        Set-SamBridgeOption -Transport Auto
        $said = 'sam-bridge: the in-process transport is not available (cannot tell which Python interpreter runs*); using the child process.'
        $first = @(Get-SamProfile -WarningVariable firstWarnings -WarningAction SilentlyContinue)
        @($firstWarnings | Where-Object { [string]$_ -like $said }).Count | Should -Be 1
        $output = Get-SamProfile -Verbose -WarningVariable againWarnings -WarningAction SilentlyContinue 4>&1
        @($againWarnings | Where-Object { [string]$_ -like $said }).Count | Should -Be 0 -Because 'the fallback is said once, not on every request'
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        @($verbose | Where-Object { $_ -like $said }).Count | Should -Be 1
        $verbose | Should -Contain 'sam-bridge: profile.find over the ChildProcess transport'
        @(Get-Content -LiteralPath $env:FAKE_CORE_LOG).Count | Should -Be 2 -Because 'the fake core, a child process, answered both'
        (Get-SamBridgeOption).InProcessError | Should -BeLike 'cannot tell which Python interpreter runs*'
    }

    It 'stops with SamBridge.InProcessUnavailable, and the reason, when forced and it cannot run' {
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $env:SAM_BRIDGE_CLI = "$python $fakeCore"
        Set-SamBridgeOption -Transport InProcess
        $record = { Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.InProcessUnavailable,*' -PassThru
        $record.Exception.Message | Should -BeLike '*cannot tell which Python interpreter runs*'
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*-Transport Auto*'
        $record.CategoryInfo.Category | Should -Be 'NotInstalled'
    }

    It 'says which interpreter this process hosts when asked for another one' {
        Set-SamBridgeOption -Transport InProcess
        $null = Get-SamProfile  # the engine runs $python
        $other = Join-Path -Path $testHome.Path -ChildPath 'python-other'
        $null = New-Item -ItemType SymbolicLink -Path $other -Target '/usr/bin/python3' -ErrorAction SilentlyContinue
        if (-not (Test-Path -LiteralPath $other)) { Set-ItResult -Skipped -Because 'no second interpreter to point at'; return }
        Set-SamBridgeOption -PythonPath $other
        $record = { Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.InProcessUnavailable,*' -PassThru
        $record.Exception.Message | Should -BeLike "*already hosts the core of $python*"
    }

    It 'under Auto, sends the first two requests of a fresh process to the child process, then starts the engine' {
        $lines = @(
            '$env:SAM_BRIDGE_TRANSPORT = "Auto"'
            'foreach ($i in 1..4) { Get-SamProfile -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match "^sam-bridge: \S+ over the (\w+) transport$" } | ForEach-Object { "used $($Matches[1])" } }'
        )
        $output = Invoke-FreshPwsh -Lines $lines
        @($output | Where-Object { $_ -like 'used *' }) | Should -Be @('used ChildProcess', 'used ChildProcess', 'used InProcess', 'used InProcess')
    }

    It 'takes pythonnet''s exit-time garbage collection off the process exit, and the process still ends cleanly' {
        $lines = @(
            'Set-SamBridgeOption -Transport InProcess'
            '"profiles $(@(Get-SamProfile).Name -join ",")"'
            '$field = [System.AppDomain].GetField("ProcessExit", [System.Reflection.BindingFlags]"NonPublic, Instance")'
            'if ($null -eq $field) { "handlers unknown"; exit 0 }'
            '$handlers = @($field.GetValue([System.AppDomain]::CurrentDomain).GetInvocationList() | ForEach-Object { "$($_.Method.DeclaringType.FullName).$($_.Method.Name)" })'
            '"handlers $($handlers -join ",")"'
        )
        $output = Invoke-FreshPwsh -Lines $lines
        $output | Should -Contain 'profiles contoso'
        $said = @($output | Where-Object { $_ -like 'handlers *' })
        if ($said -contains 'handlers unknown') { Set-ItResult -Skipped -Because 'this .NET keeps ProcessExit elsewhere'; return }
        $said.Count | Should -Be 1
        $said[0] | Should -Not -BeLike '*Python.Runtime*'
    }

    It 'runs a consent as a child process under Auto, so that Ctrl+C can stop it' {
        Set-SamBridgeOption -Transport Auto
        New-SamTestProfile -TestHome $testHome -Name 'again'
        $null = Invoke-SamTestEmulator -Operation approve_next_device_code -Body @{ username = $ids.admin; mfa = $true }
        Mock -ModuleName SamBridge Invoke-SamBridgeInProcess { throw 'the in-process transport was used for a consent' }
        $output = Invoke-SamConsent -Profile again -Verbose -WarningAction SilentlyContinue 4>&1 6>$null
        @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message }) |
            Should -Contain 'sam-bridge: consent runs in a child process (Transport Auto), so that Ctrl+C can stop a sign-in at once.'
        @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })[0].User | Should -Be $ids.admin
        Should -Invoke -ModuleName SamBridge Invoke-SamBridgeInProcess -Times 0 -Exactly
        $null = Invoke-SamTestEmulator -Operation approvals
    }

    It 'gives the core the environment as it is now, not as it was when Python started' {
        Set-SamBridgeOption -Transport InProcess
        $null = Get-SamProfile  # the engine is running before the variables change
        New-SamTestProfile -TestHome $testHome -Name 'second'
        try {
            $env:SAM_BRIDGE_PROFILE = 'second'
            (Get-SamRefreshTokenStatus).Profile | Should -Be 'second'
            $env:SAM_BRIDGE_PROFILE = 'contoso'
            (Get-SamRefreshTokenStatus).Profile | Should -Be 'contoso'
            Remove-Item -Path Env:SAM_BRIDGE_PROFILE
            { Get-SamRefreshTokenStatus -ErrorAction Stop } | Should -Not -Throw  # the default profile again
        } finally {
            Remove-Item -Path Env:SAM_BRIDGE_PROFILE -ErrorAction SilentlyContinue
            $null = Unregister-SamProfile -Name 'second' -Confirm:$false
        }
    }

    It 'resolves relative paths against the PowerShell location, as a child process started there would' {
        Set-SamBridgeOption -Transport InProcess
        $folder = Join-Path -Path $testHome.Path -ChildPath 'here'
        $null = New-Item -ItemType Directory -Path $folder
        Push-Location -LiteralPath $folder
        try {
            $profileObject = Register-SamProfile -Name 'relative' -ApplicationId $ids.public_app -Tenant $ids.partner -Store 'file:relative-store.json' -WarningAction SilentlyContinue
        } finally {
            Pop-Location
        }
        $profileObject.Store | Should -Be ('file:' + (Join-Path -Path $folder -ChildPath 'relative-store.json'))
        $null = Unregister-SamProfile -Name 'relative' -Confirm:$false
    }

    It 'passes the core''s log to the cmdlet: its request flow with -Verbose, none without' {
        Set-SamBridgeOption -Transport InProcess
        $output = New-SamAccessToken -Profile contoso -Force -Verbose -WarningAction SilentlyContinue 4>&1
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        @($verbose | Where-Object { $_ -like 'sam-bridge core: DEBUG bridge.http: POST 127.0.0.1:*/oauth2/v2.0/token -> 200 *' }).Count | Should -Be 1
        $quiet = New-SamAccessToken -Profile contoso -Force -WarningAction SilentlyContinue 4>&1
        @($quiet | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
    }
}
