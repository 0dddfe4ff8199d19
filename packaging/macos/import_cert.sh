#!/usr/bin/env bash
# Put the Developer ID certificate from the environment into a temporary keychain and print
# the signing identity as MACOS_CODESIGN_IDENTITY=... (CI appends it to $GITHUB_ENV).
#
#   MACOS_CERT_P12_BASE64  the "Developer ID Application" certificate and key, .p12, base64
#   MACOS_CERT_PASSWORD    its password
#
# Without MACOS_CERT_P12_BASE64 it prints nothing and exits 0: the build is then signed ad hoc
# (enough to run on the machine that built it, not to pass Gatekeeper elsewhere).
set -euo pipefail
exec 3>&1 1>&2   # only the identity line goes to stdout
if [ -z "${MACOS_CERT_P12_BASE64:-}" ]; then
    echo "MACOS_CERT_P12_BASE64 is not set: the app will be signed ad hoc." >&2
    exit 0
fi
KEYCHAIN="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pos-app-signing.keychain-db"
KEYCHAIN_PASSWORD="$(uuidgen)"
P12="$(mktemp)"
trap 'rm -f "$P12"' EXIT
echo "$MACOS_CERT_P12_BASE64" | base64 --decode > "$P12"
security create-keychain -p "$KEYCHAIN_PASSWORD" "$KEYCHAIN"
security set-keychain-settings -lut 21600 "$KEYCHAIN"
security unlock-keychain -p "$KEYCHAIN_PASSWORD" "$KEYCHAIN"
security import "$P12" -k "$KEYCHAIN" -P "${MACOS_CERT_PASSWORD:-}" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$KEYCHAIN_PASSWORD" \
    "$KEYCHAIN" >/dev/null
# Search this keychain as well as the user's usual ones.
security list-keychains -d user -s "$KEYCHAIN" $(security list-keychains -d user | tr -d '"')
IDENTITY="$(security find-identity -v -p codesigning "$KEYCHAIN" \
    | awk -F'"' '/Developer ID Application/ {print $2; exit}')"
[ -n "$IDENTITY" ] || { echo "No 'Developer ID Application' identity in the certificate." >&2; exit 1; }
echo "Signing identity: $IDENTITY"
echo "MACOS_CODESIGN_IDENTITY=$IDENTITY" >&3
