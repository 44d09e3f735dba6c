; Inno Setup 6 script: a per-user install of the one-folder build, no administrator rights needed.
;
; Why per-user: most engineers' laptops deny admin rights. PrivilegesRequired=lowest installs into
; %LOCALAPPDATA%\Programs\Case Workbench ({autopf} under lowest privileges), writes the Start-menu entry and
; the .wbcase association under HKEY_CURRENT_USER (HKA), and registers an uninstaller in the user's
; "Apps & features". Nothing goes to Program Files or HKLM.
;
; Build (on Windows, after packaging\build.sh or `pyinstaller packaging\workbench.spec` made dist\CaseWorkbench):
;   iscc /DAppVersion=0.1.0 packaging\installer.iss
; Output: dist\CaseWorkbench-<version>-setup.exe
;
; The uninstaller removes the program folder and the registry entries it wrote. It leaves the user's cases,
; packs, templates and error log (in %LOCALAPPDATA%\CaseWorkbench) alone: those are work, not program files.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Case Workbench"
#define AppExe "CaseWorkbench.exe"
#define ConsoleExe "workbench.exe"
#define ProgId "CaseWorkbench.Case"
#define BuildDir "..\dist\CaseWorkbench"

[Setup]
AppId={{6B7E1F0A-3C1D-4E8B-9E55-2F6C0B9D7A41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Case Workbench maintainers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ChangesAssociations=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=CaseWorkbench-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
; rendered from resources\icons\workbench.svg by packaging\make_icon.py during the PyInstaller build
#if FileExists(AddBackslash(SourcePath) + "..\build\workbench.ico")
SetupIconFile=..\build\workbench.ico
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "associate"; Description: "Open .wbcase case bundles with {#AppName}"; GroupDescription: "File types:"

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\docs\user-guide.md"; DestDir: "{app}\docs"; Flags: ignoreversion
Source: "..\docs\user-guide.zh.md"; DestDir: "{app}\docs"; Flags: ignoreversion
Source: "..\docs\screenshots\*.png"; DestDir: "{app}\docs\screenshots"; Flags: ignoreversion skipifsourcedoesntexist

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
; the console `workbench` (analyze, timeline, export-case ...) in a prompt that has it on its PATH
Name: "{group}\{#AppName} command prompt"; Filename: "{cmd}"; Parameters: "/k ""set ""PATH={app};%PATH%"" && {#ConsoleExe} --help"""; WorkingDir: "{userdocs}"
Name: "{group}\{#AppName} user guide"; Filename: "{app}\docs\user-guide.md"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .wbcase -> CaseWorkbench.Case, per user (HKA is HKCU under PrivilegesRequired=lowest)
Root: HKA; Subkey: "Software\Classes\.wbcase\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "Case Workbench case"; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".wbcase"; ValueData: ""; Flags: uninsdeletekey; Tasks: associate

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
