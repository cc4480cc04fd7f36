; Inno Setup script: a per-user Windows installer for the folder that `make dist` builds.
; Not yet tried on Windows (see packaging/README.md). From the repository root, after make dist:
;   iscc /DAppVersion=0.1.0 packaging\windows\metabolic-journal.iss
; with the version taken from pyproject.toml, the project's only source for it.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z packaging\windows\metabolic-journal.iss
#endif

#define AppName "Metabolic Journal"
#define AppExe "metabolic-journal.exe"

[Setup]
; The application id (journal/__init__.py APP_ID): upgrades find the earlier install by it.
AppId=org.metabolicjournal.MetabolicJournal
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
; Installs for the current user without administrator rights; an administrator may choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=metabolic-journal-{#AppVersion}-windows-x64-setup
SetupIconFile=resources\metabolic-journal.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: both executables and _internal\.
Source: "dist\metabolic-journal\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; Uninstalling removes the program only. The journal in %LOCALAPPDATA%\MetabolicJournal and its
; backups stay where they are, because they are the user's data.
