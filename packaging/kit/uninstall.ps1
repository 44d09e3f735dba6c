# Case Workbench @@VERSION@@: removes what install.ps1 installed for this user. Started by uninstall.cmd in
# the kit, or by "Apps & features" (install.ps1 copies this file into the program folder).
# Keeps the user's cases, notes, signature packs and error log (%LOCALAPPDATA%\CaseWorkbench): work, not program.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2

$AppName = 'Case Workbench'
$ProgId = 'CaseWorkbench.Case'
$VerbKey = 'CaseWorkbench'
$Extensions = @('.zip', '.7z', '.wbcase')
$InstallDir = Join-Path $env:LOCALAPPDATA 'Programs\CaseWorkbench'
$UninstallKey = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\CaseWorkbench'
$Classes = 'HKCU:\Software\Classes'

function Remove-Key([string]$Key) {
    if (Test-Path -LiteralPath $Key) { Remove-Item -LiteralPath $Key -Recurse -Force }
}

foreach ($folder in @([Environment]::GetFolderPath('Programs'), [Environment]::GetFolderPath('Desktop'))) {
    $link = Join-Path $folder "$AppName.lnk"
    if (Test-Path -LiteralPath $link) { Remove-Item -LiteralPath $link -Force }
}
foreach ($ext in $Extensions) {
    Remove-Key "$Classes\SystemFileAssociations\$ext\shell\$VerbKey"
    if (Test-Path -LiteralPath "$Classes\$ext\OpenWithProgids") {
        Remove-ItemProperty -LiteralPath "$Classes\$ext\OpenWithProgids" -Name $ProgId -ErrorAction SilentlyContinue
    }
}
if ((Test-Path -LiteralPath "$Classes\.wbcase") -and (Get-Item -LiteralPath "$Classes\.wbcase").GetValue('') -eq $ProgId) {
    Set-Item -LiteralPath "$Classes\.wbcase" -Value ''
}
Remove-Key "$Classes\$ProgId"
Remove-Key $UninstallKey
try {
    Add-Type -Namespace CaseWorkbench -Name Shell -MemberDefinition '[DllImport("shell32.dll")] public static extern void SHChangeNotify(int eventId, uint flags, IntPtr item1, IntPtr item2);'
    [CaseWorkbench.Shell]::SHChangeNotify(0x08000000, 0, [IntPtr]::Zero, [IntPtr]::Zero)
} catch { }

if (Test-Path -LiteralPath $InstallDir) {
    Set-Location -LiteralPath $env:TEMP  # not inside the folder being removed
    try { Remove-Item -LiteralPath $InstallDir -Recurse -Force }
    catch {
        Write-Host "$InstallDir could not be removed: close Case Workbench, then run the uninstaller again." -ForegroundColor Red
        Write-Host ('无法删除 {0}：请关闭 Case Workbench，然后重新运行卸载程序。' -f $InstallDir) -ForegroundColor Red
        exit 1
    }
}
Write-Host 'Case Workbench is removed. Your cases and notes in %LOCALAPPDATA%\CaseWorkbench are kept.' -ForegroundColor Green
Write-Host 'Case Workbench 已卸载。%LOCALAPPDATA%\CaseWorkbench 中的案例和笔记均已保留。' -ForegroundColor Green
exit 0
