# Get-SamBridgeParams: the one place the samples turn `sam-bridge params ... --json` into a splat.
# Dot-source it:  . (Join-Path $PSScriptRoot 'SamBridgeParams.ps1')
# Works in Windows PowerShell 5.1 and PowerShell 7. It never writes a token anywhere: the tokens
# live only in the returned hashtable (SecureString where the cmdlet wants one).

function Get-SamBridgeParams {
    <#
    .SYNOPSIS
        Parameters for a Connect-* cmdlet, from the sam-bridge command line, ready to splat.
    .DESCRIPTION
        Runs `sam-bridge params TARGET --json` (which exchanges the stored refresh token for exactly
        the tokens the cmdlet needs, and rotates it), writes its warnings with Write-Warning, turns
        the parameters the cmdlet declares as SecureString into SecureStrings, and returns them with
        the cmdlet's name and the tokens' earliest expiry.
        The command run is `sam-bridge`, or what the environment variable SAM_BRIDGE_CLI says: the
        path of an executable, or a command line such as 'python -m bridge'.
    .PARAMETER Target
        AzAccount, AzureAD, MsolService, PartnerCenter, MgGraph, ExchangeOnline, IPPSSession,
        MicrosoftTeams or PnPOnline.
    .PARAMETER ProfileName
        The sam-bridge profile (default: SAM_BRIDGE_PROFILE, else the configuration's default).
    .PARAMETER Tenant
        A customer tenant id or domain (default: the partner tenant).
    .PARAMETER Module
        The cmdlet's module. When -ModuleVersion is not given, the version of this module (loaded,
        else the newest installed) is passed on, so the parameters fit the installed cmdlet.
    .PARAMETER ModuleVersion
        The module version whose parameter shape to produce.
    .PARAMETER With
        Optional tokens (AzAccount: graph, msgraph, keyvault).
    .PARAMETER Url
        The SharePoint URL (PnPOnline), when it cannot be derived from the tenant's domain.
    .EXAMPLE
        $connect = Get-SamBridgeParams -Target MgGraph -ProfileName contoso -Module Microsoft.Graph.Authentication
        $params = $connect.Parameters
        Microsoft.Graph.Authentication\Connect-MgGraph @params
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)][ValidateNotNullOrEmpty()][string] $Target,
        [string] $ProfileName,
        [string] $Tenant,
        [string] $Module,
        [string] $ModuleVersion,
        [string[]] $With,
        [string] $Url
    )
    $command = @('sam-bridge')
    if ($env:SAM_BRIDGE_CLI) {
        if (Test-Path -LiteralPath $env:SAM_BRIDGE_CLI -PathType Leaf) {
            $command = @($env:SAM_BRIDGE_CLI)
        } else {
            $command = @($env:SAM_BRIDGE_CLI.Trim() -split '\s+')
        }
    }
    $exe = $command[0]
    if (-not (Get-Command -Name $exe -ErrorAction SilentlyContinue)) {
        throw "sam-bridge was not found (looked for '$exe'): install it, or set SAM_BRIDGE_CLI to its path."
    }
    $arguments = @($command | Select-Object -Skip 1) + @('params', $Target, '--json')
    if ($ProfileName) { $arguments += @('--profile', $ProfileName) }
    if ($Tenant) { $arguments += @('--tenant', $Tenant) }
    if (-not $ModuleVersion -and $Module) {
        # The cmdlets' parameters changed between module versions: ask for the installed one's shape.
        $found = Get-Module -Name $Module | Sort-Object -Property Version -Descending | Select-Object -First 1
        if (-not $found) {
            $found = Get-Module -ListAvailable -Name $Module | Sort-Object -Property Version -Descending | Select-Object -First 1
        }
        if ($found -and $found.Version -gt [version]'0.0') { $ModuleVersion = $found.Version.ToString() }
    }
    if ($ModuleVersion) { $arguments += @('--module-version', $ModuleVersion) }
    if ($With) { $arguments += @('--with', ($With -join ',')) }
    if ($Url) { $arguments += @('--url', $Url) }

    $output = & $exe @arguments
    if ($LASTEXITCODE -ne 0) {
        throw "sam-bridge params $Target failed with exit code $LASTEXITCODE (its message is above)."
    }
    $result = ($output -join [Environment]::NewLine) | ConvertFrom-Json
    foreach ($warning in @($result.warnings)) { Write-Warning $warning }
    $splat = @{}
    foreach ($property in $result.parameters.PSObject.Properties) { $splat[$property.Name] = $property.Value }
    foreach ($name in @($result.secure_parameters)) {
        $splat[$name] = ConvertTo-SecureString -String $splat[$name] -AsPlainText -Force
    }
    # PowerShell 7's ConvertFrom-Json already returns a DateTime here; 5.1 returns the text.
    $expiresOn = $result.expires_on
    if ($expiresOn -isnot [datetime]) {
        $expiresOn = [datetime]::Parse($expiresOn, [System.Globalization.CultureInfo]::InvariantCulture,
            [System.Globalization.DateTimeStyles]'AssumeUniversal, AdjustToUniversal')
    }
    [pscustomobject]@{
        Target     = $result.target
        Cmdlet     = $result.cmdlet
        Module     = $result.module
        Parameters = $splat
        ExpiresOn  = $expiresOn
        Warnings   = @($result.warnings)
    }
}
