# Windows PowerShell 5.1 compatibility of every module file, checked on the syntax tree: pwsh 7 parses
# 7-only syntax happily, so parsing alone proves nothing; the check walks the AST and the tokens for
# what 5.1 lacks, and is shown to catch a deliberately bad sample.
BeforeDiscovery {
    $root = Join-Path -Path $PSScriptRoot -ChildPath '../../psmodule/SamBridge'
    $script:files = @(Get-ChildItem -LiteralPath $root -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1' |
            ForEach-Object { @{ File = $_.FullName; Name = $_.FullName.Substring((Resolve-Path $root).ProviderPath.Length + 1) } })
}

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Compatibility.ps1')
}

Describe 'The compatibility check' {
    It 'catches every 7-only construct of a deliberately bad sample' {
        $bad = @'
$a = $null ?? 'x'
$b ??= 'y'
$c = $a ? 1 : 2
$d = ${a}?.Length
$e = ${a}?[0]
Get-Item . && Get-Item .
Get-Item . || Get-Item .
1..3 | ForEach-Object -Parallel { $_ } -ThrottleLimit 2
$f = '{}' | ConvertFrom-Json -AsHashtable
$g = ConvertFrom-SecureString -SecureString $s -AsPlainText
$h = 'a', 'b' | Join-String
Invoke-RestMethod -Uri https://x -SkipCertificateCheck
$i = Split-Path -Path x.txt -LeafBase
$psi = New-Object System.Diagnostics.ProcessStartInfo
$psi.ArgumentList.Add('x')
function Get-Thing { [CmdletBinding()] param() process { 1 } clean { 2 } }
'@
        $problems = @(Get-CompatibilityProblem -Text $bad)
        $expected = @('??', '??=', 'TernaryExpressionAst', '?.', '?[', 'PipelineChainAst', 'ForEach-Object -Parallel',
            'ForEach-Object -ThrottleLimit', 'ConvertFrom-Json -AsHashtable', 'ConvertFrom-SecureString -AsPlainText',
            'command Join-String', 'Invoke-RestMethod -SkipCertificateCheck', 'Split-Path -LeafBase', '.ArgumentList', 'clean block')
        foreach ($item in $expected) {
            @($problems | Where-Object { $_.Contains($item) }).Count | Should -BeGreaterThan 0 -Because "the check must report $item"
        }
    }

    It 'passes 5.1 syntax that looks similar' {
        $good = @'
$a = if ($null -eq $b) { 'x' } else { $b }
$c = $a -and $b
$d = $a.Length
$e = 'a', 'b' -join ','
$f = '{}' | ConvertFrom-Json
$g = [pscustomobject]@{ Name = 'x' }
Get-Item . ; Get-Item .
'@
        @(Get-CompatibilityProblem -Text $good) | Should -BeNullOrEmpty
    }
}

Describe 'The module files' {
    It '<Name> parses, and uses nothing newer than Windows PowerShell 5.1' -ForEach $files {
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
        @($errors) | Should -BeNullOrEmpty
        @(Get-CompatibilityProblem -Text (Get-Content -LiteralPath $File -Raw)) | Should -BeNullOrEmpty
    }
}
