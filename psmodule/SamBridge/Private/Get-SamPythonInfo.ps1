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
    $answer = Invoke-SamSetupProcess -FilePath $Python -Arguments @('-') -InputText (Get-SamPythonHelper -Name 'describe_interpreter.py') -TimeoutSeconds 60
    if ($answer.ExitCode -eq -1 -and -not $answer.Output) { return "$Python could not be run: $($answer.Errors)" }
    $info = $null
    try {
        $info = ConvertFrom-Json -InputObject $answer.Output
    } catch {
        $info = $null
    }
    if ($null -eq $info) {
        return "$Python did not describe itself (exit code $($answer.ExitCode)): $($answer.Errors)"
    }
    [System.AppDomain]::CurrentDomain.SetData($slot, $info)
    $info
}
