# Case Workbench @@VERSION@@ offline installer for Windows x64: per user, no administrator rights, no network.
# Started by install.cmd; by hand: powershell -NoProfile -ExecutionPolicy Bypass -File install.ps1
# README.txt lists these steps in English and Chinese; uninstall.cmd undoes them.
# Everything goes under the user's own profile and HKCU: nothing needs an administrator.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2

$Version = '@@VERSION@@'
$PythonVersions = @(@@PYTHONS_PS@@)  # newest first: the Python versions this kit has wheels for
$AppName = 'Case Workbench'
$ProgId = 'CaseWorkbench.Case'
$VerbKey = 'CaseWorkbench'
$VerbText = 'Open with Case Workbench'
$Extensions = @('.zip', '.7z', '.wbcase')
$Kit = $PSScriptRoot
$Wheels = Join-Path $Kit 'wheels'
$InstallDir = Join-Path $env:LOCALAPPDATA 'Programs\CaseWorkbench'
$Venv = Join-Path $InstallDir 'venv'
$Gui = Join-Path $Venv 'Scripts\workbench-gui.exe'
$Cli = Join-Path $Venv 'Scripts\workbench.exe'
$Icon = Join-Path $InstallDir 'workbench.ico'
$UninstallKey = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\CaseWorkbench'
$Classes = 'HKCU:\Software\Classes'

function Step([int]$Number, [string]$English, [string]$Chinese) {
    Write-Host ''
    Write-Host "[$Number/6] $English"
    Write-Host "      $Chinese"
}

function Stop-Install([string]$English, [string]$Chinese) {
    Write-Host ''
    Write-Host $English -ForegroundColor Red
    Write-Host $Chinese -ForegroundColor Red
    exit 1
}

function Set-KeyDefault([string]$Key, [string]$Value) {
    if (-not (Test-Path -LiteralPath $Key)) { New-Item -Path $Key -Force | Out-Null }
    Set-Item -LiteralPath $Key -Value $Value
}

# A Python that can run this kit's wheels: the version printed must be one of $PythonVersions and the
# platform win-amd64 (a 32-bit or ARM Python cannot load them). Null when the command is missing or fails.
function Test-Python([string]$Command, [string[]]$Arguments) {
    if (-not (Get-Command $Command -ErrorAction SilentlyContinue)) { return $null }
    $ErrorActionPreference = 'Continue'  # a missing version makes py.exe write to stderr: not an error here
    $probe = 'import sys, sysconfig; print(sys.executable); print(sys.version_info[0], sys.version_info[1], sep=chr(46)); print(sysconfig.get_platform())'
    $out = @(& $Command @Arguments -c $probe 2>$null)
    if ($LASTEXITCODE -ne 0 -or $out.Count -lt 3) { return $null }
    $found = [pscustomobject]@{ Exe = "$($out[0])".Trim(); Version = "$($out[1])".Trim(); Platform = "$($out[2])".Trim() }
    if ($PythonVersions -notcontains $found.Version -or $found.Platform -ne 'win-amd64') { return $null }
    return $found
}

$Range = "$($PythonVersions[-1])-$($PythonVersions[0])"

Step 1 'Checking the files of the kit against SHA256SUMS.txt' '按 SHA256SUMS.txt 校验安装包中的文件'
if (-not (Test-Path -LiteralPath $Wheels)) {
    Stop-Install 'The wheels folder is missing: unzip the whole kit first, then run install.cmd from the unzipped folder.' `
                 '找不到 wheels 文件夹：请先解压整个安装包，再在解压后的文件夹中运行 install.cmd。'
}
foreach ($line in Get-Content -LiteralPath (Join-Path $Kit 'SHA256SUMS.txt') -Encoding UTF8) {
    if ($line -notmatch '^([0-9a-f]{64})  (.+)$') { continue }
    $expected = $Matches[1]
    $name = $Matches[2]
    $file = Join-Path $Kit ($name -replace '/', '\')
    if (-not (Test-Path -LiteralPath $file)) {
        Stop-Install "$name is missing from the kit: copy the whole kit again." "安装包缺少 ${name}：请重新复制完整的安装包。"
    }
    if ((Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash.ToLowerInvariant() -ne $expected) {
        Stop-Install "$name is damaged (its SHA-256 differs): copy the kit again." "${name} 已损坏（SHA-256 不符）：请重新复制安装包。"
    }
}

Step 2 'Finding a 64-bit Python (the py launcher first, then python on PATH)' '查找 64 位 Python（先用 py 启动器，再找 PATH 中的 python）'
$Python = $null
foreach ($v in $PythonVersions) { if (-not $Python) { $Python = Test-Python 'py' @("-$v") } }
if (-not $Python) { $Python = Test-Python 'py' @('-3') }
if (-not $Python) { $Python = Test-Python 'python' @() }
if (-not $Python) {
    Stop-Install "No 64-bit Python $Range was found: install Python $($PythonVersions[0]) for Windows x64 from python.org with 'Install for me only' (no administrator rights needed), then run install.cmd again." `
                 ('未找到 64 位 Python {0}：请从 python.org 安装 Windows x64 版 Python {1}，选择“仅为我安装”（无需管理员权限），然后重新运行 install.cmd。' -f $Range, $PythonVersions[0])
}
Write-Host "      Python $($Python.Version): $($Python.Exe)"

Step 3 'Creating the program folder %LOCALAPPDATA%\Programs\CaseWorkbench (a Python venv)' '创建程序文件夹 %LOCALAPPDATA%\Programs\CaseWorkbench（Python 虚拟环境）'
if (Test-Path -LiteralPath $Venv) {
    try { Remove-Item -LiteralPath $Venv -Recurse -Force }
    catch {
        Stop-Install 'The earlier installation could not be replaced: close Case Workbench, then run install.cmd again.' `
                     '无法替换已安装的旧版本：请关闭 Case Workbench，然后重新运行 install.cmd。'
    }
}
New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
& $Python.Exe -m venv $Venv
if ($LASTEXITCODE -ne 0) { Stop-Install "Python could not create $Venv." "Python 无法创建 ${Venv}。" }
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
Copy-Item -LiteralPath (Join-Path $Kit 'workbench.ico') -Destination $Icon -Force
Copy-Item -LiteralPath (Join-Path $Kit 'uninstall.ps1') -Destination (Join-Path $InstallDir 'uninstall.ps1') -Force

Step 4 'Installing Case Workbench from the wheels folder (pip --no-index: nothing is downloaded)' '从 wheels 文件夹安装 Case Workbench（pip --no-index：不下载任何内容）'
$env:PIP_CONFIG_FILE = 'nul'  # no pip.ini of this machine takes part: only the kit's wheels count
& $VenvPython -m pip --isolated install @@PIP_OFFLINE@@ --find-links $Wheels -r (Join-Path $Kit 'lock\pip.txt')
if ($LASTEXITCODE -ne 0) { Stop-Install 'pip could not be updated from the kit (see above).' '无法从安装包更新 pip（见上方信息）。' }
& $VenvPython -m pip --isolated install @@PIP_OFFLINE@@ --find-links $Wheels -r (Join-Path $Kit "lock\py$($Python.Version).txt")
if ($LASTEXITCODE -ne 0) { Stop-Install 'Case Workbench could not be installed from the kit (see above).' '无法从安装包安装 Case Workbench（见上方信息）。' }
& $Cli --version
if ($LASTEXITCODE -ne 0) { Stop-Install 'The installed workbench command does not start (see above).' '安装后的 workbench 命令无法启动（见上方信息）。' }

Step 5 'Creating the Start-menu and desktop shortcuts "Case Workbench"' '创建“开始”菜单和桌面快捷方式“Case Workbench”'
$Shell = New-Object -ComObject WScript.Shell
foreach ($folder in @([Environment]::GetFolderPath('Programs'), [Environment]::GetFolderPath('Desktop'))) {
    $link = $Shell.CreateShortcut((Join-Path $folder "$AppName.lnk"))
    $link.TargetPath = $Gui
    $link.WorkingDirectory = [Environment]::GetFolderPath('MyDocuments')
    $link.IconLocation = "$Icon,0"
    $link.Description = 'Diagnose failed Windows feature upgrades'
    $link.Save()
}

Step 6 'Adding "Open with Case Workbench" for .zip, .7z and .wbcase files (this user only)' '为 .zip、.7z 和 .wbcase 文件添加“Open with Case Workbench”（仅当前用户）'
$Open = "`"$Gui`" `"%1`""
Set-KeyDefault "$Classes\$ProgId" 'Case Workbench case'
Set-KeyDefault "$Classes\$ProgId\DefaultIcon" "$Icon,0"
Set-KeyDefault "$Classes\$ProgId\shell\open\command" $Open
foreach ($ext in $Extensions) {
    # a right-click entry whatever program owns the type, and a place in its "Open with" list
    Set-KeyDefault "$Classes\SystemFileAssociations\$ext\shell\$VerbKey" $VerbText
    Set-ItemProperty -LiteralPath "$Classes\SystemFileAssociations\$ext\shell\$VerbKey" -Name 'Icon' -Value "$Icon,0"
    Set-KeyDefault "$Classes\SystemFileAssociations\$ext\shell\$VerbKey\command" $Open
    if (-not (Test-Path -LiteralPath "$Classes\$ext\OpenWithProgids")) { New-Item -Path "$Classes\$ext\OpenWithProgids" -Force | Out-Null }
    New-ItemProperty -LiteralPath "$Classes\$ext\OpenWithProgids" -Name $ProgId -Value '' -PropertyType String -Force | Out-Null
}
# .wbcase is the workbench's own case bundle: a double-click opens it, unless the user chose another program
$current = (Get-Item -LiteralPath "$Classes\.wbcase").GetValue('')
if (-not $current) { Set-Item -LiteralPath "$Classes\.wbcase" -Value $ProgId }
# "Apps & features" lists it for this user, with uninstall.ps1 as its uninstaller
New-Item -Path $UninstallKey -Force | Out-Null
$values = @{ DisplayName = $AppName; DisplayVersion = $Version; Publisher = 'Case Workbench maintainers';
             InstallLocation = $InstallDir; DisplayIcon = "$Icon,0";
             UninstallString = "powershell.exe -NoProfile -ExecutionPolicy Bypass -File `"$InstallDir\uninstall.ps1`"" }
foreach ($key in $values.Keys) { Set-ItemProperty -LiteralPath $UninstallKey -Name $key -Value $values[$key] }
foreach ($key in @('NoModify', 'NoRepair')) { New-ItemProperty -LiteralPath $UninstallKey -Name $key -Value 1 -PropertyType DWord -Force | Out-Null }
try {  # Explorer shows the new menu entries without a sign-out
    Add-Type -Namespace CaseWorkbench -Name Shell -MemberDefinition '[DllImport("shell32.dll")] public static extern void SHChangeNotify(int eventId, uint flags, IntPtr item1, IntPtr item2);'
    [CaseWorkbench.Shell]::SHChangeNotify(0x08000000, 0, [IntPtr]::Zero, [IntPtr]::Zero)
} catch { }

Write-Host ''
Write-Host "Case Workbench $Version is installed: open it from the Start menu, or right-click a .zip, .7z or .wbcase file > Open with Case Workbench. Command line: $Cli" -ForegroundColor Green
Write-Host ('Case Workbench {0} 已安装：从“开始”菜单打开，或右键单击 .zip、.7z 或 .wbcase 文件 > Open with Case Workbench。命令行：{1}' -f $Version, $Cli) -ForegroundColor Green
exit 0
