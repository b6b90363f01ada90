#!/usr/bin/env bash
# Builds Twofold's Debian package with the Tauri bundler, offline (a .deb needs no download, unlike
# an AppImage), and prints the package's path as the last line:
#
#   setup → twofold-cli (cargo build --release) → tauri build --bundles deb (ui build, the app,
#   the package with /usr/bin/twofold, /usr/bin/twofold-cli, the .desktop entry and the icons)
#
# The CLI goes into the package through `bundle.linux.deb.files`, given here with the absolute
# path of the binary just built (so the package follows CARGO_TARGET_DIR). The package lands in
# $CARGO_TARGET_DIR/release/bundle/deb/ and is copied there under Debian's own file name,
# twofold_<version>_<arch>.deb, which is the path printed. Install it with
# `sudo apt install ./twofold_*.deb`; tests/tools/check-deb.sh checks it.
#
# PACKAGE_SKIP_SETUP=1 skips scripts/setup.sh (CI runs it once before).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

section() { printf '\n==== %s ====\n' "$*" >&2; }
die() {
	printf 'package: error: %s\n' "$*" >&2
	exit 1
}

if [ "${PACKAGE_SKIP_SETUP:-0}" != 1 ]; then
	section "setup"
	bash scripts/setup.sh
fi
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
tauri="$ROOT/ui/node_modules/.bin/tauri"
[ -x "$tauri" ] || die "no tauri CLI at $tauri (scripts/setup.sh installs ui/node_modules)"

started=$SECONDS
section "build: twofold-cli (release)"
cargo build --release --locked -p twofold-cli
cli="$CARGO_TARGET_DIR/release/twofold-cli"
[ -x "$cli" ] || die "no CLI binary at $cli"

section "build: app and .deb (tauri build --bundles deb)"
# A JSON merge patch over tauri.conf.json: only the CLI's source path, which depends on the
# target directory, is not in the committed config.
config="$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/twofold-cli":"%s"}}}}}' "$cli")"
bundle_dir="$CARGO_TARGET_DIR/release/bundle/deb"
rm -f "$bundle_dir"/*.deb
# The tauri CLI would guess the frontend folder (the first package.json it finds, possibly
# tests/e2e's): name both folders, so beforeBuildCommand (`npm run build`) runs in ui/.
TAURI_APP_PATH="$ROOT" TAURI_FRONTEND_PATH="$ROOT/ui" "$tauri" build --ci --bundles deb --config "$config"

shopt -s nullglob
debs=("$bundle_dir"/*.deb)
shopt -u nullglob
[ "${#debs[@]}" -eq 1 ] || die "expected one .deb in $bundle_dir, found ${#debs[@]}"
built="${debs[0]}"
package="$(dpkg-deb --field "$built" Package)"
version="$(dpkg-deb --field "$built" Version)"
arch="$(dpkg-deb --field "$built" Architecture)"
deb="$bundle_dir/${package}_${version}_${arch}.deb"
[ "$built" = "$deb" ] || cp "$built" "$deb"
printf 'package: built in %d s\n' "$((SECONDS - started))" >&2
printf '%s\n' "$deb"
