# Runs a batch of binding checks in one pwsh process and writes one JSON result per case.
#
# Each case imports the stand-in modules it names (fresh, so one version never leaks into the
# next case), then either splats parameters into a module-qualified command ('splat'), parses and
# runs a snippet ('snippet'), only parses one ('parse'), or runs a script file with arguments
# ('script'). Every snippet and script is also checked for syntax newer than Windows PowerShell 5.1.
param(
    [Parameter(Mandatory = $true)][string] $CasesPath,
    [Parameter(Mandatory = $true)][string] $ResultsPath
)
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Get-CompatibilityProblem {
    # Syntax and parameters that exist in PowerShell 7 but not in Windows PowerShell 5.1.
    param([System.Management.Automation.Language.Ast] $Ast, $Tokens)
    $problems = New-Object System.Collections.Generic.List[string]
    $newTokens = @('QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr')
    foreach ($token in $Tokens) {
        if ($newTokens -contains $token.Kind.ToString()) {
            $problems.Add("operator $($token.Text) (line $($token.Extent.StartLineNumber))")
        }
    }
    $newAsts = @('TernaryExpressionAst', 'PipelineChainAst')
    foreach ($node in $Ast.FindAll({ param($n) $true }, $true)) {
        if ($newAsts -contains $node.GetType().Name) {
            $problems.Add("$($node.GetType().Name) (line $($node.Extent.StartLineNumber))")
        }
        if ($node -is [System.Management.Automation.Language.ScriptBlockAst] -and $node.PSObject.Properties['CleanBlock'] -and $node.CleanBlock) {
            $problems.Add("clean block (line $($node.Extent.StartLineNumber))")
        }
    }
    $newCommands = @('Join-String', 'Get-Error', 'Test-Json', 'ConvertFrom-Markdown', 'Get-Uptime', 'Remove-Alias')
    $newParameters = @{
        'ForEach-Object'           = @('Parallel', 'ThrottleLimit', 'AsJob')
        'ConvertFrom-Json'         = @('AsHashtable', 'Depth', 'NoEnumerate')
        'ConvertFrom-SecureString' = @('AsPlainText')
        'Invoke-RestMethod'        = @('SkipCertificateCheck', 'Authentication', 'Token', 'SkipHttpErrorCheck', 'StatusCodeVariable', 'ResponseHeadersVariable')
        'Invoke-WebRequest'        = @('SkipCertificateCheck', 'Authentication', 'Token', 'SkipHttpErrorCheck')
        'Get-Content'              = @('AsByteStream')
        'Set-Content'              = @('AsByteStream')
    }
    foreach ($command in $Ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
        $name = $command.GetCommandName()
        if (-not $name) { continue }
        if ($newCommands -contains $name) { $problems.Add("command $name (line $($command.Extent.StartLineNumber))") }
        if ($newParameters.ContainsKey($name)) {
            foreach ($element in $command.CommandElements) {
                if ($element -is [System.Management.Automation.Language.CommandParameterAst] -and $newParameters[$name] -contains $element.ParameterName) {
                    $problems.Add("$name -$($element.ParameterName) (line $($command.Extent.StartLineNumber))")
                }
            }
        }
    }
    $problems.ToArray()
}

function Test-Script {
    param([string] $Text)
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
    [ordered]@{
        errors = @($errors | ForEach-Object { "$($_.ErrorId): $($_.Message) (line $($_.Extent.StartLineNumber))" })
        compatibility = @(Get-CompatibilityProblem -Ast $ast -Tokens $tokens)
    }
}

function ConvertTo-Splat {
    param($Case)
    $splat = @{}
    foreach ($property in $Case.parameters.PSObject.Properties) { $splat[$property.Name] = $property.Value }
    foreach ($name in @($Case.secure)) {
        $splat[$name] = ConvertTo-SecureString -String $splat[$name] -AsPlainText -Force
    }
    $splat
}

$cases = @(Get-Content -LiteralPath $CasesPath -Raw | ConvertFrom-Json)
$results = New-Object System.Collections.Generic.List[object]
foreach ($case in $cases) {
    $result = [ordered]@{ id = $case.id; ok = $false; parse = $null; outputs = @(); warnings = @(); error = $null }
    # Environment variables for this case only (a null value removes the variable meanwhile).
    $savedEnvironment = @{}
    if ($case.PSObject.Properties['env'] -and $case.env) {
        foreach ($variable in $case.env.PSObject.Properties) {
            $savedEnvironment[$variable.Name] = [Environment]::GetEnvironmentVariable($variable.Name)
            [Environment]::SetEnvironmentVariable($variable.Name, $variable.Value)
        }
    }
    try {
        foreach ($manifest in @($case.modules)) {
            $moduleName = [System.IO.Path]::GetFileNameWithoutExtension($manifest)
            Get-Module -Name $moduleName | Remove-Module -Force
            Import-Module -Name $manifest -Force -ErrorAction Stop
        }
        $text = $null
        if ($case.kind -eq 'snippet' -or $case.kind -eq 'parse') { $text = [string]$case.text }
        if ($case.kind -eq 'script') { $text = Get-Content -LiteralPath $case.path -Raw }
        if ($null -ne $text) {
            $result.parse = Test-Script -Text $text
            if ($result.parse.errors.Count -gt 0) { throw "the script does not parse" }
        }
        $output = $null
        if ($case.kind -eq 'splat') {
            $splat = ConvertTo-Splat -Case $case
            $output = & $case.command @splat 3>&1
        } elseif ($case.kind -eq 'snippet') {
            $output = & ([scriptblock]::Create($text)) 3>&1
        } elseif ($case.kind -eq 'script') {
            $arguments = @{}
            if ($case.PSObject.Properties['arguments'] -and $case.arguments) {
                foreach ($property in $case.arguments.PSObject.Properties) { $arguments[$property.Name] = $property.Value }
            }
            $output = & $case.path @arguments 3>&1
        }
        foreach ($item in @($output)) {
            if ($item -is [System.Management.Automation.WarningRecord]) {
                $result.warnings += $item.Message
            } elseif ($null -ne $item) {
                $result.outputs += , $item
            }
        }
        $result.ok = $true
    } catch {
        $result.error = [ordered]@{
            message = $_.Exception.Message
            error_id = $_.FullyQualifiedErrorId
            type = $_.Exception.GetType().FullName
        }
    } finally {
        foreach ($name in $savedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name]) }
    }
    $results.Add([pscustomobject]$result)
}
ConvertTo-Json -InputObject $results.ToArray() -Depth 8 | Set-Content -LiteralPath $ResultsPath -Encoding UTF8
