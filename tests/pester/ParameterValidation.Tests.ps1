# Parameter validation, per command: what PowerShell refuses while binding (sets, types, ranges,
# ValidateSet), and what the core refuses (reported as ErrorRecords with category InvalidArgument
# before anything is sent). Missing mandatory parameters are checked on the metadata: calling
# without them would prompt in an interactive host.
BeforeDiscovery {
    $script:bindingCases = @(
        @{ Command = 'Connect-SamService'; Why = 'an unknown target'; Call = { Connect-SamService -Target Nope -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Connect-SamService'; Why = 'an empty profile name'; Call = { Connect-SamService -Target MgGraph -Profile '' -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Connect-SamService'; Why = 'AdditionalParameter $null'; Call = { Connect-SamService -Target MgGraph -AdditionalParameter $null -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamBridgeOption'; Why = 'a parameter it does not have'; Call = { Get-SamBridgeOption -Transport Auto }; ErrorId = 'NamedParameterNotFound' }
        @{ Command = 'Get-SamConnectParameter'; Why = 'an unknown target'; Call = { Get-SamConnectParameter -Target AzureRm }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamConnectParameter'; Why = 'an empty -With'; Call = { Get-SamConnectParameter -Target AzAccount -With '' }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamConnectParameter'; Why = 'an empty tenant'; Call = { Get-SamConnectParameter -Target MgGraph -Tenant '' }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamConnectParameter'; Why = 'a batch concurrency of 0'; Call = { Get-SamConnectParameter -Target MgGraph -Tenant a, b -Concurrency 0 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamConnectParameter'; Why = 'a batch concurrency above 64'; Call = { Get-SamConnectParameter -Target MgGraph -AllCustomers -Concurrency 65 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamConnectSnippet'; Why = 'an unknown -Via'; Call = { Get-SamConnectSnippet -Target MgGraph -Via Http }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamConnectSnippet'; Why = 'an unknown target'; Call = { Get-SamConnectSnippet -Target Teams }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamProfile'; Why = 'an empty name'; Call = { Get-SamProfile -Name '' }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamRefreshTokenStatus'; Why = '-WarningDays above 90'; Call = { Get-SamRefreshTokenStatus -WarningDays 91 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Get-SamRefreshTokenStatus'; Why = 'an empty profile name'; Call = { Get-SamRefreshTokenStatus -Profile '' }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Import-SamRefreshToken'; Why = 'a plain-text refresh token'; Call = { Import-SamRefreshToken -RefreshToken 'not-a-secure-string' }; ErrorId = 'ParameterArgumentTransformationError' }
        @{ Command = 'Import-SamRefreshToken'; Why = 'a $null refresh token'; Call = { Import-SamRefreshToken -RefreshToken $null }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Invoke-SamConsent'; Why = 'two sign-in methods'; Call = { Invoke-SamConsent -Browser -PrintUrl -WhatIf }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'Invoke-SamConsent'; Why = '-TimeoutSeconds 0'; Call = { Invoke-SamConsent -Browser -TimeoutSeconds 0 -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Invoke-SamConsent'; Why = '-TimeoutSeconds with -PrintUrl'; Call = { Invoke-SamConsent -PrintUrl -TimeoutSeconds 5 -WhatIf }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'New-SamAccessToken'; Why = '-Profile with -RefreshToken'; Call = { New-SamAccessToken -Profile x -RefreshToken (New-Object System.Security.SecureString) -Scopes 'User.Read' }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'New-SamAccessToken'; Why = '-IncludeRefreshToken with -Profile'; Call = { New-SamAccessToken -Profile x -IncludeRefreshToken }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'New-SamAccessToken'; Why = '-Force with -RefreshToken'; Call = { New-SamAccessToken -RefreshToken (New-Object System.Security.SecureString) -Scopes 'User.Read' -Force }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'New-SamAccessToken'; Why = 'an empty scope'; Call = { New-SamAccessToken -Scopes '' }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'New-SamAccessToken'; Why = 'a batch concurrency above 64'; Call = { New-SamAccessToken -Tenant a, b -Concurrency 65 }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'New-SamAccessToken'; Why = '-AllCustomers with -RefreshToken'; Call = { New-SamAccessToken -RefreshToken (New-Object System.Security.SecureString) -Scopes 'User.Read' -AllCustomers }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'Register-SamProfile'; Why = 'a port above 65535'; Call = { Register-SamProfile -Name x -ApplicationId a -Tenant t -RedirectPort 70000 -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Register-SamProfile'; Why = 'a plain-text client secret'; Call = { Register-SamProfile -Name x -ApplicationId a -Tenant t -ClientSecret 'not-a-secure-string' -WhatIf }; ErrorId = 'ParameterArgumentTransformationError' }
        @{ Command = 'Register-SamProfile'; Why = 'a secret and a certificate'; Call = { Register-SamProfile -Name x -ApplicationId a -Tenant t -ClientSecret (New-Object System.Security.SecureString) -CertificatePath x.pfx -WhatIf }; ErrorId = 'AmbiguousParameterSet' }
        @{ Command = 'Set-SamBridgeOption'; Why = 'an unknown transport'; Call = { Set-SamBridgeOption -Transport Pipe -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Test-SamProfile'; Why = 'an empty tenant'; Call = { Test-SamProfile -Tenant '' }; ErrorId = 'ParameterArgumentValidationError' }
        @{ Command = 'Unregister-SamProfile'; Why = 'an empty name'; Call = { Unregister-SamProfile -Name '' -WhatIf }; ErrorId = 'ParameterArgumentValidationError' }
    )
    $script:coreCases = @(
        @{ Command = 'Get-SamConnectParameter'; Why = 'an option the target does not have'; Call = { Get-SamConnectParameter -Target MgGraph -With keyvault -ErrorAction Stop }; Text = "MgGraph has no option 'keyvault'" }
        @{ Command = 'Get-SamConnectParameter'; Why = 'a module version that is not one'; Call = { Get-SamConnectParameter -Target PartnerCenter -ModuleVersion 'three' -ErrorAction Stop }; Text = 'is not a version' }
        @{ Command = 'Get-SamConnectParameter'; Why = 'a SharePoint URL over http'; Call = { Get-SamConnectParameter -Target PnPOnline -Url 'http://contoso.sharepoint.com' -ErrorAction Stop }; Text = 'is not an https URL' }
        @{ Command = 'Get-SamConnectSnippet'; Why = 'a URL for a target without one'; Call = { Get-SamConnectSnippet -Target MgGraph -Url 'https://contoso.sharepoint.com' -ErrorAction Stop }; Text = 'applies only to targets' }
        @{ Command = 'Import-SamRefreshToken'; Why = 'a refresh token with spaces'; Call = { Import-SamRefreshToken -RefreshToken (ConvertTo-SecureString -String 'not a token' -AsPlainText -Force) -Confirm:$false -ErrorAction Stop }; Text = 'that is not a refresh token' }
        @{ Command = 'New-SamAccessToken'; Why = 'an application id that is not a GUID'; Call = { New-SamAccessToken -RefreshToken (ConvertTo-SecureString -String 'rt' -AsPlainText -Force) -ApplicationId 'my-app' -Scopes 'User.Read' -ErrorAction Stop }; Text = 'is not a GUID' }
        @{ Command = 'New-SamAccessToken'; Why = 'a credential of another application'; Call = {
                $credential = New-Object System.Management.Automation.PSCredential('10a997cd-0d50-4ae0-b5d8-56a51bce0103', (ConvertTo-SecureString -String 's3cret' -AsPlainText -Force))
                New-SamAccessToken -RefreshToken (ConvertTo-SecureString -String 'rt' -AsPlainText -Force) -ApplicationId 'fdfc3a80-858a-4d5a-bf36-e3e72b287785' -Credential $credential -ServicePrincipal -Scopes 'User.Read' -ErrorAction Stop
            }; Text = 'is not the application id' }
        @{ Command = 'New-SamAccessToken'; Why = 'a scope that is not one'; Call = { New-SamAccessToken -Scopes 'read everything' -ErrorAction Stop }; Text = 'contains whitespace' }
        @{ Command = 'New-SamAccessToken'; Why = 'no application id at all'; Call = { New-SamAccessToken -RefreshToken (ConvertTo-SecureString -String 'rt' -AsPlainText -Force) -Scopes 'User.Read' -ErrorAction Stop }; Text = 'no application id' }
        @{ Command = 'Register-SamProfile'; Why = 'a profile name with spaces'; Call = { Register-SamProfile -Name 'my profile' -ApplicationId 'd08dc19e-ba2a-454d-8b27-fe0fdf4a176c' -Tenant 'contoso.onmicrosoft.com' -ErrorAction Stop }; Text = 'is not valid' }
        @{ Command = 'Register-SamProfile'; Why = 'a tenant that is not one'; Call = { Register-SamProfile -Name 'p2' -ApplicationId 'd08dc19e-ba2a-454d-8b27-fe0fdf4a176c' -Tenant 'contoso' -ErrorAction Stop }; Text = 'is neither a tenant id' }
        @{ Command = 'Set-SamBridgeOption'; Why = 'an interpreter that does not exist'; Call = { Set-SamBridgeOption -PythonPath '/nonexistent/python3' -ErrorAction Stop }; Text = 'is not a file or a command' }
        @{ Command = 'Set-SamBridgeOption'; Why = 'a Python.Runtime.dll that does not exist'; Call = { Set-SamBridgeOption -PythonRuntimePath '/nonexistent/Python.Runtime.dll' -ErrorAction Stop }; Text = 'is not a file' }
        @{ Command = 'New-SamAccessToken'; Why = 'a plain-text -RefreshToken (New-PartnerAccessToken took a string)'; Call = { New-SamAccessToken -RefreshToken 'not-a-secure-string' -Scopes 'User.Read' -ErrorAction Stop }; Text = 'takes a SecureString' }
        @{ Command = 'Unregister-SamProfile'; Why = 'a profile that does not exist'; Call = { Unregister-SamProfile -Name 'nope' -Force -ErrorAction Stop }; Text = "profile 'nope'"; Category = 'ObjectNotFound' }
        @{ Command = 'Get-SamProfile'; Why = 'a profile that does not exist'; Call = { Get-SamProfile -Name 'nope' -ErrorAction Stop }; Text = "profile 'nope' is not in"; Category = 'InvalidData' }
        @{ Command = 'Invoke-SamConsent'; Why = 'a profile that does not exist'; Call = { Invoke-SamConsent -Profile 'nope' -Confirm:$false -ErrorAction Stop }; Text = "profile 'nope' is not in"; Category = 'ObjectNotFound' }
        @{ Command = 'Get-SamRefreshTokenStatus'; Why = 'a profile that does not exist'; Call = { Get-SamRefreshTokenStatus -Profile 'nope' -ErrorAction Stop }; Text = "profile 'nope' is not in"; Category = 'ObjectNotFound' }
        @{ Command = 'Connect-SamService'; Why = 'a module that is not installed'; Call = { Connect-SamService -Target PartnerCenter -ModuleVersion '3.0.10' -Confirm:$false -ErrorAction Stop }; Text = 'PowerShell module PartnerCenter, which is not installed'; Category = 'NotInstalled' }
    )
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'SamBridge.TestHelpers.psm1') -Global
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge') -Force -Global
}

Describe '<Command> refuses <Why> while binding' -ForEach $bindingCases {
    It 'fails with <ErrorId>' {
        $record = $Call | Should -Throw -ErrorId "$ErrorId,*" -PassThru
        $record.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
    }
}

Describe 'Input the core refuses' {
    BeforeAll {
        $testHome = Enter-SamTestHome
        New-SamTestProfile -TestHome $testHome -Name 'contoso'
    }
    AfterAll { Exit-SamTestHome }

    It '<Command>: <Why> is an ErrorRecord naming the problem' -ForEach $coreCases {
        $record = $Call | Should -Throw -PassThru
        $expected = 'InvalidArgument'
        if ($_.ContainsKey('Category')) { $expected = $Category }
        $record.CategoryInfo.Category | Should -Be $expected
        $record.FullyQualifiedErrorId | Should -BeLike 'SamBridge.*'
        $record.Exception.Message | Should -BeLike "*$Text*"
    }
}

Describe 'Mandatory parameters' {
    It '<Command> -<Parameter> is mandatory in <Set>' -ForEach @(
        @{ Command = 'Connect-SamService'; Parameter = 'Target'; Set = '__AllParameterSets' }
        @{ Command = 'Get-SamConnectParameter'; Parameter = 'Target'; Set = '__AllParameterSets' }
        @{ Command = 'Get-SamConnectSnippet'; Parameter = 'Target'; Set = '__AllParameterSets' }
        @{ Command = 'Import-SamRefreshToken'; Parameter = 'RefreshToken'; Set = '__AllParameterSets' }
        @{ Command = 'Invoke-SamConsent'; Parameter = 'Browser'; Set = 'Browser' }
        @{ Command = 'Invoke-SamConsent'; Parameter = 'PrintUrl'; Set = 'PrintUrl' }
        @{ Command = 'New-SamAccessToken'; Parameter = 'RefreshToken'; Set = 'RefreshToken' }
        @{ Command = 'New-SamAccessToken'; Parameter = 'Scopes'; Set = 'RefreshToken' }
        @{ Command = 'New-SamAccessToken'; Parameter = 'Credential'; Set = 'ServicePrincipal' }
        @{ Command = 'New-SamAccessToken'; Parameter = 'ServicePrincipal'; Set = 'ServicePrincipal' }
        @{ Command = 'New-SamAccessToken'; Parameter = 'Tenant'; Set = 'ServicePrincipal' }
        @{ Command = 'New-SamAccessToken'; Parameter = 'ApplicationId'; Set = 'ServicePrincipal' }
        @{ Command = 'Register-SamProfile'; Parameter = 'Name'; Set = '__AllParameterSets' }
        @{ Command = 'Register-SamProfile'; Parameter = 'Tenant'; Set = '__AllParameterSets' }
        @{ Command = 'Register-SamProfile'; Parameter = 'ApplicationId'; Set = 'PublicClient' }
        @{ Command = 'Register-SamProfile'; Parameter = 'ClientSecret'; Set = 'ClientSecret' }
        @{ Command = 'Register-SamProfile'; Parameter = 'Credential'; Set = 'Credential' }
        @{ Command = 'Register-SamProfile'; Parameter = 'CertificatePath'; Set = 'Certificate' }
        @{ Command = 'Unregister-SamProfile'; Parameter = 'Name'; Set = '__AllParameterSets' }
    ) {
        $metadata = (Get-Command -Name $Command).Parameters[$Parameter]
        $metadata.ParameterSets.ContainsKey($Set) | Should -BeTrue
        $metadata.ParameterSets[$Set].IsMandatory | Should -BeTrue
    }

    It 'New-SamAccessToken keeps New-PartnerAccessToken''s optional -ApplicationId, -Credential, -ServicePrincipal and -Tenant in the RefreshToken set' {
        $parameters = (Get-Command -Name New-SamAccessToken).Parameters
        foreach ($name in 'ApplicationId', 'Credential', 'ServicePrincipal', 'Tenant') {
            $parameters[$name].ParameterSets['RefreshToken'].IsMandatory | Should -BeFalse -Because $name
        }
        $parameters['ApplicationId'].Aliases | Should -Contain 'ClientId'
        $parameters['Tenant'].Aliases | Should -Contain 'TenantId'
        $parameters['Tenant'].Aliases | Should -Contain 'Domain'
        # [object], so that a string gets SamBridge.InvalidInput naming the conversion; only a SecureString passes.
        $parameters['RefreshToken'].ParameterType | Should -Be ([object])
        $parameters['Credential'].ParameterType | Should -Be ([System.Management.Automation.PSCredential])
        $parameters['Scopes'].ParameterType | Should -Be ([string[]])
    }

    It 'a command that needs nothing binds with nothing: <_>' -ForEach @('Get-SamProfile', 'Get-SamRefreshTokenStatus', 'New-SamAccessToken', 'Test-SamProfile', 'Get-SamBridgeOption', 'Invoke-SamConsent') {
        foreach ($parameter in (Get-Command -Name $_).Parameters.Values) {
            foreach ($set in $parameter.ParameterSets.GetEnumerator()) {
                $default = (Get-Command -Name $_).DefaultParameterSet
                if ($set.Key -eq '__AllParameterSets' -or $set.Key -eq $default -or -not $default) {
                    $set.Value.IsMandatory | Should -BeFalse -Because "$_ -$($parameter.Name)"
                }
            }
        }
    }
}
