#!/usr/bin/env bash
# Desktop performance benchmark (issue 3, "Performance"): start-up time and memory of the release
# Twofold app with 100 accounts, beside a bare Tauri 2 "hello" window built the same way
# (bench/desktop) and beside OTPClient, all measured in the same run on one Xvfb display.
#
#   bash scripts/bench-desktop.sh [RUNS]        RUNS measured launches of each app (default 5)
#
#   setup (Xvfb, WebKitWebDriver, gnome-keyring, tauri-driver) → apt (otpclient, xdotool, xev)
#   → ui: build → release builds (Twofold + CLI; hello in target/bench-hello)
#   → Xvfb + private Secret Service → 100 accounts in a keychain vault (twofold-cli) and in an
#     OTPClient database (password in the same Secret Service) → bench/desktop/measure.mjs
#
# Not part of CI: two release builds take a while. Nothing touches the user's display, keyring,
# vault or OTPClient data: everything runs in a temporary HOME, XDG directories, D-Bus session
# and X display, all torn down on exit. Prints a table (what each row measures is printed with
# it and explained in bench/desktop/measure.mjs); raw samples go to artifacts/bench-desktop.json.
#
# Environment: BENCH_SKIP_BUILD=1 reuses the binaries already built; BENCH_WARMUP=N warm-up
# rounds (default 1, not counted).
#
# Caveats: Xvfb has no GPU, so WebKitGTK renders in software; the apps run without a window
# manager; the first code is observed through WebDriver automation (tauri-driver +
# WebKitWebDriver), which adds its own work to the Tauri apps (both alike) and which OTPClient
# does not have (hence the plain-launch rows). On a machine shared with other jobs the spread
# is wide: compare medians of the same run, not figures of different runs.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_NAME=bench
cd "$ROOT"
RUNS="${1:-5}"
WARMUP="${BENCH_WARMUP:-1}"
export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C
case "$RUNS" in '' | *[!0-9]* | 0) die "RUNS must be a positive number, got '$RUNS'" ;; esac

run_setup
HELLO_TARGET_DIR="$ROOT/target/bench-hello"

# otpclient: the comparison app. x11-utils: xev (window mapping). xdotool: window names. The
# display, keyring and WebDriver packages come with scripts/setup.sh.
apt_install_missing otpclient xdotool x11-utils
command -v tauri-driver >/dev/null 2>&1 || die "tauri-driver is missing (scripts/setup.sh installs it into target/tools)"
command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver is missing (apt package webkit2gtk-driver)"

APP="$CARGO_TARGET_DIR/release/twofold"
CLI="$CARGO_TARGET_DIR/release/twofold-cli"
HELLO="$HELLO_TARGET_DIR/release/twofold-bench-hello"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
	log "BENCH_SKIP_BUILD=1: not building ui/ or the binaries"
else
	build_ui

	section "build: Twofold and twofold-cli (release)"
	cargo build --release --locked -p twofold -p twofold-cli

	section "build: bare Tauri hello (release, target/bench-hello)"
	# Its own cargo project (not a workspace member), same tauri version and release profile.
	(cd bench/desktop && CARGO_TARGET_DIR="$HELLO_TARGET_DIR" cargo build --release --locked)
fi
for bin in "$APP" "$CLI" "$HELLO"; do
	[ -x "$bin" ] || die "no binary at $bin (run without BENCH_SKIP_BUILD=1)"
done
OTPCLIENT="$(command -v otpclient)" || die "otpclient is not installed"

section "environment"
sandbox="$(mktemp -d "${TMPDIR:-/tmp}/twofold-bench.XXXXXX")"
cleanup() {
	# The document portal (D-Bus-activated by GTK apps) mounts a FUSE file system at
	# $XDG_RUNTIME_DIR/doc; it goes away with the portal, which may outlive the session briefly.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if mountpoint -q "$sandbox/runtime/doc" 2>/dev/null; then
			fusermount3 -u -z "$sandbox/runtime/doc" 2>/dev/null || umount -l "$sandbox/runtime/doc" 2>/dev/null || true
		fi
		rm -rf "$sandbox" 2>/dev/null && return 0
		sleep 0.5
	done
	log "could not remove $sandbox entirely"
}
at_exit cleanup
mkdir -p "$sandbox/vault" "$sandbox/work"
start_xvfb "$sandbox/xvfb.log"
private_home "$sandbox"
export TWOFOLD_VAULT="$sandbox/vault/vault.twofold"
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
log "$(nproc) CPU(s): $cpu"
log "WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?'), OTPClient $(dpkg-query -W -f='${Version}' otpclient), tauri $(awk '/^name = "tauri"$/ { getline; print $3; exit }' Cargo.lock | tr -d '"')"

# Runs inside the private Secret Service (scripts/lib.sh): fills both vaults with the same 100
# accounts (random secrets), then measures.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='
set -euo pipefail
# Twofold: a keychain vault (the app unlocks it by itself at start) with 100 TOTP accounts.
"$CLI" init </dev/null >/dev/null
for i in $(seq 1 100); do
	head -c 20 /dev/urandom | base32 | tr -d "=" |
		"$CLI" add --secret - --issuer "Service $(printf %03d "$i")" --account "user$i@example.com" >/dev/null
done
[ "$("$CLI" list | wc -l)" -eq 100 ] || { echo "bench: error: the Twofold vault does not hold 100 accounts" >&2; exit 1; }
echo "bench: Twofold vault: 100 accounts, keychain slot" >&2

# OTPClient 3.x: the same 100 accounts in its own database, its password in the Secret Service
# (its "Secret Service integration": no password prompt at start), its config pointing at both.
head -c 24 /dev/urandom | base64 >"$WORK/otpclient.pw"
node bench/desktop/otpclient-db.mjs "$XDG_DATA_HOME/otpclient-db.enc" "$WORK/otpclient.pw" 100 >&2
printf "[config]\ndb_path=%s\nuse_secret_service=true\n" "$XDG_DATA_HOME/otpclient-db.enc" >"$XDG_CONFIG_HOME/otpclient.cfg"
tr -d "\n" <"$WORK/otpclient.pw" |
	secret-tool store --label="OTPClient" xdg:schema com.github.paolostivanin.OTPClient string main_pwd
rm -f "$WORK/otpclient.pw"

exec node bench/desktop/measure.mjs --runs "$RUNS" --warmup "$WARMUP" --work "$WORK" --out "$OUT" \
	--hello "$HELLO" --app "$APP" --otpclient "$OTPCLIENT"
'
mkdir -p artifacts
section "measure ($RUNS runs of each app, $WARMUP warm-up)"
set +e
CLI="$CLI" APP="$APP" HELLO="$HELLO" OTPCLIENT="$OTPCLIENT" RUNS="$RUNS" WARMUP="$WARMUP" \
	WORK="$sandbox/work" OUT="$ROOT/artifacts/bench-desktop.json" \
	with_secret_service bash -c "$inner" 2> >(grep -v -e '^dbus-daemon\[' >&2)
status=$?
set -e
[ "$status" -eq 0 ] || die "the benchmark failed (status $status)"
log "raw samples: artifacts/bench-desktop.json"
