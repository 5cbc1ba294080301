@{
    RootModule           = 'SamBridge.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c1d54be0-e69f-4805-8933-e3a29a49118b'
    Author               = 'sam-bridge maintainers'
    CompanyName          = 'sam-bridge'
    Copyright            = '(c) sam-bridge maintainers. All rights reserved.'
    Description          = 'The Secure Application Model for Microsoft Entra ID in PowerShell: consent once with MFA, then exchange the stored refresh token for access tokens and ready Connect-* parameters. A thin layer over the sam-bridge Python core (no MSAL.NET is loaded into the session).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('SamBridge.Format.ps1xml')
    TypesToProcess       = @('SamBridge.Types.ps1xml')
    FunctionsToExport    = @(
        'Connect-SamService'
        'Get-SamApplicationCredential'
        'Get-SamBridgeOption'
        'Get-SamConnectParameter'
        'Get-SamConnectSnippet'
        'Get-SamCustomer'
        'Get-SamProfile'
        'Get-SamRefreshTokenStatus'
        'Grant-SamCustomerConsent'
        'Import-SamRefreshToken'
        'Install-SamBridgeCore'
        'Invoke-SamConsent'
        'Invoke-SamCustomerJob'
        'Invoke-SamKeepAlive'
        'New-SamAccessToken'
        'New-SamApplication'
        'Register-SamProfile'
        'Set-SamBridgeOption'
        'Test-SamProfile'
        'Unregister-SamProfile'
        'Update-SamApplicationCredential'
        'Update-SamCustomerConnection'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SecureApplicationModel', 'PartnerCenter', 'CSP', 'GDAP', 'EntraID', 'AzureAD', 'MFA', 'RefreshToken', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/sam-bridge/sam-bridge'
            LicenseUri   = 'https://github.com/sam-bridge/sam-bridge/blob/main/psmodule/SamBridge/LICENSE.txt'
            ReleaseNotes = 'First release: consent, refresh-token import and status, New-PartnerAccessToken-compatible New-SamAccessToken, Connect-* parameters, snippets and connections for nine targets, profiles and doctor.'
        }
    }
}
