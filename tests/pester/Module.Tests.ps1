# The module's shape: manifest, exports, one public function per file, help on every command,
# tab completion. Nothing here needs the emulator except the completion and registry checks.
BeforeDiscovery {
    $moduleRoot = Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge'
    Import-Module -Name $moduleRoot -Force -Global
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $script:commands = @(Get-Command -Module SamBridge | Sort-Object -Property Name | ForEach-Object {
            @{ Name = $_.Name; Parameters = @($_.Parameters.Keys | Where-Object { $common -notcontains $_ }) }
        })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    $script:moduleRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge')).ProviderPath
    Import-Module -Name $script:moduleRoot -Force -Global
    $script:manifest = Import-PowerShellDataFile -Path (Join-Path -Path $script:moduleRoot -ChildPath 'SamBridge.psd1')
}

Describe 'The SamBridge manifest' {
    It 'declares Windows PowerShell 5.1 and both editions' {
        $manifest.PowerShellVersion | Should -Be '5.1'
        @($manifest.CompatiblePSEditions) | Should -Be @('Desktop', 'Core')
    }

    It 'lists its exports by name, without wildcards, and exports no cmdlet, variable or alias' {
        @($manifest.FunctionsToExport).Count | Should -BeGreaterThan 0
        foreach ($name in $manifest.FunctionsToExport) { $name | Should -Not -Match '[*?]' }
        @($manifest.CmdletsToExport).Count | Should -Be 0
        @($manifest.VariablesToExport).Count | Should -Be 0
        @($manifest.AliasesToExport).Count | Should -Be 0
    }

    It 'passes Test-ModuleManifest' {
        $tested = Test-ModuleManifest -Path (Join-Path -Path $moduleRoot -ChildPath 'SamBridge.psd1') -ErrorAction Stop
        $tested.Version | Should -Be ([version]$manifest.ModuleVersion)
    }

    It 'Get-Command -Module SamBridge lists exactly the exported functions, one per file in Public/' {
        $exported = @(Get-Command -Module SamBridge | ForEach-Object { $_.Name } | Sort-Object)
        $files = @(Get-ChildItem -LiteralPath (Join-Path -Path $moduleRoot -ChildPath 'Public') -Filter '*.ps1' | ForEach-Object { $_.BaseName } | Sort-Object)
        $exported | Should -Be @($manifest.FunctionsToExport | Sort-Object)
        $exported | Should -Be $files
        @(Get-Command -Module SamBridge -CommandType Cmdlet, Alias).Count | Should -Be 0
    }

    It 'each file in Public/ defines exactly the function it is named after' {
        foreach ($file in Get-ChildItem -LiteralPath (Join-Path -Path $moduleRoot -ChildPath 'Public') -Filter '*.ps1') {
            $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
            $functions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
            @($functions | ForEach-Object { $_.Name }) | Should -Be @($file.BaseName) -Because $file.Name
        }
    }

    It 'keeps its helpers private' {
        $module = Get-Module -Name SamBridge
        & $module { Get-Command -Name Invoke-SamBridgeCore -CommandType Function } | Should -Not -BeNullOrEmpty
        Get-Command -Name Invoke-SamBridgeCore -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'uses only approved verbs' {
        $approved = @(Get-Verb | ForEach-Object { $_.Verb })
        foreach ($command in Get-Command -Module SamBridge) { $approved | Should -Contain $command.Verb -Because $command.Name }
    }
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help -Name $Name -Full
        $ast = (Get-Command -Name $Name).ScriptBlock.Ast
    }

    It 'has a synopsis of its own' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without comment-based help, PowerShell makes the synopsis from the syntax.
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s"
    }

    It 'has a description' {
        ($help.Description | Out-String).Trim().Length | Should -BeGreaterThan 40
    }

    It 'has an example with code and an explanation or runnable text' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        foreach ($example in @($help.Examples.Example)) { $example.Code | Should -Not -BeNullOrEmpty }
    }

    It 'declares OutputType and CmdletBinding' {
        $attributes = @($ast.Body.ParamBlock.Attributes | ForEach-Object { $_.TypeName.Name })
        $attributes | Should -Contain 'CmdletBinding'
        $attributes | Should -Contain 'OutputType'
    }

    It 'documents -<_>' -ForEach $Parameters {
        $name = $_
        $entry = @($help.Parameters.Parameter | Where-Object { $_.Name -eq $name })
        $entry.Count | Should -Be 1
        ($entry[0].Description | Out-String).Trim().Length | Should -BeGreaterThan 10
    }

    It 'supports ShouldProcess when it changes state or connects' {
        $changes = @('Connect-SamService', 'Import-SamRefreshToken', 'Install-SamBridgeCore', 'Invoke-SamConsent', 'Invoke-SamKeepAlive', 'New-SamAccessToken',
            'Register-SamProfile', 'Set-SamBridgeOption', 'Unregister-SamProfile',
            'New-SamApplication', 'Grant-SamCustomerConsent', 'Update-SamApplicationCredential', 'Invoke-SamCustomerJob')
        $supports = (Get-Command -Name $Name).Parameters.ContainsKey('WhatIf')
        $supports | Should -Be ($changes -contains $Name)
    }
}

Describe 'Get-Help Get-SamConnectParameter -Full' {
    It 'shows the real help: synopsis, every parameter with its description, examples, outputs' {
        $text = Get-Help -Name Get-SamConnectParameter -Full | Out-String -Width 200
        $text | Should -Match 'Returns a hashtable to splat into a Connect-\* cmdlet'
        foreach ($name in 'Target', 'Profile', 'Tenant', 'ModuleVersion', 'With', 'Url') { $text | Should -Match "-$name" }
        $text | Should -Match 'The Connect-\* cmdlet to produce parameters for'
        $text | Should -Match 'EXAMPLE 1'
        $text | Should -Match 'Az\.Accounts\\Connect-AzAccount @params'
        $text | Should -Match 'System\.Collections\.Hashtable'
        $text | Should -Match 'Accept pipeline input\?\s+true \(ByValue, ByPropertyName\)'
    }
}

Describe 'The registry the module relies on' {
    BeforeAll {
        $testHome = Enter-SamTestHome
    }
    AfterAll { Exit-SamTestHome }

    It '-Target of every Connect cmdlet accepts exactly the core''s targets' {
        $module = Get-Module -Name SamBridge
        $names = @(& $module { Get-SamTarget } | ForEach-Object { $_.name })
        $names.Count | Should -Be 9
        foreach ($command in 'Get-SamConnectParameter', 'Connect-SamService', 'Get-SamConnectSnippet') {
            $set = (Get-Command -Name $command).Parameters['Target'].Attributes |
                Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            @($set.ValidValues) | Should -Be $names -Because $command
        }
    }
}

Describe 'Tab completion' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        New-SamTestProfile -TestHome $testHome -Name 'contoso'
        New-SamTestProfile -TestHome $testHome -Name 'fabrikam-ops'
    }
    AfterAll { Exit-SamTestHome }

    It 'completes -Target' {
        $line = 'Get-SamConnectParameter -Target Mi'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        @($found | ForEach-Object { $_.CompletionText }) | Should -Be @('MicrosoftTeams')
    }

    It 'completes -Profile with the configured profile names' {
        $line = 'New-SamAccessToken -Profile c'
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        @($found | ForEach-Object { $_.CompletionText }) | Should -Be @('contoso')
        $line = 'Get-SamConnectParameter -Target MgGraph -Profile '
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        @($found | ForEach-Object { $_.CompletionText }) | Should -Be @('contoso', 'fabrikam-ops')
    }

    It 'completes -With with the chosen target''s options' {
        $line = 'Get-SamConnectParameter -Target AzAccount -With '
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        @($found | ForEach-Object { $_.CompletionText }) | Should -Be @('graph', 'msgraph', 'keyvault')
    }
}
