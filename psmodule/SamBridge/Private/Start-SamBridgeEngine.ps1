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
        Skip-SamPythonShutdownAtExit -PythonEngine $types.PythonEngine
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
