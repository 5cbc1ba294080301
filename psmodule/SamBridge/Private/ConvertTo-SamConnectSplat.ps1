function ConvertTo-SamConnectSplat {
    <#
    .SYNOPSIS
        The hashtable to splat from a connect.params result: its parameters, SecureStrings where the cmdlet declares them.
    .PARAMETER Result
        The core's connect.params result.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory = $true)][object] $Result)
    $splat = @{}
    foreach ($property in $Result.parameters.PSObject.Properties) {
        $value = $property.Value
        if ($value -is [System.Array]) { $value = @($value | ForEach-Object { ConvertTo-SamHiddenText -Value $_ }) }
        else { $value = ConvertTo-SamHiddenText -Value $value }
        $splat[$property.Name] = $value
    }
    foreach ($name in @($Result.secure_parameters)) {
        if ($name -and $splat.ContainsKey($name)) {
            $splat[$name] = ConvertTo-SecureString -String ([string]$splat[$name]) -AsPlainText -Force
        }
    }
    if ($VerbosePreference -ne 'SilentlyContinue') {  # even a silent Write-Verbose costs a fifth of a millisecond
        $kind = 'partner'
        if ($Result.customer) { $kind = 'customer' }
        Write-Verbose ("sam-bridge: {0} parameter set '{1}' for {2} tenant {3}; tokens valid until {4}" -f `
                $Result.qualified_cmdlet, $Result.parameter_set, $kind, $Result.tenant_id, $Result.expires_on)
    }
    $splat
}
