function Skip-SamPythonShutdownAtExit {
    <#
    .SYNOPSIS
        Removes pythonnet's handler of the process's exit, which costs seconds and does nothing the process needs.
    .DESCRIPTION
        pythonnet 3 subscribes PythonEngine.OnProcessExit to AppDomain.ProcessExit. It never finalizes
        Python (no Py_Finalize, so no atexit handler runs either way); it frees the objects .NET and
        Python hold of each other, by up to 80 rounds of a full .NET garbage collection and a Python
        one (pythonnet/pythonnet#2008, #2245). In a PowerShell process that is 2-4 s added to every
        exit: most of a runbook's run. The operating system frees the memory anyway, and every
        request of the core has ended, its store writes flushed and its locks released, before its
        cmdlet returns. When the handler is not where it is expected (another pythonnet), nothing is
        changed.
    .PARAMETER PythonEngine
        The [Python.Runtime.PythonEngine] type of the loaded Python.Runtime.dll.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][type] $PythonEngine)
    $handler = $PythonEngine.GetMethod('OnProcessExit', [System.Reflection.BindingFlags]'NonPublic, Static', $null,
        [type[]]@([object], [System.EventArgs]), $null)
    if ($null -eq $handler -or $handler.ReturnType -ne [void]) {
        Write-Verbose 'sam-bridge: pythonnet has no OnProcessExit(object, EventArgs); its exit handler is left as it is'
        return
    }
    # A delegate to the same static method equals the one pythonnet added, so this removes that one.
    [System.AppDomain]::CurrentDomain.remove_ProcessExit([System.Delegate]::CreateDelegate([System.EventHandler], $handler))
}
