# The PowerShell Gallery package of the SamBridge module (called by scripts/dist.sh): the module
# folder, with the core's wheel in wheel/ for Install-SamBridgeCore, packed by PSResourceGet's
# Publish-PSResource, the gallery's own client, into a local folder repository: its .nuspec is
# made from the manifest (PrivateData.PSData: tags, licence and project URIs, release notes).
# Test-ModuleManifest checks the manifest first, as the gallery does.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string] $OutputPath,
    [Parameter(Mandatory = $true)][string] $Wheel,
    [Parameter(Mandatory = $true)][string] $WorkPath
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '..')).ProviderPath
$stage = Join-Path -Path $WorkPath -ChildPath 'SamBridge'
Copy-Item -LiteralPath (Join-Path -Path $repo -ChildPath 'psmodule/SamBridge') -Destination $stage -Recurse
Get-ChildItem -LiteralPath $stage -Recurse -Force | Where-Object { $_.Name -eq '__pycache__' -or $_.Name -eq 'SamBridge.Core.json' } |
    Remove-Item -Recurse -Force
$null = New-Item -ItemType Directory -Path (Join-Path -Path $stage -ChildPath 'wheel')
Copy-Item -LiteralPath $Wheel -Destination (Join-Path -Path $stage -ChildPath 'wheel')

$manifest = Test-ModuleManifest -Path (Join-Path -Path $stage -ChildPath 'SamBridge.psd1')
$feed = Join-Path -Path $WorkPath -ChildPath 'feed'
$null = New-Item -ItemType Directory -Path $feed
Register-PSResourceRepository -Name SamBridgeDist -Uri $feed -Trusted
try {
    Publish-PSResource -Path $stage -Repository SamBridgeDist
} finally {
    Unregister-PSResourceRepository -Name SamBridgeDist
}
$package = Join-Path -Path $feed -ChildPath "SamBridge.$($manifest.Version).nupkg"
Copy-Item -LiteralPath $package -Destination $OutputPath
