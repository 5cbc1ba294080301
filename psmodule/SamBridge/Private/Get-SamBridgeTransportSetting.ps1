function Get-SamBridgeTransportSetting {
    # The Transport setting in effect: the session option, else SAM_BRIDGE_TRANSPORT, else Auto.
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($script:SamBridgeOptions.Transport) { return $script:SamBridgeOptions.Transport }
    if ($env:SAM_BRIDGE_TRANSPORT) {
        foreach ($name in @('Auto', 'InProcess', 'ChildProcess')) {
            if ($env:SAM_BRIDGE_TRANSPORT -eq $name) { return $name }  # any case, the canonical spelling
        }
        return $env:SAM_BRIDGE_TRANSPORT
    }
    'Auto'
}
