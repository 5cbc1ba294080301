# The samples of docs/DEPLOY.md (samples/deploy): every script parses, is Windows PowerShell 5.1
# syntax, and every command in it binds (StaticParameterBinder) to the real SamBridge cmdlets, the
# built-ins, or the stand-in of Windows' ScheduledTasks module; the Functions app's files agree
# with each other and with the manifest; the jump-box keepalive runs against the emulator, and
# the task it registers binds to the Daily trigger set with the password logon.
BeforeDiscovery {
    $root = Join-Path -Path $PSScriptRoot -ChildPath '../../samples/deploy'
    $script:scripts = @(Get-ChildItem -LiteralPath $root -Recurse -File -Include '*.ps1' |
            ForEach-Object { @{ Name = $_.FullName.Substring((Resolve-Path $root).ProviderPath.Length + 1); File = $_.FullName } })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ScheduledTasks.StandIn.psm1') -Force -Global
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Compatibility.ps1')
    $deployRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../samples/deploy')).ProviderPath
    $docs = Get-Content -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../docs/DEPLOY.md') -Raw
}

AfterAll {
    Remove-Module -Name 'ScheduledTasks.StandIn' -ErrorAction SilentlyContinue
}

Describe 'The deployment samples' {
    It '<Name> parses, is Windows PowerShell 5.1 syntax, and docs/DEPLOY.md names it' -ForEach $scripts {
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
        @($errors) | Should -BeNullOrEmpty
        @(Get-CompatibilityProblem -Text (Get-Content -LiteralPath $File -Raw)) | Should -BeNullOrEmpty
        $docs | Should -Match ([regex]::Escape('samples/deploy/' + $Name.Replace('\', '/')))
    }

    It '<Name>: every command binds to the real cmdlet or its stand-in' -ForEach $scripts {
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
        $commands = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true))
        $commands.Count | Should -BeGreaterThan 0
        foreach ($command in $commands) {
            $name = $command.GetCommandName()
            $name | Should -Not -BeNullOrEmpty -Because "line $($command.Extent.StartLineNumber) names its command"
            $found = Get-Command -Name $name -ErrorAction SilentlyContinue
            $found | Should -Not -BeNullOrEmpty -Because "$name (line $($command.Extent.StartLineNumber)) is a cmdlet of SamBridge, of PowerShell or of the stand-ins"
            $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command, $true)
            @($binding.BindingExceptions.Keys | ForEach-Object { "$name -$_ : $($binding.BindingExceptions[$_].BindingException.Message)" }) | Should -BeNullOrEmpty
        }
    }

    It 'the binding check catches a parameter the cmdlet does not have, and a mix of parameter sets' {
        foreach ($bad in @('New-ScheduledTaskTrigger -Dayly -At 03:00', 'New-ScheduledTaskTrigger -Daily -At 03:00 -DaysOfWeek Monday', 'New-SamAccessToken -Profile x -Tenantt y')) {
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($bad, [ref]$null, [ref]$null)
            $command = $ast.Find({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)
            [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command, $true).BindingExceptions.Count | Should -BeGreaterThan 0 -Because $bad
        }
    }

    It 'the samples and the module use ConvertTo-Json with -InputObject and -Depth (5.1 unrolls piped arrays and cuts at depth 2)' {
        $moduleRoot = Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge'
        foreach ($file in @(Get-ChildItem -LiteralPath $deployRoot, $moduleRoot -Recurse -File -Include '*.ps1', '*.psm1')) {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
            foreach ($command in @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'ConvertTo-Json' }, $true))) {
                $bound = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command, $true).BoundParameters
                $bound.ContainsKey('InputObject') | Should -BeTrue -Because "$($file.Name) line $($command.Extent.StartLineNumber)"
                $bound.ContainsKey('Depth') | Should -BeTrue -Because "$($file.Name) line $($command.Extent.StartLineNumber)"
            }
            foreach ($command in @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and @('Out-File', 'Set-Content', 'Add-Content') -contains $n.GetCommandName() }, $true))) {
                $bound = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command, $true).BoundParameters
                $bound.ContainsKey('Encoding') | Should -BeTrue -Because "$($file.Name) line $($command.Extent.StartLineNumber): 5.1's default is UTF-16 (Out-File) or ANSI"
            }
        }
    }

    It 'the Functions app: the timer binding is the run.ps1 parameter, the dependency is this module''s major version' {
        $functionJson = Get-Content -LiteralPath (Join-Path -Path $deployRoot -ChildPath 'AzureFunctions/KeepAlive/function.json') -Raw | ConvertFrom-Json
        $binding = @($functionJson.bindings)[0]
        $binding.type | Should -Be 'timerTrigger'
        @($binding.schedule -split ' ').Count | Should -Be 6 -Because 'Functions timer schedules are six-field NCRONTAB'
        $run = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path -Path $deployRoot -ChildPath 'AzureFunctions/KeepAlive/run.ps1'), [ref]$null, [ref]$null)
        @($run.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath }) | Should -Be @($binding.name)
        $requirements = Import-PowerShellDataFile -LiteralPath (Join-Path -Path $deployRoot -ChildPath 'AzureFunctions/requirements.psd1')
        $major = (Get-Module -Name SamBridge).Version.Major
        $requirements['SamBridge'] | Should -Be "$major.*"
        $hostJson = Get-Content -LiteralPath (Join-Path -Path $deployRoot -ChildPath 'AzureFunctions/host.json') -Raw | ConvertFrom-Json
        $hostJson.managedDependency.enabled | Should -BeTrue
    }
}

Describe 'The jump box samples' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        New-SamTestProfile -TestHome $testHome -Name 'jumpbox' -Consent
        # The sample imports SamBridge by name, as from an installed module folder.
        $modulePath = $env:PSModulePath
        $env:PSModulePath = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule')).ProviderPath + [System.IO.Path]::PathSeparator + $env:PSModulePath
    }
    AfterAll {
        $env:PSModulePath = $modulePath
        Exit-SamTestHome
    }

    It 'Invoke-Keepalive.ps1 rotates the refresh token and logs one UTF-8 JSON line, exit code 0' {
        $before = (Get-SamTestStoreEntry -TestHome $testHome -Name 'jumpbox/refresh-token').value
        $log = Join-Path -Path $testHome.Path -ChildPath 'logs dir/keepalive.log'
        & (Join-Path -Path $deployRoot -ChildPath 'JumpBox/Invoke-Keepalive.ps1') -ProfileName 'jumpbox' -LogPath $log -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 0
        $lines = @([System.IO.File]::ReadAllLines($log, [System.Text.Encoding]::UTF8))
        $lines.Count | Should -Be 1
        $entry = $lines[0] | ConvertFrom-Json
        $entry.profile | Should -Be 'jumpbox'
        $entry.state | Should -Be 'ok'
        $entry.days_left | Should -BeGreaterThan 80
        (Get-SamTestStoreEntry -TestHome $testHome -Name 'jumpbox/refresh-token').value | Should -Not -Be $before -Because 'the forced redemption stored the rotated token'
    }

    It 'Invoke-Keepalive.ps1 logs the error and exits 1 for a profile that does not exist' {
        $log = Join-Path -Path $testHome.Path -ChildPath 'missing.log'
        & (Join-Path -Path $deployRoot -ChildPath 'JumpBox/Invoke-Keepalive.ps1') -ProfileName 'nobody' -LogPath $log -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 1
        $entry = Get-Content -LiteralPath $log -Raw -Encoding UTF8 | ConvertFrom-Json
        $entry.error | Should -BeLike 'SamBridge.*'
    }

    It 'Register-KeepaliveTask.ps1 registers a daily task with a password logon and the quoted script path' {
        $secret = ConvertTo-SecureString -String 'not a real password' -AsPlainText -Force
        $runAs = New-Object System.Management.Automation.PSCredential('JUMPBOX\svc-sam', $secret)
        $task = & (Join-Path -Path $deployRoot -ChildPath 'JumpBox/Register-KeepaliveTask.ps1') -ProfileName 'jumpbox' -RunAs $runAs
        $task.Set | Should -Be 'User'
        $task.Bound['User'] | Should -Be 'JUMPBOX\svc-sam'
        $task.Bound['Password'] | Should -Be 'not a real password'
        $task.Bound['TaskPath'] | Should -Be '\sam-bridge\'
        $trigger = @($task.Bound['Trigger'])[0]
        $trigger.Set | Should -Be 'Daily'
        $action = @($task.Bound['Action'])[0]
        $action.Bound['Execute'] | Should -Be 'powershell.exe'
        $action.Bound['Argument'] | Should -BeLike '*-File "*Invoke-Keepalive.ps1" -ProfileName "jumpbox"'
    }
}
