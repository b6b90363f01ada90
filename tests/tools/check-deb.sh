#!/usr/bin/env bash
# Checks the Debian package that scripts/package.sh built (issues 6 and 18):
#
#   1. metadata: Package twofold, a Debian revision over the app's version, a Maintainer with a
#      name and an address, Depends from dpkg-shlibdeps (libc6, WebKitGTK 4.1, GTK 3) plus the
#      tray's libayatana-appindicator3-1;
#   2. contents: /usr/bin/twofold and /usr/bin/twofold-cli (stripped), the .desktop entry and
#      icons, copyright (machine-readable) and changelog.Debian.gz, the man pages twofold(1)
#      and twofold-cli(1), and the bash, zsh and fish completions where Debian puts them; no
#      other package beside it;
#   3. lintian: no error (the warnings and infos are printed);
#   4. unpacked with `dpkg -x` into a temporary folder: the completions parse, the man pages
#      are roff, `twofold-cli --version` prints the package's version;
#   5. the unpacked app starts under a private Xvfb and D-Bus session, with a throwaway HOME and
#      vault path, and is still running after 3 s.
#
#   tests/tools/check-deb.sh [PACKAGE.deb]
#
# Without PACKAGE.deb: the twofold_*.deb in $CARGO_TARGET_DIR/release/bundle/deb (or target/).
# `apt install` into a minimal Debian 12 root is tests/tools/deb-root-test.sh. Prints
# `check-deb: ok` at the end; any failure exits non-zero with the reason.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"
use_tools
die() {
	printf 'check-deb: FAIL: %s\n' "$*" >&2
	exit 1
}

deb=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option $1" ;;
	*) deb="$1" ;;
	esac
	shift
done
if [ -z "$deb" ]; then
	dir="$CARGO_TARGET_DIR/release/bundle/deb"
	debs=("$dir"/twofold_*.deb)
	[ -f "${debs[0]}" ] || die "no twofold_*.deb in $dir: run scripts/package.sh first"
	deb="${debs[0]}"
fi
[ -f "$deb" ] || die "no package at $deb"
deb="$(realpath "$deb")"
for tool in dpkg-deb lintian Xvfb dbus-run-session; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (scripts/setup.sh installs it)"
done
log "package: $deb ($(du -h "$deb" | cut -f1))"

# 1. Metadata.
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = twofold ] || die "Package is \"$(field Package)\", expected twofold"
version="$(field Version)"
upstream="${version%-*}"
[ "$upstream" != "$version" ] || die "Version $version has no Debian revision (changelog.Debian.gz is for non-native packages)"
grep -qE '^[^<>]+ <[^<>@ ]+@[^<> ]+>$' <<<"$(field Maintainer)" || die "Maintainer is not \"Name <address>\": $(field Maintainer)"
depends="$(field Depends)"
for lib in 'libc6 \(>= ' 'libwebkit2gtk-4\.1-0 \(>= ' 'libgtk-3-0 \(>= ' 'libayatana-appindicator3-1'; do
	grep -qE "(^|, )$lib" <<<"$depends" || die "Depends lacks ${lib//\\/} (dpkg-shlibdeps): $depends"
done
log "metadata: twofold $version, Maintainer: $(field Maintainer)"
log "Depends: $depends"

# 2. Contents.
# Paths as dpkg-deb lists them, with or without a leading "./".
listing="$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's,^\./,,; s,^,./,')"
expect() {
	grep -qxE "$1" <<<"$listing" || die "the package lacks $2 (dpkg -c shows: $(tr '\n' ' ' <<<"$listing"))"
}
expect '\./usr/bin/twofold' "/usr/bin/twofold"
expect '\./usr/bin/twofold-cli' "/usr/bin/twofold-cli"
expect '\./usr/share/applications/[^/]+\.desktop' "a .desktop file in /usr/share/applications"
expect '\./usr/share/icons/hicolor/[0-9x@]+/apps/[^/]+\.png' "icons in /usr/share/icons/hicolor"
expect '\./usr/share/doc/twofold/copyright' "/usr/share/doc/twofold/copyright"
expect '\./usr/share/doc/twofold/changelog\.Debian\.gz' "/usr/share/doc/twofold/changelog.Debian.gz"
expect '\./usr/share/doc/twofold/rust-crates\.txt' "/usr/share/doc/twofold/rust-crates.txt"
expect '\./usr/share/man/man1/twofold\.1\.gz' "the man page twofold(1)"
expect '\./usr/share/man/man1/twofold-cli\.1\.gz' "the man page twofold-cli(1)"
expect '\./usr/share/bash-completion/completions/twofold-cli' "the bash completion"
expect '\./usr/share/zsh/vendor-completions/_twofold-cli' "the zsh completion"
expect '\./usr/share/fish/vendor_completions\.d/twofold-cli\.fish' "the fish completion"
others="$(find "$(dirname "$deb")" -maxdepth 1 -name '*.deb' ! -path "$deb")"
[ -z "$others" ] || die "other packages lie beside it: $others"
log "contents: app, CLI, .desktop entry, $(grep -cE '/icons/.*\.png$' <<<"$listing") icons, copyright, changelog, 2 man pages, 3 completions"

# 3. lintian, the way Debian judges a package: no error. Its tags go to the log either way.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/twofold-check-deb.XXXXXX")"
at_exit rm -rf "$scratch"
status=0
lintian --allow-root --fail-on error --display-info --tag-display-limit 0 "$deb" >"$scratch/lintian.txt" 2>&1 || status=$?
sed 's/^/  /' "$scratch/lintian.txt" >&2
errors="$(grep -c '^E: ' "$scratch/lintian.txt" || true)"
warnings="$(grep -c '^W: ' "$scratch/lintian.txt" || true)"
case "$status" in
0) [ "$errors" -eq 0 ] || die "lintian printed $errors error(s) (above) yet exited 0" ;;
1) die "lintian reports $errors error(s) (above)" ;;
*) die "lintian did not run (exit $status, above)" ;;
esac
log "lintian: $errors errors, $warnings warnings"

# 4. Unpacked.
dpkg-deb -x "$deb" "$scratch/root"
prefix="$scratch/root"
app="$prefix/usr/bin/twofold"
cli="$prefix/usr/bin/twofold-cli"
[ -x "$app" ] || die "$app is not an executable"
[ -x "$cli" ] || die "$cli is not an executable"
for bin in "$app" "$cli"; do
	file -b "$bin" | grep -q ', stripped' || die "$(basename "$bin") is not stripped: $(file -b "$bin")"
done
desktops=("$prefix"/usr/share/applications/*.desktop)
grep -qE '^Exec=twofold( |$)' "${desktops[0]}" || die "${desktops[0]} does not start twofold: $(grep '^Exec=' "${desktops[0]}")"
grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$prefix/usr/share/doc/twofold/copyright" ||
	die "the copyright file is not machine-readable (DEP-5)"
for page in twofold twofold-cli; do
	zcat "$prefix/usr/share/man/man1/$page.1.gz" | grep -q "^\.TH $page 1 " || die "$page.1.gz is not the roff page of $page"
done
bash -n "$prefix/usr/share/bash-completion/completions/twofold-cli" || die "the bash completion does not parse"
grep -q 'twofold-cli' "$prefix/usr/share/zsh/vendor-completions/_twofold-cli" || die "the zsh completion is empty"
grep -q 'complete -c twofold-cli' "$prefix/usr/share/fish/vendor_completions.d/twofold-cli.fish" || die "the fish completion is empty"

# The packaged app has no end-to-end seam: the variable through which the e2e build takes its
# native dialogs' answers (src-tauri/src/native.rs, feature e2e-seam) is not in the binary.
if grep -q "TWOFOLD_E2E_DIALOGS" "$app"; then
	die "the packaged app contains the e2e seam (TWOFOLD_E2E_DIALOGS): it must be built without the e2e-seam feature"
fi
cli_version="$("$cli" --version)" || die "twofold-cli --version failed"
[ "$cli_version" = "twofold-cli $upstream" ] || die "twofold-cli --version says \"$cli_version\", expected twofold-cli $upstream"
log "unpacked: binaries stripped, copyright DEP-5, man pages, completions parse; $cli_version"

# 5. The app starts and stays up, on a private display, D-Bus session, HOME and vault.
start_xvfb "$scratch/xvfb.log"
(
	private_home "$scratch/session"
	export TWOFOLD_VAULT="$scratch/vault.twofold"
	exec dbus-run-session -- "$app"
) >"$scratch/app.log" 2>&1 &
app_pid=$!
at_exit stop_pid "$app_pid"
sleep 3
if ! kill -0 "$app_pid" 2>/dev/null; then
	wait "$app_pid" && status=0 || status=$?
	die "the unpacked app exited within 3 s (status $status): $(tail -n 20 "$scratch/app.log")"
fi
# dbus-run-session is the parent: the app itself must be among its children.
child="$(pgrep -P "$app_pid" -x twofold || true)"
[ -n "$child" ] || die "the app is not running under its D-Bus session after 3 s: $(tail -n 20 "$scratch/app.log")"
log "app: $app (pid $child) still running after 3 s on $DISPLAY"
stop_pid "$child"
echo "check-deb: ok"
