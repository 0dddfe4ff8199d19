#!/usr/bin/env bash
# Make the macOS disk image: pos-app.app next to a link to /Applications, compressed.
#
#   packaging/macos/build_dmg.sh [APP] [DMG]
#     APP  default dist/pos-app.app (from python packaging/build.py)
#     DMG  default dist/pos-app-<version>-macos-<arch>.dmg
#
# With MACOS_CODESIGN_IDENTITY set (see import_cert.sh) the image is signed too; notarize.sh
# then notarizes and staples it. Without it the image is left unsigned.
set -euo pipefail
cd "$(dirname "$0")/../.."
APP="${1:-dist/pos-app.app}"
VERSION="$("${PYTHON:-python3}" packaging/appversion.py)"
ARCH="$(lipo -archs "$APP/Contents/MacOS/pos-app" | tr ' ' '+')"
DMG="${2:-dist/pos-app-$VERSION-macos-$ARCH.dmg}"

[ -d "$APP" ] || { echo "No app at $APP: run python packaging/build.py first." >&2; exit 1; }
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
ditto "$APP" "$STAGE/pos-app.app"          # keeps symlinks, attributes and signatures
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
# hdiutil sometimes fails with "Resource busy" on CI machines: try a few times.
for attempt in 1 2 3; do
    if hdiutil create -volname "pos-app $VERSION" -srcfolder "$STAGE" -fs HFS+ \
            -format ULMO -ov "$DMG"; then
        break
    fi
    [ "$attempt" -lt 3 ] || { echo "hdiutil create failed." >&2; exit 1; }
    sleep 5
done
if [ -n "${MACOS_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$MACOS_CODESIGN_IDENTITY" "$DMG"
fi
echo "$DMG: $(du -h "$DMG" | cut -f1)"
