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

# Where the process keeps its engine (AppDomain data survives Import-Module -Force).
$script:SamBridgeEngineSlot = 'SamBridge.InProcessEngine.v1'
$script:SamBridgeEngineKey = $null
$script:SamBridgeEngine = $null
$script:SamBridgeEngineProblem = $null
