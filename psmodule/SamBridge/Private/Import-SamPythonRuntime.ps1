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
