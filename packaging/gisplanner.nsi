; Windows installer for the one-folder bundle dist\gisplanner\ (built by packaging/gisplanner.spec).
;   makensis /DVERSION=0.1.0 packaging\gisplanner.nsi        -> dist\gisplanner-setup.exe
; Per-user install (no administrator rights on most office PCs): %LOCALAPPDATA%\Programs\gisplanner,
; Start-menu and desktop shortcuts to gisplanner-gui.exe, an uninstaller. The user's database,
; backups and logs live in %LOCALAPPDATA%\gisplanner and are never removed by the uninstaller.
Unicode true
!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef DIST
  !define DIST "..\dist\gisplanner"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\gisplanner-setup.exe"
!endif
!define APPNAME "大走访规划 GIS"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\gisplanner"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\gisplanner"
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "gisplanner"
  SetOutPath "$INSTDIR"
  File /r "${DIST}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME}.lnk" "$INSTDIR\gisplanner-gui.exe"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\卸载.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\gisplanner-gui.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
SectionEnd

Section "Uninstall"
  Delete "$DESKTOP\${APPNAME}.lnk"
  RMDir /r "$SMPROGRAMS\${APPNAME}"
  RMDir /r "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
