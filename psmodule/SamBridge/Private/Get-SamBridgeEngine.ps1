function Get-SamBridgeEngine {
    <#
    .SYNOPSIS
        The in-process engine (pythonnet hosting the sam-bridge core in this PowerShell process), started on first use; $null when it cannot run here.
    .DESCRIPTION
        One engine per PowerShell process, whatever the number of imports of the module: it is
        kept in AppDomain data, because Import-Module -Force resets the module's variables but a
        process can initialise Python only once.

        Starting it:
        1. the interpreter: the one the child-process transport would run (Resolve-SamBridgePython);
        2. that interpreter is asked once (Get-SamPythonInfo) for its shared library, home,
           sys.path and site directories, and whether its sam-bridge has the in-process host;
        3. Python.Runtime.dll (Find-SamPythonRuntime): Set-SamBridgeOption -PythonRuntimePath,
           else SAM_BRIDGE_PYTHONNET_DLL, else lib/Python.Runtime.dll next to the module, else the
           copy in that interpreter's pythonnet package;
        4. the runtime is pointed at the library and home, initialised without Python's signal
           handlers (Ctrl+C stays PowerShell's), the GIL released for other threads, sys.path made
           the interpreter's (its .pth files processed, so editable installs resolve), and
           bridge.rpc (the core's versioned in-process entry) imported and its protocol checked.
        The Python run in the interpreter and in the engine is in the module's python/ folder.
        No MSAL.NET assembly is loaded: Python.Runtime.dll needs none, and the core uses msal for
        Python.

        Returns a hashtable (Python, Runtime, Library, Start: the host's start function) or $null,
        with the reason in $script:SamBridgeEngineProblem. The decision is remembered with -Key,
        the settings it depends on (options, SAM_BRIDGE_* variables, PATH), which
        Get-SamBridgeTransport compares before calling this again: the per-request cost is one
        string comparison.
    .PARAMETER Key
        The settings the decision depends on (built by Get-SamBridgeTransport).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory = $true)][string] $Key)
    if ($script:SamBridgeEngineKey -eq $Key) { return $script:SamBridgeEngine }
    $script:SamBridgeEngine = $null
    $script:SamBridgeEngineProblem = $null
    $engine = $null
    $problem = Start-SamBridgeEngine -Engine ([ref]$engine)
    $script:SamBridgeEngine = $engine
    $script:SamBridgeEngineProblem = $problem
    $script:SamBridgeEngineKey = $Key
    $engine
}

function Start-SamBridgeEngine {
    # Finds or starts the process's engine; returns $null (and the engine through -Engine) or the
    # reason it cannot run.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][ref] $Engine)
    $python = Resolve-SamBridgePython
    if ($python.Problem) { return $python.Problem }

    $existing = [System.AppDomain]::CurrentDomain.GetData($script:SamBridgeEngineSlot)
    if ($existing) {
        if ($existing.Problem) { return $existing.Problem }
        if ($existing.Python -ne $python.Path) {
            return "this PowerShell process already hosts the core of $($existing.Python) in-process, and a process can host only one Python; $($python.Path) runs as a child process."
        }
        $Engine.Value = $existing
        return $null
    }

    $info = Get-SamPythonInfo -Python $python.Path
    if ($info -is [string]) { return $info }
    if (-not $info.bridge) { return "$($python.Path) has no sam-bridge package (import bridge fails)." }
    if (-not $info.host) { return "the sam-bridge of $($python.Path) is older than the in-process transport (no bridge.rpc.IN_PROCESS_ENTRY); upgrade it." }
    if ([string]$info.host -ne '1') { return "the sam-bridge of $($python.Path) offers in-process entry $($info.host), this module uses entry 1; install matching versions." }
    if (-not $info.library) {
        return "$($python.Path) has no shared Python library to load in-process (it was built without --enable-shared)."
    }
    $runtime = Find-SamPythonRuntime -Info $info
    if (-not $runtime) {
        return 'Python.Runtime.dll (the NuGet or PyPI package pythonnet 3.x) was not found: set Set-SamBridgeOption -PythonRuntimePath or SAM_BRIDGE_PYTHONNET_DLL, copy it to the module''s lib folder, or pip install pythonnet into the interpreter.'
    }

    $record = @{ Python = $python.Path; Runtime = $runtime; Library = $info.library; Problem = $null; Start = $null; Types = $null }
    try {
        $types = Import-SamPythonRuntime -Path $runtime
        if ($types.PythonEngine::IsInitialized) {
            # Someone else (another module) started Python in this process: its interpreter and
            # paths are not ours to change.
            return 'Python was already started in this process by something other than SamBridge.'
        }
        $types.Runtime::PythonDLL = $info.library
        $types.PythonEngine::PythonHome = $info.base_prefix
        $types.PythonEngine::Initialize()
        $null = $types.PythonEngine::BeginAllowThreads()
        $gil = $types.Py::GIL()
        try {
            $bootstrap = [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject $info -Compress -Depth 5)))
            $types.PythonEngine::Exec((Get-SamPythonHelper -Name 'bootstrap.py').Replace('@INFO@', $bootstrap))
            # The core's documented entry (bridge/rpc/__init__.py), not a file of its: the module
            # names only bridge.rpc, its IN_PROCESS_ENTRY, PROTOCOL_VERSION and start.
            $entry = $types.Py::Import('bridge.rpc')
            $version = [int]$entry.GetAttr('PROTOCOL_VERSION').ToString()
            if ($version -ne 1) { throw "its in-process entry speaks protocol $version, this module 1" }
            $record.Start = $entry.GetAttr('start')
        } finally {
            $gil.Dispose()
        }
        $record.Types = $types
    } catch {
        # Python may be half started: the process keeps this answer, the child process works on.
        $record.Problem = "the in-process engine failed to start with $($python.Path): $($_.Exception.Message)"
        [System.AppDomain]::CurrentDomain.SetData($script:SamBridgeEngineSlot, $record)
        return $record.Problem
    }
    [System.AppDomain]::CurrentDomain.SetData($script:SamBridgeEngineSlot, $record)
    Write-Verbose "sam-bridge: in-process engine started: $($python.Path) ($($info.library)) through $runtime"
    $Engine.Value = $record
    $null
}

function Import-SamPythonRuntime {
    # Loads Python.Runtime.dll (unless a copy is loaded already) and returns the types used.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory = $true)][string] $Path)
    $type = 'Python.Runtime.PythonEngine' -as [type]
    if ($type) {
        $assembly = $type.Assembly
    } else {
        # Assembly.LoadFrom, not Add-Type: the same load in a fraction of the time.
        $assembly = [System.Reflection.Assembly]::LoadFrom($Path)
    }
    if ($assembly.GetName().Version.Major -lt 3) {
        throw "Python.Runtime.dll $($assembly.GetName().Version) is loaded; pythonnet 3 is needed"
    }
    $types = @{}
    foreach ($name in @('Runtime', 'PythonEngine', 'Py', 'PyObject', 'PyString', 'PyFloat', 'PyInt')) {
        $types[$name] = $assembly.GetType("Python.Runtime.$name", $true)
    }
    $types
}

function Resolve-SamBridgePython {
    <#
    .SYNOPSIS
        The Python interpreter whose core the in-process engine loads: the one the child process would run.
    .DESCRIPTION
        Set-SamBridgeOption -PythonPath and SAM_BRIDGE_PYTHON name it; SAM_BRIDGE_CLI 'PYTHON -m
        bridge' names it; an executable (SAM_BRIDGE_CLI, or sam-bridge on PATH) is a console script
        whose first line names it (#!/path/to/python), or, on Windows, a launcher beside its
        python.exe. Returns Path, or Problem when it cannot be told.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    $core = Resolve-SamBridgeCommand
    if ($core -is [System.Management.Automation.ErrorRecord]) { return @{ Path = $null; Problem = $core.Exception.Message } }
    $arguments = @($core.Arguments)
    if ($arguments.Count -ge 2 -and $arguments[0] -eq '-m' -and $arguments[1] -eq 'bridge') {
        return @{ Path = $core.FilePath; Problem = $null }
    }
    if ($arguments.Count -eq 0) {
        $beside = Join-Path -Path (Split-Path -Path $core.FilePath -Parent) -ChildPath 'python.exe'
        if ($core.FilePath -like '*.exe' -and (Test-Path -LiteralPath $beside -PathType Leaf)) { return @{ Path = $beside; Problem = $null } }
        $first = $null
        try {
            $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList $core.FilePath
            try { $first = $reader.ReadLine() } finally { $reader.Dispose() }
        } catch {
            $first = $null
        }
        if ($first -and $first.StartsWith('#!')) {
            $words = @($first.Substring(2).Trim() -split '\s+')
            $candidate = $words[0]
            if ([System.IO.Path]::GetFileName($candidate) -eq 'env' -and $words.Count -ge 2) {
                $found = @(Get-Command -Name $words[1] -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1)
                $candidate = $null
                if ($found.Count -gt 0) { $candidate = $found[0].Path }
            }
            if ($candidate -and [System.IO.Path]::GetFileName($candidate) -like 'python*' -and (Test-Path -LiteralPath $candidate -PathType Leaf)) {
                return @{ Path = $candidate; Problem = $null }
            }
        }
    }
    @{ Path = $null; Problem = "cannot tell which Python interpreter runs '$($core.Display)'; set Set-SamBridgeOption -PythonPath or SAM_BRIDGE_PYTHON to use the in-process transport." }
}

function Get-SamPythonInfo {
    <#
    .SYNOPSIS
        What the in-process engine needs to know about an interpreter, asked of it once per process.
    .DESCRIPTION
        Runs the interpreter once (the script on stdin, nothing secret) and keeps its answer in
        AppDomain data for the life of the process. Returns the parsed answer, or a string saying
        why the interpreter could not be asked.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject], [string])]
    param([Parameter(Mandatory = $true)][string] $Python)
    $slot = "SamBridge.PythonInfo:$Python"
    $cached = [System.AppDomain]::CurrentDomain.GetData($slot)
    if ($cached) { return $cached }
    $startInfo = New-Object -TypeName System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $Python
    $startInfo.Arguments = '-'
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.EnvironmentVariables['PYTHONIOENCODING'] = 'utf-8'
    $process = New-Object -TypeName System.Diagnostics.Process
    $process.StartInfo = $startInfo
    try {
        $null = $process.Start()
    } catch {
        $process.Dispose()
        return "$Python could not be run: $($_.Exception.Message)"
    }
    try {
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $process.StandardInput.Write((Get-SamPythonHelper -Name 'describe_interpreter.py'))
        $process.StandardInput.Close()
        $output = $process.StandardOutput.ReadToEnd()
        if (-not $process.WaitForExit(60000)) { $process.Kill() }
        $null = $stderrTask.Wait(5000)
        $info = $null
        try {
            $info = ConvertFrom-Json -InputObject $output.Trim()
        } catch {
            $info = $null
        }
        if ($null -eq $info) {
            return "$Python did not describe itself (exit code $($process.ExitCode)): $($stderrTask.Result.Trim())"
        }
        [System.AppDomain]::CurrentDomain.SetData($slot, $info)
        $info
    } finally {
        if (-not $process.HasExited) { $process.Kill() }
        $process.Dispose()
    }
}

function Find-SamPythonRuntime {
    # Python.Runtime.dll: the option, the environment variable, the module's lib folder, the
    # interpreter's pythonnet package; $null when none exists.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][object] $Info)
    $moduleBase = Split-Path -Path $PSScriptRoot -Parent
    $candidates = @(
        $script:SamBridgeOptions.PythonRuntimePath
        $env:SAM_BRIDGE_PYTHONNET_DLL
        (Join-Path -Path $moduleBase -ChildPath 'lib/Python.Runtime.dll')
        $Info.pythonnet_dll
    )
    foreach ($candidate in $candidates) {
        if ($candidate -and (Test-Path -LiteralPath $candidate -PathType Leaf)) {
            return (Resolve-Path -LiteralPath $candidate).ProviderPath
        }
    }
    $null
}

# Where the process keeps its engine (AppDomain data survives Import-Module -Force).
$script:SamBridgeEngineSlot = 'SamBridge.InProcessEngine.v1'
$script:SamBridgeEngineKey = $null
$script:SamBridgeEngine = $null
$script:SamBridgeEngineProblem = $null
