# Runs at every cold start of the PowerShell function app. The core is installed once, into
# SAM_BRIDGE_CORE_HOME (an app setting under %HOME%\data, which outlives instances), from the
# wheel in the SamBridge package; then every run finds it. docs/DEPLOY.md.
Set-StrictMode -Version 3.0
Import-Module -Name SamBridge
if ((Get-SamBridgeOption).CoreError) {
    $null = Install-SamBridgeCore -Confirm:$false
}
