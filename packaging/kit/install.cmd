@echo off
rem Case Workbench @@VERSION@@ offline installer: double-click this file in the unzipped kit.
rem Per user, no administrator rights, no network. The work is done by install.ps1 beside this file;
rem README.txt lists its steps, uninstall.cmd undoes them.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1"
set WB_RC=%ERRORLEVEL%
echo.
pause
exit /b %WB_RC%
