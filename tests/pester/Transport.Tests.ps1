# The child-process transport: how the core is found, what it is given (command line and stdin),
# how its answers, events, log and failures come back. Uses the real core, and a fake one
# (fake_core.py) where a misbehaving core is the point. Blocks about the child process itself are
# tagged ChildProcess; the rest holds for any transport.
BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    $python = Get-SamTestPython
    $fakeCore = Join-Path -Path $PSScriptRoot -ChildPath 'fake_core.py'

    function Use-FakeCore {
        param([string] $Mode, [string] $Log)
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON -ErrorAction SilentlyContinue
        $env:SAM_BRIDGE_CLI = "$python $fakeCore"
        $env:FAKE_CORE_MODE = $Mode
        $env:FAKE_CORE_LOG = $Log
    }

    function Get-FakeCoreLog {
        param([string] $Log)
        @(Get-Content -LiteralPath $Log | ForEach-Object { $_ | ConvertFrom-Json })
    }
}

Describe 'Finding the core' -Tag 'ChildProcess' {
    BeforeEach {
        $testHome = Enter-SamTestHome -KeepEmulatorState
        Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    }
    AfterEach {
        Exit-SamTestHome
        Remove-Item -Path Env:FAKE_CORE_MODE, Env:FAKE_CORE_LOG -ErrorAction SilentlyContinue
    }

    It 'runs PYTHON -m bridge rpc for SAM_BRIDGE_PYTHON' {
        $option = Get-SamBridgeOption
        $option.CoreSource | Should -Be 'SAM_BRIDGE_PYTHON'
        $option.CoreCommand | Should -Be "$python -m bridge rpc"
        $option.EffectiveTransport | Should -Be 'ChildProcess'
        @(Get-SamProfile) | Should -BeNullOrEmpty
    }

    It 'prefers Set-SamBridgeOption -PythonPath to SAM_BRIDGE_PYTHON' {
        $env:SAM_BRIDGE_PYTHON = '/nonexistent/python'
        Set-SamBridgeOption -PythonPath $python
        (Get-SamBridgeOption).CoreSource | Should -Be 'Set-SamBridgeOption -PythonPath'
        { Get-SamProfile -ErrorAction Stop } | Should -Not -Throw
        Set-SamBridgeOption -PythonPath ''
        { Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.CoreNotFound,*'
    }

    It 'runs the command in SAM_BRIDGE_CLI, the one the generated snippets use' {
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $env:SAM_BRIDGE_CLI = "$python -m bridge"
        $option = Get-SamBridgeOption
        $option.CoreSource | Should -Be 'SAM_BRIDGE_CLI'
        $option.CoreCommand | Should -Be "$python -m bridge rpc"
        New-SamTestProfile -TestHome $testHome -Name 'via-cli'
        (Get-SamProfile).Name | Should -Be 'via-cli'
    }

    It 'runs sam-bridge from PATH when nothing else is configured' {
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $bin = Split-Path -Path $python -Parent
        $savedPath = $env:PATH
        try {
            $env:PATH = $bin + [System.IO.Path]::PathSeparator + $env:PATH
            $option = Get-SamBridgeOption
            $option.CoreSource | Should -Be 'PATH'
            $option.CoreCommand | Should -Be ((Join-Path -Path $bin -ChildPath 'sam-bridge') + ' rpc')
            @(Get-SamProfile) | Should -BeNullOrEmpty
        } finally {
            $env:PATH = $savedPath
        }
    }

    It 'stops with SamBridge.CoreNotFound, and says what to install or set, when there is no core' {
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $savedPath = $env:PATH
        try {
            $env:PATH = '/nonexistent'
            (Get-SamBridgeOption).CoreError | Should -BeLike '*was not found*'
            $record = { 'a', 'b' | Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.CoreNotFound,*' -PassThru
            $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*SAM_BRIDGE_PYTHON*'
        } finally {
            $env:PATH = $savedPath
        }
    }

    It 'stops with SamBridge.CoreFailed, showing the core''s last words, when the interpreter lacks sam-bridge' {
        $system = '/usr/bin/python3'
        if (-not (Test-Path -LiteralPath $system)) { Set-ItResult -Skipped -Because 'no system python3'; return }
        $env:SAM_BRIDGE_PYTHON = $system
        Push-Location -LiteralPath $testHome.Path  # not the checkout, where `-m bridge` would find the package
        try {
            $record = { Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.CoreFailed,*' -PassThru
            $record.Exception.Message | Should -BeLike '*No module named bridge*'
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*-Verbose*'
        } finally {
            Pop-Location
        }
    }

    It 'quotes a core path with spaces' {
        $folder = Join-Path -Path $testHome.Path -ChildPath 'core with spaces'
        $null = New-Item -ItemType Directory -Path $folder
        $script = Join-Path -Path $folder -ChildPath 'sam-bridge'
        Set-Content -LiteralPath $script -Value "#!/bin/sh`nexec '$python' -m bridge `"`$@`"`n" -NoNewline
        & chmod +x $script
        Remove-Item -Path Env:SAM_BRIDGE_PYTHON
        $env:SAM_BRIDGE_CLI = $script
        (Get-SamBridgeOption).CoreCommand | Should -Be "$script rpc"
        New-SamTestProfile -TestHome $testHome -Name 'spaced'
        (Get-SamProfile).Name | Should -Be 'spaced'
        $module = Get-Module -Name SamBridge
        & $module { ConvertTo-SamProcessArgument -Value 'C:\Program Files\x\' } | Should -Be '"C:\Program Files\x\\"'
        & $module { ConvertTo-SamProcessArgument -Value 'say "hi"' } | Should -Be '"say \"hi\""'
        & $module { ConvertTo-SamProcessArgument -Value '' } | Should -Be '""'
        & $module { ConvertTo-SamProcessArgument -Value 'plain' } | Should -Be 'plain'
    }
}

Describe 'The request the core is given' -Tag 'ChildProcess' {
    BeforeAll { $testHome = Enter-SamTestHome -KeepEmulatorState }
    AfterAll {
        Exit-SamTestHome
        Remove-Item -Path Env:FAKE_CORE_MODE, Env:FAKE_CORE_LOG -ErrorAction SilentlyContinue
    }
    BeforeEach { Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global }

    It 'has a command line of fixed words, and the secrets only in the request on stdin' {
        $log = Join-Path -Path $testHome.Path -ChildPath 'request-secret.log'
        Use-FakeCore -Mode noise -Log $log
        $secret = 'client-secret-' + [guid]::NewGuid().ToString('n')
        $credential = New-Object System.Management.Automation.PSCredential('fdfc3a80-858a-4d5a-bf36-e3e72b287785', (ConvertTo-SecureString -String $secret -AsPlainText -Force))
        $null = Register-SamProfile -Name 'sp' -Credential $credential -Tenant 'contoso.onmicrosoft.com' -WarningAction SilentlyContinue
        $entry = @(Get-FakeCoreLog -Log $log)[0]
        @($entry.argv) | Should -Be @('rpc')
        $entry.request.v | Should -Be 1
        $entry.request.command | Should -Be 'profile.register'
        $entry.request.secrets.client_secret | Should -Be $secret
        $entry.request.args.credential_user | Should -Be 'fdfc3a80-858a-4d5a-bf36-e3e72b287785'
        ($entry.request.args | ConvertTo-Json -Compress) | Should -Not -Match $secret
        $entry.request.config | Should -BeNullOrEmpty
    }

    It 'names the configuration file of Set-SamBridgeOption -ConfigPath' {
        $log = Join-Path -Path $testHome.Path -ChildPath 'request-config.log'
        Use-FakeCore -Mode noise -Log $log
        $config = Join-Path -Path $testHome.Path -ChildPath 'other.toml'
        Set-SamBridgeOption -ConfigPath $config
        $null = Get-SamProfile -WarningAction SilentlyContinue
        (Get-FakeCoreLog -Log $log)[0].request.config | Should -Be $config
    }

    It 'asks for --verbose when -Verbose is on' {
        $log = Join-Path -Path $testHome.Path -ChildPath 'request-verbose.log'
        Use-FakeCore -Mode noise -Log $log
        $null = Get-SamProfile -Verbose -WarningAction SilentlyContinue 4>&1
        @((Get-FakeCoreLog -Log $log)[0].argv) | Should -Be @('--verbose', 'rpc')
    }
}

Describe 'What comes back from the core' -Tag 'ChildProcess' {
    BeforeAll { $testHome = Enter-SamTestHome -KeepEmulatorState }
    AfterAll {
        Exit-SamTestHome
        Remove-Item -Path Env:FAKE_CORE_MODE, Env:FAKE_CORE_LOG -ErrorAction SilentlyContinue
    }
    BeforeEach { Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global }

    It 'finds the response among other lines on stdout, which go to the verbose stream' {
        Use-FakeCore -Mode noise -Log (Join-Path -Path $testHome.Path -ChildPath 'noise.log')
        $module = Get-Module -Name SamBridge
        $output = & $module { Invoke-SamBridgeCore -Command 'profile.find' -Verbose -WarningAction SilentlyContinue } 4>&1
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        $result = @($output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $result.Count | Should -Be 1
        $result[0].command | Should -Be 'profile.find'
        $verbose | Should -Contain 'sam-bridge core (stdout): Some library printed this.'
        $verbose | Should -Contain 'sam-bridge core (stdout): {not json either'
    }

    It 'writes the response''s warnings and the core''s logged warnings with Write-Warning, its debug log with Write-Verbose' {
        Use-FakeCore -Mode log -Log (Join-Path -Path $testHome.Path -ChildPath 'log.log')
        $output = Get-SamProfile -Verbose 3>&1 4>&1
        $warnings = @($output | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $_.Message })
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { $_.Message })
        $warnings | Should -Contain 'a warning from the response'
        $warnings | Should -Contain 'the core logged this warning'
        $verbose | Should -Contain 'sam-bridge core: DEBUG bridge.http: GET something -> 200'
    }

    It 'stops with SamBridge.CoreFailed when the core ends without a response' {
        Use-FakeCore -Mode silent -Log (Join-Path -Path $testHome.Path -ChildPath 'silent.log')
        $record = { 'one', 'two' | Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.CoreFailed,*' -PassThru
        $record.Exception.Message | Should -BeLike '*exit code 1*'
        $record.Exception.Message | Should -BeLike "*No module named 'msal'*"
        @(Get-FakeCoreLog -Log (Join-Path -Path $testHome.Path -ChildPath 'silent.log')).Count | Should -Be 1 -Because 'a set-up error stops the pipeline at its first item'
    }

    It 'stops with SamBridge.ProtocolError on an answer outside the contract' {
        Use-FakeCore -Mode garbage -Log (Join-Path -Path $testHome.Path -ChildPath 'garbage.log')
        $record = { Get-SamProfile } | Should -Throw -ErrorId 'SamBridge.ProtocolError,*' -PassThru
        $record.CategoryInfo.Category | Should -Be 'InvalidResult'
    }

    It 'answers the core''s question with what the person types, after showing its message' {
        Use-FakeCore -Mode ask -Log (Join-Path -Path $testHome.Path -ChildPath 'ask.log')
        Mock -ModuleName SamBridge Read-SamHostInput { "typed for $Name after: $Context" }
        $module = Get-Module -Name SamBridge
        $output = & $module { Invoke-SamBridgeCore -Command 'consent' -WarningAction SilentlyContinue } 6>&1
        $shown = @($output | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { [string]$_.MessageData })
        $result = @($output | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] })
        $shown | Should -Be @('Open https://example.invalid/signin?state=abc and sign in.')
        $result[0].answer | Should -Be 'typed for redirect_url after: Open https://example.invalid/signin?state=abc and sign in.'
        Should -Invoke -ModuleName SamBridge Read-SamHostInput -Times 1 -Exactly -ParameterFilter { $Prompt -eq 'Redirected URL' }
    }
}

Describe 'Errors of the core as ErrorRecords' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        New-SamTestProfile -TestHome $testHome -Name 'contoso'
    }
    AfterAll { Exit-SamTestHome }

    It 'carries the ErrorId, category, target, remediation and the core''s facts' {
        $errors = $null
        $result = New-SamAccessToken -Profile contoso -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $record = $errors[0]
        $record.FullyQualifiedErrorId | Should -Be 'SamBridge.NoRefreshToken,New-SamAccessToken'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -Be 'contoso'
        $record.Exception | Should -BeOfType ([System.Management.Automation.ItemNotFoundException])
        $record.Exception.Message | Should -BeLike "profile 'contoso' has no refresh token in file:*"
        $record.ErrorDetails.RecommendedAction | Should -BeLike '*Invoke-SamConsent -Profile contoso*'
        $record.Exception.Data['ErrorId'] | Should -Be 'SamBridge.NoRefreshToken'
        $record.Exception.Data['ExitCode'] | Should -Be 3
        $record.Exception.Data['Type'] | Should -Be 'NoRefreshTokenError'
    }

    It 'is non-terminating: a pipeline goes on with its next item, and -ErrorAction Stop stops it' {
        $errors = $null
        $null = 'fabrikam.onmicrosoft.com', 'northwind.onmicrosoft.com' |
            New-SamAccessToken -Profile contoso -ErrorAction SilentlyContinue -ErrorVariable errors -WarningAction SilentlyContinue
        @($errors | ForEach-Object { $_.TargetObject }) | Should -Be @('fabrikam.onmicrosoft.com', 'northwind.onmicrosoft.com')
        @($errors | ForEach-Object { $_.FullyQualifiedErrorId }) | Should -Be @('SamBridge.NoRefreshToken,New-SamAccessToken', 'SamBridge.NoRefreshToken,New-SamAccessToken')
        { New-SamAccessToken -Profile contoso -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'SamBridge.NoRefreshToken,New-SamAccessToken'
    }
}

Describe 'What the transport does to values, the same in Windows PowerShell 5.1' {
    BeforeAll { $module = Get-Module -Name SamBridge }

    It 'reads a core timestamp as a DateTimeOffset in UTC, from the text 5.1 sees and the DateTime 7 makes of it' {
        $expected = New-Object System.DateTimeOffset(2026, 1, 2, 3, 4, 5, [timespan]::Zero)
        $fromText = & $module { ConvertTo-SamDateTimeOffset -Value '2026-01-02T03:04:05Z' }
        $fromDate = & $module { ConvertTo-SamDateTimeOffset -Value ('{"d":"2026-01-02T03:04:05Z"}' | ConvertFrom-Json).d }
        $fromText | Should -Be $expected
        $fromDate | Should -Be $expected
        $fromText.Offset | Should -Be ([timespan]::Zero)
        & $module { ConvertTo-SamDateTimeOffset -Value $null } | Should -BeNullOrEmpty
    }

    It 'reads a SecureString through a BSTR it frees (no ConvertFrom-SecureString -AsPlainText in 5.1)' {
        $secure = ConvertTo-SecureString -String 'pässwörd with spaces' -AsPlainText -Force
        & $module { param($s) ConvertFrom-SamSecureString -SecureString $s } $secure | Should -BeExactly 'pässwörd with spaces'
    }

    It 'sends non-ASCII text to the core intact (UTF-8 on stdin)' {
        $testHome = Enter-SamTestHome -KeepEmulatorState
        try {
            $record = { Register-SamProfile -Name 'zoë' -ApplicationId $testHome.Ids.public_app -Tenant $testHome.Ids.partner -ErrorAction Stop } |
                Should -Throw -ErrorId 'SamBridge.InvalidInput,*' -PassThru
            $record.Exception.Message | Should -BeLike "*'zoë'*"
        } finally {
            Exit-SamTestHome
        }
    }

    It 'names core properties as PowerShell does and keeps arrays arrays' {
        $object = & $module {
            ConvertTo-SamObject -TypeName 'SamBridge.Test' -InputObject ('{"app_id":"a","tenant_id":"t","config":"c","issued_at":"2026-01-02T03:04:05Z","not_after":null,"scopes":["one"],"mfa":true}' | ConvertFrom-Json)
        }
        $object.PSObject.TypeNames[0] | Should -Be 'SamBridge.Test'
        @($object.PSObject.Properties.Name) | Should -Be @('ApplicationId', 'TenantId', 'ConfigPath', 'IssuedAt', 'NotAfter', 'Scopes', 'Mfa')
        $object.IssuedAt | Should -BeOfType ([System.DateTimeOffset])
        , $object.Scopes | Should -BeOfType ([object[]])
        $object.Mfa | Should -BeTrue
    }
}
