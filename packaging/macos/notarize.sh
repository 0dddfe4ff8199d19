#!/usr/bin/env bash
# Notarize a signed disk image with Apple and staple the ticket to it.
#
#   packaging/macos/notarize.sh dist/pos-app-<version>-macos-<arch>.dmg
#
#   APPLE_ID            the Apple ID of the developer account
#   APPLE_TEAM_ID       its team ID
#   APPLE_APP_PASSWORD  an app-specific password for that Apple ID
#
# Skipped (exit 0) unless all three are set and the image was signed with a Developer ID
# (MACOS_CODESIGN_IDENTITY): Apple only notarizes signed, hardened-runtime apps.
set -euo pipefail
DMG="$1"
if [ -z "${APPLE_ID:-}" ] || [ -z "${APPLE_TEAM_ID:-}" ] || [ -z "${APPLE_APP_PASSWORD:-}" ] \
        || [ -z "${MACOS_CODESIGN_IDENTITY:-}" ]; then
    echo "Apple credentials or signing identity not set: $DMG is not notarized."
    exit 0
fi
xcrun notarytool submit "$DMG" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait --timeout 30m --output-format json | tee notarize.json
if ! grep -q '"status" *: *"Accepted"' notarize.json; then
    id="$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' notarize.json | head -1)"
    [ -z "$id" ] || xcrun notarytool log "$id" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD"
    echo "Notarization of $DMG was not accepted." >&2
    exit 1
fi
rm -f notarize.json
xcrun stapler staple "$DMG"
xcrun stapler validate "$DMG"
spctl --assess --type open --context context:primary-signature --verbose "$DMG"
