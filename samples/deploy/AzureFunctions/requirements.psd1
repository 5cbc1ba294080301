# Managed dependencies: the Functions host installs these from the PowerShell Gallery.
@{
    'SamBridge' = '0.*'
}
