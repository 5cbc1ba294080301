function ConvertFrom-SamSecureString {
    <#
    .SYNOPSIS
        The text of a SecureString, for the request to the core only.
    .DESCRIPTION
        Windows PowerShell 5.1 has no ConvertFrom-SecureString -AsPlainText: the text is read
        through an unmanaged BSTR, which is zeroed and freed in finally.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][System.Security.SecureString] $SecureString)
    $bstr = [System.IntPtr]::Zero
    try {
        $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($SecureString)
        [System.Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    } finally {
        if ($bstr -ne [System.IntPtr]::Zero) {
            [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
        }
    }
}
