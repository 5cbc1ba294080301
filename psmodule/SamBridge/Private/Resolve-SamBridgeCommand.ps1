function Resolve-SamBridgeCommand {
    <#
    .SYNOPSIS
        Which program runs the sam-bridge core, and with which leading arguments.
    .DESCRIPTION
        In this order: the interpreter of Set-SamBridgeOption -PythonPath, then the environment
        variable SAM_BRIDGE_PYTHON (both run `PYTHON -m bridge`), then SAM_BRIDGE_CLI (the command
        the generated snippets run: an executable's path, or a command line such as
        'python -m bridge'), then `sam-bridge` on PATH. Returns FilePath, Arguments (without the
        trailing 'rpc'), Source and Display; or, when none is found, the SamBridge.CoreNotFound
        ErrorRecord (returned, not thrown: errors reach the user only through the calling cmdlet).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject], [System.Management.Automation.ErrorRecord])]
    param()
    $python = $script:SamBridgeOptions.PythonPath
    $source = 'Set-SamBridgeOption -PythonPath'
    if (-not $python -and $env:SAM_BRIDGE_PYTHON) {
        $python = $env:SAM_BRIDGE_PYTHON
        $source = 'SAM_BRIDGE_PYTHON'
    }
    if ($python) {
        $path = Resolve-SamExecutable -Name $python
        if (-not $path) {
            return (New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
                    -Message "$source names '$python', which is not an executable file or a command on PATH." `
                    -Remediation 'Point it at the Python interpreter that has sam-bridge installed, e.g. the python of its virtual environment.' `
                    -TargetObject $python)
        }
        return New-SamCoreCommand -FilePath $path -Arguments @('-m', 'bridge') -Source $source
    }
    if ($env:SAM_BRIDGE_CLI) {
        $text = $env:SAM_BRIDGE_CLI.Trim()
        $words = @(Split-SamCommandLine -Text $text)
        $path = Resolve-SamExecutable -Name $words[0]
        if (-not $path) {
            return (New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
                    -Message "SAM_BRIDGE_CLI is '$text', and '$($words[0])' is not an executable file or a command on PATH." `
                    -Remediation 'Set SAM_BRIDGE_CLI to the sam-bridge executable or to a command line such as ''python -m bridge'', or set SAM_BRIDGE_PYTHON instead.' `
                    -TargetObject $text)
        }
        return New-SamCoreCommand -FilePath $path -Arguments @($words | Select-Object -Skip 1) -Source 'SAM_BRIDGE_CLI'
    }
    $path = Resolve-SamExecutable -Name 'sam-bridge'
    if ($path) { return New-SamCoreCommand -FilePath $path -Arguments @() -Source 'PATH' }
    New-SamErrorRecord -ErrorId 'SamBridge.CoreNotFound' -Category ObjectNotFound -Terminating `
            -Message 'The sam-bridge core was not found: there is no sam-bridge command on PATH, and neither SAM_BRIDGE_PYTHON nor Set-SamBridgeOption -PythonPath names a Python interpreter.' `
            -Remediation 'Install it (pip install sam-bridge) so that sam-bridge is on PATH, or set SAM_BRIDGE_PYTHON to the Python interpreter that has it.' `
            -TargetObject 'sam-bridge'
}

function Split-SamCommandLine {
    <#
    .SYNOPSIS
        A command line as words: the program first, then its arguments split at white space.
    .DESCRIPTION
        A program path with spaces (C:\Program Files\...) is either the whole text (a file), or
        quoted ("..." or '...') when arguments follow. The generated snippets read SAM_BRIDGE_CLI
        by the same rule (bridge._snippets).
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param([Parameter(Mandatory = $true)][string] $Text)
    $Text = $Text.Trim()
    if (Test-Path -LiteralPath $Text -PathType Leaf) { return [string[]]@($Text) }
    if ($Text -match '^(?:"([^"]+)"|''([^'']+)'')\s*(.*)$') {
        $program = $Matches[1]
        if (-not $program) { $program = $Matches[2] }
        return [string[]](@($program) + @($Matches[3] -split '\s+' | Where-Object { $_ }))
    }
    [string[]]@($Text -split '\s+')
}

function Resolve-SamExecutable {
    # The full path of an executable file, or of an application command on PATH; $null if neither.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][string] $Name)
    if (Test-Path -LiteralPath $Name -PathType Leaf) {
        return (Resolve-Path -LiteralPath $Name).ProviderPath
    }
    $found = @(Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1)
    if ($found.Count -gt 0) { return $found[0].Path }
    $null
}

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
