function New-SamCoreCommand {
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([string] $FilePath, [string[]] $Arguments, [string] $Source)
    [pscustomobject]@{
        FilePath  = $FilePath
        Arguments = [string[]]@($Arguments)
        Source    = $Source
        Display   = (@($FilePath) + @($Arguments) + @('rpc')) -join ' '
    }
}
