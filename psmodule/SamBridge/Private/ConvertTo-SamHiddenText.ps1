function ConvertTo-SamHiddenText {
    <#
    .SYNOPSIS
        A token (a JWT) as a string that displays as <hidden: N characters>; any other value as it is.
    .DESCRIPTION
        Displaying the splat hashtable (or a transcript of it) shows each value's text. A token is
        therefore wrapped with a ToString that shows only its length; a [string] parameter of the
        Connect-* cmdlet still binds the token itself (the binder takes the wrapped string).
    #>
    [CmdletBinding()]
    [OutputType([object])]
    param([AllowNull()][object] $Value)
    if ($Value -isnot [string] -or $Value -notmatch '^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$') { return $Value }
    $wrapped = [psobject]::new($Value)
    Add-Member -InputObject $wrapped -MemberType ScriptMethod -Name ToString -Force -Value {
        '<hidden: ' + ([string]$this.PSObject.BaseObject).Length + ' characters>'
    }
    $wrapped
}
