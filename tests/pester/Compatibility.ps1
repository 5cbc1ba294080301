# Get-CompatibilityProblem: what in a script needs PowerShell 6 or 7 (dot-sourced by Compatibility.Tests.ps1).
#
# Syntax: ?? ??= ?. ?[] (tokens), the ternary operator and && || (AST nodes), clean blocks.
# Commands and parameters that Windows PowerShell 5.1 does not have, and .NET Core members that
# .NET Framework 4.x lacks (ProcessStartInfo.ArgumentList and the like).

$script:NewTokenKinds = @('QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr')
$script:NewAstTypes = @('TernaryExpressionAst', 'PipelineChainAst')
$script:NewCommands = @('Join-String', 'Get-Error', 'Test-Json', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-Uptime',
    'Remove-Alias', 'Remove-Service', 'Get-ExperimentalFeature', 'Enable-ExperimentalFeature', 'Get-PSSubsystem')
$script:NewParameters = @{
    'ForEach-Object'           = @('Parallel', 'ThrottleLimit', 'TimeoutSeconds', 'AsJob', 'UseNewRunspace')
    'ConvertFrom-Json'         = @('AsHashtable', 'Depth', 'NoEnumerate', 'DateKind')
    'ConvertTo-Json'           = @('AsArray', 'EscapeHandling', 'EnumsAsStrings')
    'ConvertFrom-SecureString' = @('AsPlainText')
    'Invoke-RestMethod'        = @('SkipCertificateCheck', 'Authentication', 'Token', 'SkipHttpErrorCheck', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SslProtocol', 'NoProxy', 'Resume', 'PreserveAuthorizationOnRedirect', 'SkipHeaderValidation', 'Form', 'HttpVersion', 'ConnectionTimeoutSeconds', 'OperationTimeoutSeconds')
    'Invoke-WebRequest'        = @('SkipCertificateCheck', 'Authentication', 'Token', 'SkipHttpErrorCheck', 'SslProtocol', 'NoProxy', 'Resume', 'PreserveAuthorizationOnRedirect', 'SkipHeaderValidation', 'Form', 'HttpVersion', 'ConnectionTimeoutSeconds', 'OperationTimeoutSeconds')
    'Get-Content'              = @('AsByteStream')
    'Set-Content'              = @('AsByteStream')
    'Add-Content'              = @('AsByteStream')
    'Split-Path'               = @('LeafBase', 'Extension')
    'Sort-Object'              = @('Top', 'Bottom', 'Stable')
    'Select-String'            = @('Raw', 'NoEmphasis')
    'Out-String'               = @('NoNewline')
    'Get-ChildItem'            = @('FollowSymlink')
    'Start-Process'            = @('Environment')
    'Test-Connection'          = @('TargetName', 'Ping', 'TcpPort', 'Traceroute', 'MtuSize', 'Repeat')
    'Import-PowerShellDataFile' = @('SkipLimitCheck')
    'Get-Command'              = @('UseAbbreviationExpansion', 'UseFuzzyMatching')
    'Format-Hex'               = @('Count', 'Offset')
    'ConvertTo-Csv'            = @('UseQuotes', 'QuoteFields')
    'Export-Csv'               = @('UseQuotes', 'QuoteFields')
    'New-Item'                 = @()
}
# .NET Core members a 5.1 session (.NET Framework 4.x) does not have.
$script:NewMembers = @('ArgumentList', 'StandardInputEncoding', 'ToHexString', 'ProcessPath', 'GetRelativePath', 'ReplaceLineEndings', 'WaitForExitAsync')
$script:NewTypes = @('System.Text.Json', 'System.Net.Http.Json', 'System.Range', 'System.Index', 'System.Half', 'System.DateOnly', 'System.TimeOnly')

function Get-CompatibilityProblem {
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string] $Text)
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
    foreach ($token in $tokens) {
        if ($script:NewTokenKinds -contains $token.Kind.ToString()) {
            "operator $($token.Text) (line $($token.Extent.StartLineNumber))"
        }
    }
    foreach ($node in $ast.FindAll({ param($n) $true }, $true)) {
        $type = $node.GetType().Name
        $line = $node.Extent.StartLineNumber
        if ($script:NewAstTypes -contains $type) { "$type (line $line)" }
        if ($node -is [System.Management.Automation.Language.ScriptBlockAst] -and $node.PSObject.Properties['CleanBlock'] -and $node.CleanBlock) {
            "clean block (line $line)"
        }
        if ($node -is [System.Management.Automation.Language.MemberExpressionAst] -and $node.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
            if ($script:NewMembers -contains $node.Member.Value) { "member .$($node.Member.Value) (line $line)" }
        }
        if ($node -is [System.Management.Automation.Language.TypeExpressionAst] -or $node -is [System.Management.Automation.Language.TypeConstraintAst]) {
            $name = $node.TypeName.FullName
            foreach ($prefix in $script:NewTypes) {
                if ($name -eq $prefix -or $name.StartsWith("$prefix.")) { "type [$name] (line $line)" }
            }
        }
        if ($node -is [System.Management.Automation.Language.CommandAst]) {
            $name = $node.GetCommandName()
            if (-not $name) { continue }
            if ($script:NewCommands -contains $name) { "command $name (line $line)" }
            if ($script:NewParameters.ContainsKey($name)) {
                foreach ($element in $node.CommandElements) {
                    if ($element -is [System.Management.Automation.Language.CommandParameterAst]) {
                        foreach ($parameter in $script:NewParameters[$name]) {
                            # PowerShell accepts any unambiguous prefix of a parameter name.
                            if ($element.ParameterName.Length -ge 3 -and $parameter.StartsWith($element.ParameterName, [System.StringComparison]::OrdinalIgnoreCase)) {
                                "$name -$parameter (line $line)"
                            }
                        }
                    }
                }
            }
        }
    }
}
