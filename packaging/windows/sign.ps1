# Sign Windows executables with the code-signing certificate given through the environment.
#
#   powershell -File packaging\windows\sign.ps1 dist\pos-app\pos-app.exe dist\pos-app\pos-app-cli.exe
#
# WINDOWS_CERT_BASE64     the .pfx file, base64-encoded (a GitHub secret)
# WINDOWS_CERT_PASSWORD   its password
# WINDOWS_TIMESTAMP_URL   RFC 3161 time-stamp server (default: DigiCert's)
#
# Without WINDOWS_CERT_BASE64 it says so and does nothing (exit 0), so unsigned builds work.
# Inno Setup calls it for the setup and the uninstaller through
#   iscc /DSign "/SposSign=powershell.exe -NoProfile -ExecutionPolicy Bypass -File $qC:\...\sign.ps1$q $f"
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Files)
$ErrorActionPreference = "Stop"

if (-not $env:WINDOWS_CERT_BASE64) {
    Write-Host "WINDOWS_CERT_BASE64 is not set: not signing $($Files -join ', ')."
    exit 0
}
$timestamp = if ($env:WINDOWS_TIMESTAMP_URL) { $env:WINDOWS_TIMESTAMP_URL } else { "http://timestamp.digicert.com" }

$signtool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
if (-not $signtool) {
    $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
        Sort-Object FullName -Descending | Select-Object -First 1 -ExpandProperty FullName
}
if (-not $signtool) { throw "signtool.exe not found (install the Windows SDK)." }

$pfx = Join-Path ([IO.Path]::GetTempPath()) ("pos-app-sign-" + [Guid]::NewGuid() + ".pfx")
try {
    [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:WINDOWS_CERT_BASE64))
    & $signtool sign /f $pfx /p $env:WINDOWS_CERT_PASSWORD /fd sha256 /tr $timestamp /td sha256 /d "pos-app" @Files
    if ($LASTEXITCODE -ne 0) { throw "signtool failed with exit code $LASTEXITCODE." }
    & $signtool verify /pa @Files
    if ($LASTEXITCODE -ne 0) { throw "signtool verify failed with exit code $LASTEXITCODE." }
} finally {
    Remove-Item -Force -ErrorAction SilentlyContinue $pfx
}
