@echo off
rem Removes what install.cmd installed for this user: the program folder, the shortcuts, the menu entries.
rem Your cases, notes and signature packs are kept. The work is done by uninstall.ps1 beside this file.
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0uninstall.ps1"
set WB_RC=%ERRORLEVEL%
echo.
pause
exit /b %WB_RC%
