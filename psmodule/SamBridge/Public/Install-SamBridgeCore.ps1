function Install-SamBridgeCore {
    <#
    .SYNOPSIS
        Installs the sam-bridge Python core into a private virtual environment that this module then uses.
    .DESCRIPTION
        For a module installed from the PowerShell Gallery (or copied) without the core: creates a
        virtual environment (default: %LOCALAPPDATA%\sam-bridge\core on Windows,
        ~/.local/share/sam-bridge/core elsewhere, or SAM_BRIDGE_CORE_HOME) with a Python 3.9 or
        newer, found through the py launcher on Windows, else python3 or python on PATH, or the
        one named by -Python; then pip installs the core of this module's version into it: the
        wheel that came in the module package (its wheel folder) when there is one, else
        sam-bridge==<module version> from the package index pip is configured for.

        The module finds that environment with no further configuration (after the install
        record of `sam-bridge psmodule install`, before PATH). When Python cannot be found, or
        pip fails, the error says what to run instead.
    .PARAMETER Path
        The virtual environment's folder.
    .PARAMETER Python
        The Python interpreter to create it with (a path, or a command on PATH such as python3.12).
    .PARAMETER Package
        What pip installs: a wheel file, or a requirement such as 'sam-bridge==0.1.0'.
    .PARAMETER PipArgument
        More arguments for pip install, e.g. '--index-url', 'https://pypi.example/simple' or '--no-index', '--find-links', 'D:\wheels'.
    .PARAMETER SystemSitePackages
        Let the environment see the interpreter's own packages (where the dependencies are installed already, e.g. from the OS).
    .PARAMETER Force
        Delete an existing environment at Path and create it again.
    .EXAMPLE
        Install-SamBridgeCore

        Creates the private environment and installs the core; then any SamBridge cmdlet works.
    .EXAMPLE
        Install-SamBridgeCore -Python 'C:\Program Files\Python312\python.exe' -PipArgument '--no-index', '--find-links', 'D:\wheels'

        Offline: a named interpreter, and the core and its dependencies from a folder of wheels.
    .OUTPUTS
        SamBridge.CoreInstallation: Path, Python, Version, ModuleVersion.
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SamBridge.CoreInstallation')]
    param(
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [ValidateNotNullOrEmpty()]
        [string] $Python,

        [ValidateNotNullOrEmpty()]
        [string] $Package,

        [string[]] $PipArgument,

        [switch] $SystemSitePackages,

        [switch] $Force
    )
    $moduleBase = $script:SamBridgeModuleRoot
    $moduleVersion = $MyInvocation.MyCommand.Module.Version.ToString()
    if (-not $Path) { $Path = Get-SamCoreEnvironmentPath }
    $Path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
    if ($Python) {
        $base = Resolve-SamExecutable -Name $Python
        if (-not $base) {
            $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.PythonNotFound' -Category ObjectNotFound `
                        -Message "-Python names '$Python', which is not an executable file or a command on PATH." `
                        -Remediation 'Name the python.exe (or python3) of a Python 3.9 or newer installation.' -TargetObject $Python))
        }
    } else {
        $base = Find-SamPython
        if (-not $base) {
            $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.PythonNotFound' -Category NotInstalled `
                        -Message 'No Python 3.9 or newer was found: there is no py launcher, python3 or python on PATH that runs.' `
                        -Remediation 'Install Python 3.9 or newer (on Windows: winget install Python.Python.3.12, or the python.org installer, which brings the py launcher), or name one with -Python; then run Install-SamBridgeCore again.' `
                        -TargetObject 'python'))
        }
    }
    if (-not $Package) {
        $bundled = @(Get-ChildItem -LiteralPath (Join-Path -Path $moduleBase -ChildPath 'wheel') -Filter "sam_bridge-$moduleVersion-*.whl" -File -ErrorAction SilentlyContinue)
        if ($bundled.Count -gt 0) { $Package = $bundled[0].FullName } else { $Package = "sam-bridge==$moduleVersion" }
    }
    if (-not (Confirm-SamAction -Cmdlet $PSCmdlet -Target $Path -Action "Create a Python virtual environment with $base and install $Package")) { return }

    $environmentPython = Get-SamCoreEnvironmentPython -Path $Path
    if ($Force -and (Test-Path -LiteralPath $Path)) {
        Remove-Item -LiteralPath $Path -Recurse -Force -ErrorAction Stop
        $environmentPython = $null
    }
    if (-not $environmentPython) {
        $venvArguments = @('-m', 'venv')
        if ($SystemSitePackages) { $venvArguments += '--system-site-packages' }
        $created = Invoke-SamSetupProcess -FilePath $base -Arguments ($venvArguments + @($Path))
        $environmentPython = Get-SamCoreEnvironmentPython -Path $Path
        if ($created.ExitCode -ne 0 -or -not $environmentPython) {
            $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.CoreInstallFailed' -Category InvalidResult `
                        -Message "$base -m venv $Path failed (exit code $($created.ExitCode)): $($created.Errors) $($created.Output)" `
                        -Remediation 'On Debian and Ubuntu install python3-venv; elsewhere repair the Python installation or name another with -Python.' -TargetObject $Path))
        }
    }
    $pipArguments = @('-m', 'pip', 'install', '--disable-pip-version-check') + @($PipArgument) + @($Package)
    $installed = Invoke-SamSetupProcess -FilePath $environmentPython -Arguments $pipArguments
    if ($installed.ExitCode -ne 0) {
        $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.CoreInstallFailed' -Category InvalidResult `
                    -Message "pip could not install $Package into $Path (exit code $($installed.ExitCode)): $($installed.Errors) $($installed.Output)" `
                    -Remediation "Fix what pip says (a proxy: -PipArgument '--proxy', 'http://host:port'; offline: -PipArgument '--no-index', '--find-links', 'FOLDER'), or pip install sam-bridge yourself and run 'sam-bridge psmodule install'." -TargetObject $Package))
    }
    # The core's public answer, `sam-bridge --version`: 'sam-bridge VERSION'.
    $asked = Invoke-SamSetupProcess -FilePath $environmentPython -Arguments @('-m', 'bridge', '--version')
    if ($asked.ExitCode -ne 0 -or $asked.Output -notmatch '^sam-bridge (\S+)$') {
        $PSCmdlet.ThrowTerminatingError((New-SamErrorRecord -ErrorId 'SamBridge.CoreInstallFailed' -Category InvalidResult `
                    -Message "pip installed $Package into $Path, but its sam-bridge does not import: $($asked.Errors)" `
                    -Remediation 'Run Install-SamBridgeCore -Force to create the environment again.' -TargetObject $Path))
    }
    $version = $Matches[1]
    if ($version -ne $moduleVersion) {
        Write-Warning "SamBridge: this module is $moduleVersion and the core installed in $Path is sam-bridge $version; install matching versions."
    }
    # Found again on the next request, and the in-process engine decided again.
    $script:SamBridgeInstalledCore = $null
    $script:SamBridgeEngineKey = $null
    [pscustomobject]@{
        PSTypeName    = 'SamBridge.CoreInstallation'
        Path          = $Path
        Python        = $environmentPython
        Version       = $version
        ModuleVersion = $moduleVersion
    }
}
