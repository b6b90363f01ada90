#!/usr/bin/env bash
# Desktop performance benchmark (issue 3, "Performance"): start-up time and memory of the release
# Twofold app with 100 accounts, beside a bare Tauri 2 "hello" window built the same way
# (bench/desktop) and beside OTPClient, all measured in the same run on one Xvfb display.
#
#   bash scripts/bench-desktop.sh [RUNS]        RUNS measured launches of each app (default 5)
#
#   setup → apt (otpclient, xdotool, xev, Xvfb, WebKitWebDriver, gnome-keyring) → tauri-driver
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

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
RUNS="${1:-5}"
WARMUP="${BENCH_WARMUP:-1}"
export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C

section() { printf '\n==== %s ====\n' "$*"; }
log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}
case "$RUNS" in '' | *[!0-9]* | 0) die "RUNS must be a positive number, got '$RUNS'" ;; esac

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo env DEBIAN_FRONTEND=noninteractive "$@"
	else
		die "need root or sudo to run: $*"
	fi
}

section "setup"
bash scripts/setup.sh
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
HELLO_TARGET_DIR="$ROOT/target/bench-hello"

# otpclient: the comparison app. x11-utils: xev (window mapping). xdotool: window names.
# webkit2gtk-driver: WebKitWebDriver, behind tauri-driver. The rest: display and keyring.
BENCH_APT=(otpclient xdotool x11-utils xvfb xauth webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools coreutils)
missing=()
for pkg in "${BENCH_APT[@]}"; do
	dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "apt packages: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! command -v tauri-driver >/dev/null 2>&1; then
	log "installing tauri-driver (cargo install)"
	cargo install tauri-driver --version '^2' --locked
fi
command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver is missing (apt package webkit2gtk-driver)"

APP="$CARGO_TARGET_DIR/release/twofold"
CLI="$CARGO_TARGET_DIR/release/twofold-cli"
HELLO="$HELLO_TARGET_DIR/release/twofold-bench-hello"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
	log "BENCH_SKIP_BUILD=1: not building ui/ or the binaries"
else
	section "ui: build"
	# The app embeds ui/dist at compile time.
	npm --prefix ui run build

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
xvfb_pid=""
cleanup() {
	if [ -n "$xvfb_pid" ]; then
		kill "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
	fi
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
trap cleanup EXIT
mkdir -p "$sandbox/home" "$sandbox/data" "$sandbox/config" "$sandbox/cache" "$sandbox/runtime" \
	"$sandbox/vault" "$sandbox/work"
chmod 700 "$sandbox/runtime"

# A private X display: Xvfb picks a free number and writes it to a pipe (as scripts/test.sh).
exec 9< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>"$sandbox/xvfb.log" & echo "PID $!")
read -r -u 9 xvfb_pid_line
read -r -u 9 display_number || die "Xvfb did not start: $(cat "$sandbox/xvfb.log")"
xvfb_pid="${xvfb_pid_line#PID }"
export DISPLAY=":$display_number"
export HOME="$sandbox/home"
export XDG_DATA_HOME="$sandbox/data"
export XDG_CONFIG_HOME="$sandbox/config"
export XDG_CACHE_HOME="$sandbox/cache"
export XDG_RUNTIME_DIR="$sandbox/runtime"
export TWOFOLD_VAULT="$sandbox/vault/vault.twofold"
# No accessibility bus: it only adds processes (as scripts/e2e.sh).
export NO_AT_BRIDGE=1
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK TWOFOLD_PASSWORD
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
log "Xvfb on $DISPLAY (1280x800x24); $(nproc) CPU(s): $cpu"
log "WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?'), OTPClient $(dpkg-query -W -f='${Version}' otpclient), tauri $(awk '/^name = "tauri"$/ { getline; print $3; exit }' Cargo.lock | tr -d '"')"

# Runs inside the private D-Bus session: starts and unlocks gnome-keyring, proves that it answers,
# fills both vaults with the same 100 accounts (random secrets), then measures.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='
set -euo pipefail
password="$(head -c 18 /dev/urandom | base64)"
echo -n "$password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
probe="twofold-probe-$(head -c 12 /dev/urandom | base64 | tr -dc "A-Za-z0-9")"
ok=0
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	if printf "%s" "$probe" | secret-tool store --label="Twofold bench probe" twofold-test probe 2>/dev/null &&
		[ "$(secret-tool lookup twofold-test probe 2>/dev/null)" = "$probe" ]; then
		secret-tool clear twofold-test probe
		ok=1
		break
	fi
	sleep 0.5
done
[ "$ok" = 1 ] || { echo "bench: error: the private Secret Service does not work" >&2; exit 1; }

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
	dbus-run-session -- bash -c "$inner" 2> >(grep -v -e '^dbus-daemon\[' >&2)
status=$?
set -e
[ "$status" -eq 0 ] || die "the benchmark failed (status $status)"
log "raw samples: artifacts/bench-desktop.json"
