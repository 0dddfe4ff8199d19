; Inno Setup 6 script: the Windows installer of pos-app, made from the PyInstaller bundle.
;
;   python packaging\build.py                      (makes dist\pos-app\ and the icon)
;   iscc packaging\windows\pos-app.iss             -> dist\pos-app-<version>-windows-x64-setup.exe
;
; The version is read from the bundle's pos-app.exe (whose version resource the spec writes
; from pos_app/__init__.py), so nothing has to be passed; /DAppVersion=... overrides it.
; Other defines: /DBundleDir=... /DIconFile=... /DOutputDir=... and /DSign together with
; /Sposign=... (see packaging/windows/sign.ps1) to sign the setup and the uninstaller.
;
; Per-user by default (no administrator needed: %LOCALAPPDATA%\Programs\pos-app); the first
; page offers "all users" (Program Files) to an administrator. Uninstalling removes the
; program only: settings, journal and logs live in %LOCALAPPDATA%\pos-app\pos-app\ (the
; platformdirs folders the app uses), which this script never installs to and never deletes.

#ifndef BundleDir
  #define BundleDir SourcePath + "..\..\dist\pos-app"
#endif
#ifndef IconFile
  #define IconFile SourcePath + "..\..\build\pyinstaller\pos-app\icons\pos-app.ico"
#endif
#ifndef OutputDir
  #define OutputDir SourcePath + "..\..\dist"
#endif
#if !FileExists(BundleDir + "\pos-app.exe")
  #error No bundle at BundleDir: run "python packaging\build.py" first.
#endif
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\pos-app.exe", "ProductVersion")
#endif
#define AppNumericVersion GetVersionNumbersString(BundleDir + "\pos-app.exe")

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{FA2B3262-677D-4EC1-A215-7B97D7230AA5}
AppName=pos-app
AppVersion={#AppVersion}
AppVerName=pos-app {#AppVersion}
AppPublisher=pos-app
AppComments=Cashier app for loyalty cards
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductVersion={#AppNumericVersion}
VersionInfoDescription=pos-app {#AppVersion} setup
DefaultDirName={autopf}\pos-app
DefaultGroupName=pos-app
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\pos-app.exe
UninstallDisplayName=pos-app
WizardStyle=modern
; Close a running pos-app (Restart Manager) before replacing its files.
CloseApplications=yes
OutputDir={#OutputDir}
OutputBaseFilename=pos-app-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
#ifdef Sign
SignTool=posSign
SignedUninstaller=yes
#endif

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole runtime, so no library of the old version is left behind.
; (Only the program folder: the shop's settings and journal are elsewhere.)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\pos-app"; Filename: "{app}\pos-app.exe"; Comment: "Cashier app for loyalty cards"
Name: "{autodesktop}\pos-app"; Filename: "{app}\pos-app.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\pos-app.exe"; Description: "{cm:LaunchProgram,pos-app}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section on purpose: the uninstaller removes exactly what was installed
; and keeps %LOCALAPPDATA%\pos-app (settings.toml, the journal, sandbox state, logs).
