#!/usr/bin/env bash
# Runs Twofold's end-to-end suite (tests/e2e) against the real desktop app in a real window,
# installing what is missing first:
#
#   setup → tauri-driver, tests/e2e/node_modules → ui: build → cargo build (app + CLI, debug)
#   → Xvfb + private Secret Service → node --test tests/e2e/specs → summary
#
# The app runs under tauri-driver + WebKitWebDriver on a private Xvfb display, inside a D-Bus
# session of its own with gnome-keyring unlocked (the recipe of scripts/test.sh), with a fresh
# HOME and XDG directories and TWOFOLD_VAULT in a temporary folder: nothing touches the user's
# display, keyring or vault. Screenshots go to artifacts/screenshots/ (kept); the account-list
# one is copied to docs/screenshot-accounts.png for the README. Everything started here is torn
# down on exit. Ends with a `N passed, N failed` line; exits non-zero when any test failed or
# none ran. Extra arguments go to `node --test` (e.g. --test-name-pattern=search).
# E2E_SKIP_BUILD=1 runs the suite on the binaries already built (for iterating on the tests).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export DEBIAN_FRONTEND=noninteractive

section() { printf '\n==== %s ====\n' "$*"; }
log() { printf 'e2e: %s\n' "$*" >&2; }
die() {
	printf 'e2e: error: %s\n' "$*" >&2
	exit 1
}

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

# What only this suite needs (setup.sh may list them too; then these are no-ops): qrencode
# draws the QR codes shown on the screen and put on the clipboard.
E2E_APT=(qrencode xvfb xauth imagemagick webkit2gtk-driver gnome-keyring dbus-x11 libsecret-tools xclip gdb strace)
missing=()
for pkg in "${E2E_APT[@]}"; do
	dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "apt packages: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# tauri-driver: the WebDriver intermediary that starts the app and proxies to WebKitWebDriver.
if ! command -v tauri-driver >/dev/null 2>&1; then
	log "installing tauri-driver (cargo install)"
	cargo install tauri-driver --version '^2' --locked
fi
command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver is missing (apt package webkit2gtk-driver)"

# tests/e2e/node_modules, refreshed when the lock file or node changed (as setup.sh does for ui/).
stamp=tests/e2e/node_modules/.twofold-e2e-stamp
want="$(sha256sum tests/e2e/package-lock.json | cut -d' ' -f1) node-$(node --version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	log "tests/e2e: npm ci"
	npm --prefix tests/e2e ci --no-audit --no-fund --loglevel=error
	printf '%s\n' "$want" >"$stamp"
fi

if [ "${E2E_SKIP_BUILD:-0}" = 1 ]; then
	# For iterating on the tests alone: use the binaries already in CARGO_TARGET_DIR.
	log "E2E_SKIP_BUILD=1: not building ui/ or the binaries"
else
	section "ui: build"
	# The app embeds ui/dist at compile time.
	npm --prefix ui run build

	section "build: app and CLI (debug)"
	# e2e-seam: the app answers its native dialogs from TWOFOLD_E2E_DIALOGS (src-tauri/src/native.rs);
	# WebDriver cannot click a native dialog. The packaged build never has it (check-deb.sh).
	cargo build --locked -p twofold --features e2e-seam
	cargo build --locked -p twofold-cli
fi
export TWOFOLD_APP="$CARGO_TARGET_DIR/debug/twofold"
export TWOFOLD_CLI="$CARGO_TARGET_DIR/debug/twofold-cli"
[ -x "$TWOFOLD_APP" ] || die "no app binary at $TWOFOLD_APP"
[ -x "$TWOFOLD_CLI" ] || die "no CLI binary at $TWOFOLD_CLI"

section "e2e (Xvfb, private Secret Service)"
sandbox="$(mktemp -d "${TMPDIR:-/tmp}/twofold-e2e.XXXXXX")"
xvfb_pid=""
# Every process this run started (the app, tauri-driver, WebKitWebDriver, gnome-keyring, xclip,
# display…) carries this run's own TWOFOLD_VAULT; whatever is left of them goes at exit.
leftovers() {
	local prefix="TWOFOLD_VAULT=$sandbox/vault/" environ pid
	for environ in /proc/[0-9]*/environ; do
		pid="${environ#/proc/}"
		pid="${pid%/environ}"
		[ "$pid" = "$$" ] && continue
		if { tr '\0' '\n' <"$environ"; } 2>/dev/null | awk -v p="$prefix" 'index($0, p) == 1 { found = 1 } END { exit !found }'; then
			printf '%s\n' "$pid"
		fi
	done
}
cleanup() {
	local pids
	mapfile -t pids < <(leftovers)
	if [ "${#pids[@]}" -gt 0 ]; then
		kill "${pids[@]}" 2>/dev/null || true
		sleep 1
		kill -KILL "${pids[@]}" 2>/dev/null || true
	fi
	if [ -n "$xvfb_pid" ]; then
		kill "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
	fi
	rm -rf "$sandbox"
}
trap cleanup EXIT

mkdir -p "$sandbox/home" "$sandbox/data" "$sandbox/config" "$sandbox/cache" "$sandbox/runtime" \
	"$sandbox/vault" "$sandbox/work" "$sandbox/dialogs"
chmod 700 "$sandbox/runtime"

# A free display number: no lock file and no socket.
display_number=""
for n in $(seq 90 140); do
	if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then
		display_number="$n"
		break
	fi
done
[ -n "$display_number" ] || die "no free X display number between :90 and :140"
Xvfb ":$display_number" -screen 0 1280x800x24 -nolisten tcp -ac >"$sandbox/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 100); do
	[ -S "/tmp/.X11-unix/X$display_number" ] && break
	kill -0 "$xvfb_pid" 2>/dev/null || {
		cat "$sandbox/xvfb.log" >&2
		die "Xvfb :$display_number did not start"
	}
	sleep 0.1
done
[ -S "/tmp/.X11-unix/X$display_number" ] || die "Xvfb :$display_number has no socket after 10 s"
log "Xvfb on :$display_number (1280x800x24)"

export DISPLAY=":$display_number"
export HOME="$sandbox/home"
export XDG_DATA_HOME="$sandbox/data"
export XDG_CONFIG_HOME="$sandbox/config"
export XDG_CACHE_HOME="$sandbox/cache"
export XDG_RUNTIME_DIR="$sandbox/runtime"
export TWOFOLD_VAULT="$sandbox/vault/vault.twofold"
export TWOFOLD_E2E_WORK="$sandbox/work"
export TWOFOLD_E2E_DIALOGS="$sandbox/dialogs"
export TWOFOLD_E2E_ARTIFACTS="$ROOT/artifacts"
export TWOFOLD_E2E_SCREENSHOT="$ROOT/docs/screenshot-accounts.png"
export TWOFOLD_E2E_CORPUS="$ROOT/../shared/qr-corpus"
# No accessibility bus: it only adds processes here. (WEBKIT_DISABLE_COMPOSITING_MODE=1 must NOT be
# set: WebKitWebDriver's screenshots then hang.)
export NO_AT_BRIDGE=1
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK TWOFOLD_PASSWORD
rm -rf "$TWOFOLD_E2E_ARTIFACTS/screenshots"
mkdir -p "$TWOFOLD_E2E_ARTIFACTS/screenshots"
tap="$TWOFOLD_E2E_ARTIFACTS/e2e.tap"
rm -f "$tap"

# Runs inside the private D-Bus session: starts and unlocks gnome-keyring, proves that a secret
# goes in and comes back out, then runs the suite (spec output here, TAP to a file for the count).
# shellcheck disable=SC2016 # expanded by the inner shell
inner='
set -euo pipefail
tap="$1"
shift
password="$(head -c 18 /dev/urandom | base64)"
echo -n "$password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
probe="twofold-probe-$(head -c 12 /dev/urandom | base64 | tr -dc "A-Za-z0-9")"
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	if printf "%s" "$probe" | secret-tool store --label="Twofold e2e probe" twofold-test probe 2>/dev/null &&
		[ "$(secret-tool lookup twofold-test probe 2>/dev/null)" = "$probe" ]; then
		secret-tool clear twofold-test probe
		echo "Secret Service: gnome-keyring answers (store, lookup, clear)"
		cd tests/e2e
		exec node --test --test-concurrency=1 \
			--test-reporter=spec --test-reporter-destination=stdout \
			--test-reporter=tap --test-reporter-destination="$tap" \
			"$@" specs/
	fi
	sleep 0.5
done
echo "FAIL: the private Secret Service does not work (gnome-keyring-daemon, secret-tool store/lookup); the e2e suite cannot run" >&2
exit 1
'
set +e
dbus-run-session -- bash -c "$inner" e2e-harness "$tap" "$@"
status=$?
set -e

section "summary"
if [ -f "$tap" ]; then
	# node:test's TAP ends with "# pass N", "# fail N", "# skipped N", "# todo N", "# cancelled N".
	count() { awk -v k="$1" '$1 == "#" && $2 == k { n = $3 } END { print n + 0 }' "$tap"; }
	passed="$(count pass)"
	failed=$(($(count fail) + $(count cancelled)))
	skipped=$(($(count skipped) + $(count todo)))
else
	passed=0
	failed=0
	skipped=0
fi
find "$TWOFOLD_E2E_ARTIFACTS/screenshots" -name '*.png' -printf 'screenshot: artifacts/screenshots/%f\n' 2>/dev/null | sort || true
echo "e2e: $passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ]; then
	echo "FAILED: the e2e suite exited with status $status" >&2
	exit "$status"
fi
if [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ]; then
	echo "FAILED: $passed passed, $failed failed, $skipped skipped (every e2e test must run and pass)" >&2
	exit 1
fi
