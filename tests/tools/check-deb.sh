#!/usr/bin/env bash
# Checks the Debian package that scripts/package.sh built (issue 6, "Release"):
#
#   1. metadata: Package twofold, a version, Depends on WebKitGTK 4.1 and GTK 3;
#   2. contents (dpkg -c): /usr/bin/twofold, /usr/bin/twofold-cli, the .desktop entry, the icons;
#   3. install: by default unpacked with `dpkg -x` into a temporary root (no root rights, nothing
#      touched); with --install, a real `apt-get install ./twofold_*.deb` (CI: root on a
#      throwaway machine), removed again at the end unless --keep;
#   4. `twofold-cli --version` of the installed CLI prints the package's version;
#   5. the installed app starts under a private Xvfb and D-Bus session, with a throwaway HOME and
#      vault path, and is still running after 3 s.
#
#   tests/tools/check-deb.sh [--install [--keep]] [PACKAGE.deb]
#
# Without PACKAGE.deb: the newest twofold_*.deb in $CARGO_TARGET_DIR/release/bundle/deb (or
# target/). Prints `check-deb: ok` at the end; any failure exits non-zero with the reason.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"

die() {
	printf 'check-deb: FAIL: %s\n' "$*" >&2
	exit 1
}
log() { printf 'check-deb: %s\n' "$*" >&2; }

install=0
keep=0
deb=""
while [ $# -gt 0 ]; do
	case "$1" in
	--install) install=1 ;;
	--keep) keep=1 ;;
	-h | --help)
		sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option $1" ;;
	*) deb="$1" ;;
	esac
	shift
done
if [ -z "$deb" ]; then
	dir="${CARGO_TARGET_DIR:-$ROOT/target}/release/bundle/deb"
	deb="$(ls -t "$dir"/twofold_*.deb 2>/dev/null | head -n 1 || true)"
	[ -n "$deb" ] || die "no twofold_*.deb in $dir: run scripts/package.sh first"
fi
[ -f "$deb" ] || die "no package at $deb"
deb="$(realpath "$deb")"
for tool in dpkg-deb Xvfb dbus-run-session; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/setup.sh installs it)"
done
log "package: $deb ($(du -h "$deb" | cut -f1))"

# 1. Metadata.
package="$(dpkg-deb --field "$deb" Package)"
version="$(dpkg-deb --field "$deb" Version)"
depends="$(dpkg-deb --field "$deb" Depends)"
[ "$package" = twofold ] || die "Package is \"$package\", expected twofold"
[ -n "$version" ] || die "the package has no Version"
grep -q 'libwebkit2gtk-4\.1' <<<"$depends" || die "Depends lacks libwebkit2gtk-4.1: $depends"
grep -q 'libgtk-3' <<<"$depends" || die "Depends lacks libgtk-3: $depends"
log "metadata: $package $version, Depends: $depends"

# 2. Contents.
# Paths as dpkg-deb lists them, with or without a leading "./" (Tauri's bundler writes none).
listing="$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's,^\./,,; s,^,./,')"
expect() {
	grep -qxE "$1" <<<"$listing" || die "the package lacks $2 (dpkg -c shows: $(tr '\n' ' ' <<<"$listing"))"
}
expect '\./usr/bin/twofold' "/usr/bin/twofold"
expect '\./usr/bin/twofold-cli' "/usr/bin/twofold-cli"
expect '\./usr/share/applications/[^/]+\.desktop' "a .desktop file in /usr/share/applications"
expect '\./usr/share/icons/hicolor/[0-9x@]+/apps/[^/]+\.png' "icons in /usr/share/icons/hicolor"
log "contents: app, CLI, .desktop entry and $(grep -cE '/icons/.*\.png$' <<<"$listing") icons"

# 3. Install.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/twofold-check-deb.XXXXXX")"
app_pid=""
cleanup() {
	if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
		kill "$app_pid" 2>/dev/null || true
		sleep 1
		kill -KILL "$app_pid" 2>/dev/null || true
	fi
	rm -rf "$scratch"
	if [ "$install" = 1 ] && [ "$keep" = 0 ] && dpkg-query -W twofold >/dev/null 2>&1; then
		log "removing the installed package (apt-get remove twofold)"
		apt-get remove -y -qq twofold >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
if [ "$install" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "--install needs root (CI); without it the package is unpacked with dpkg -x"
	log "install: apt-get install $deb"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
	[ "$(dpkg-query -W -f='${Status}' twofold)" = "install ok installed" ] || die "apt did not install twofold"
	prefix=""
else
	log "install: dpkg -x into $scratch/root"
	dpkg-deb -x "$deb" "$scratch/root"
	prefix="$scratch/root"
fi
app="$prefix/usr/bin/twofold"
cli="$prefix/usr/bin/twofold-cli"
[ -x "$app" ] || die "$app is not an executable"
[ -x "$cli" ] || die "$cli is not an executable"
desktops=("$prefix"/usr/share/applications/*.desktop)
desktop="${desktops[0]}"
grep -qE '^Exec=twofold( |$)' "$desktop" || die "$desktop does not start twofold: $(grep '^Exec=' "$desktop")"

# 3b. The packaged app has no end-to-end seam: the variable through which the e2e build takes
# its native dialogs' answers (src-tauri/src/native.rs, feature e2e-seam) is not in the binary.
app_bin="$(dirname "$cli")/twofold"
[ -x "$app_bin" ] || die "no app binary beside the CLI at $app_bin"
if grep -q "TWOFOLD_E2E_DIALOGS" "$app_bin"; then
	die "the packaged app contains the e2e seam (TWOFOLD_E2E_DIALOGS): it must be built without the e2e-seam feature"
fi
log "no e2e seam in the packaged app"

# 4. The CLI.
cli_version="$("$cli" --version)" || die "twofold-cli --version failed"
grep -qF "$version" <<<"$cli_version" || die "twofold-cli --version says \"$cli_version\", expected $version"
log "cli: $cli_version"

# 5. The app starts and stays up, on a private display, D-Bus session, HOME and vault.
mkdir -p "$scratch/home" "$scratch/runtime"
chmod 700 "$scratch/runtime"
exec 8< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>"$scratch/xvfb.log" & echo "PID $!")
read -r -u 8 xvfb_line
read -r -u 8 display
xvfb_pid="${xvfb_line#PID }"
trap 'kill "$xvfb_pid" 2>/dev/null || true; cleanup' EXIT
env -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
	DISPLAY=":$display" HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/runtime" \
	XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share" \
	TWOFOLD_VAULT="$scratch/vault.twofold" NO_AT_BRIDGE=1 \
	dbus-run-session -- "$app" >"$scratch/app.log" 2>&1 &
app_pid=$!
sleep 3
if ! kill -0 "$app_pid" 2>/dev/null; then
	wait "$app_pid" && status=0 || status=$?
	die "the installed app exited within 3 s (status $status): $(tail -n 20 "$scratch/app.log")"
fi
# dbus-run-session is the parent: the app itself must be among its children.
child="$(pgrep -P "$app_pid" -x twofold || true)"
[ -n "$child" ] || die "the app is not running under its D-Bus session after 3 s: $(tail -n 20 "$scratch/app.log")"
log "app: $app (pid $child) still running after 3 s on :$display"
kill "$child" 2>/dev/null || true
for _ in $(seq 1 50); do
	kill -0 "$app_pid" 2>/dev/null || break
	sleep 0.1
done
log "ok"
echo "check-deb: ok"
