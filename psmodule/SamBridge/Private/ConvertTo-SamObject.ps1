function ConvertTo-SamObject {
    <#
    .SYNOPSIS
        A core result object as a typed PowerShell object with PascalCase property names.
    .DESCRIPTION
        'tenant_id' becomes TenantId, 'app_id' ApplicationId and 'config' ConfigPath (the names the
        cmdlets' parameters use); properties named *_at, *_on, *_after or *_before become
        DateTimeOffset values in UTC. -TypeName is inserted first in PSTypeNames (the format
        file's views).
    .PARAMETER InputObject
        One object parsed from the core's JSON result.
    .PARAMETER TypeName
        The type name, e.g. SamBridge.Profile.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true, ValueFromPipeline = $true)][object] $InputObject,
        [Parameter(Mandatory = $true)][string] $TypeName
    )
    process {
        $names = @{ app_id = 'ApplicationId'; config = 'ConfigPath' }
        $properties = [ordered]@{}
        foreach ($property in $InputObject.PSObject.Properties) {
            $name = $names[$property.Name]
            if (-not $name) {
                $name = (@($property.Name -split '_' | ForEach-Object {
                            if ($_) { $_.Substring(0, 1).ToUpperInvariant() + $_.Substring(1) }
                        }) -join '')
            }
            $value = $property.Value
            if ($property.Name -match '_(at|on|after|before)$') {
                $value = ConvertTo-SamDateTimeOffset -Value $value
            }
            $properties[$name] = $value
        }
        $object = [pscustomobject]$properties
        $object.PSObject.TypeNames.Insert(0, $TypeName)
        $object
    }
}
