# shellcheck shell=bash
# Recipes shared by Twofold's scripts (docs/reference/STYLE.md §12), sourced, never run:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Sourcing defines functions and these variables, and opens STDERR_FD (a copy of standard error):
#   ROOT        the checkout
#   TOOLS_DIR   target/tools: cargo tools installed by scripts/setup.sh (`cargo install --root`)
#   NODE_TOOLS  tests/tools/node_modules: the workflow validator and the YAML parser
#   TEST_VENV   target/py-venv: the test tools' Python
#
#   log, warn, die, section    messages, prefixed with $LOG_NAME (default: the script's name)
#   as_root CMD…               CMD as root: directly when we are root, else through sudo
#   apt_missing PKG…           prints the packages of PKG… that dpkg does not list as installed
#   apt_install_missing PKG…   one `apt-get update` and one `apt-get install` of the missing ones
#   at_exit CMD…               runs CMD when the script exits (the last registered runs first)
#   use_tools                  the environment every script builds and tests in: cargo's and
#                              rustup's homes, CARGO_TARGET_DIR, PATH with this checkout's tools
#   run_setup                  scripts/setup.sh, unless scripts/test.sh already ran it
#   private_home DIR           a fresh HOME and XDG directories under DIR, no session of the user
#   start_xvfb LOG             a private X display (Xvfb picks a free number): sets DISPLAY,
#                              stopped at exit
#   stop_pid PID, stop_group PGID   end a process (TERM, then KILL), or a setsid process group
#   with_secret_service CMD…   CMD (or a function of this file) in a private D-Bus session with
#                              gnome-keyring unlocked by a random password and proven to answer
#                              (store, lookup, clear); once per HOME: its keyring keeps that password
#   bounded MIN WHAT CMD…      CMD stopped after MIN minutes, failing with WHAT named
#   build_ui                   the UI build (ui/dist), unless it is newer than every file of ui/

# shellcheck disable=SC2034 # used by the scripts that source this file
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$ROOT/target/tools"
NODE_TOOLS="$ROOT/tests/tools/node_modules"
TEST_VENV="$ROOT/target/py-venv"
LOG_NAME="${LOG_NAME:-$(basename "${BASH_SOURCE[1]:-twofold}" .sh)}"
# The script's own standard error, for `bounded` to report on even when its output goes to a log.
exec {STDERR_FD}>&2

log() { printf '%s: %s\n' "$LOG_NAME" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$LOG_NAME" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$LOG_NAME" "$*" >&2
	exit 1
}
section() { printf '\n==== %s ====\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo env DEBIAN_FRONTEND=noninteractive "$@"
	else
		die "need root or sudo to run: $*"
	fi
}

apt_missing() {
	local pkg
	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
			printf '%s\n' "$pkg"
		fi
	done
}

apt_install_missing() {
	local missing
	mapfile -t missing < <(apt_missing "$@")
	[ "${#missing[@]}" -gt 0 ] || return 0
	log "apt packages: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# One EXIT trap for every script, running what at_exit registered (the last first). TERM and
# INT end the script through it too, so a timeout still tears down what was started.
_AT_EXIT=()
_run_at_exit() {
	local i
	for ((i = ${#_AT_EXIT[@]} - 1; i >= 0; i--)); do
		eval "${_AT_EXIT[i]}" || true
	done
	_AT_EXIT=()
}
at_exit() {
	_AT_EXIT+=("$(printf '%q ' "$@")")
	trap _run_at_exit EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
}

use_tools() {
	export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
	export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
	export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
	# rustup installs into ~/.cargo/bin, which a non-login shell may not have on PATH yet.
	if ! command -v cargo >/dev/null 2>&1 && [ -x "$CARGO_HOME/bin/cargo" ]; then
		export PATH="$CARGO_HOME/bin:$PATH"
	fi
	# This checkout's tools come first: never one an earlier session installed by hand.
	case ":$PATH:" in
	*":$TOOLS_DIR/bin:"*) ;;
	*) export PATH="$TOOLS_DIR/bin:$NODE_TOOLS/.bin:$PATH" ;;
	esac
}

run_setup() {
	if [ "${TWOFOLD_SETUP_DONE:-0}" != 1 ]; then
		section "setup"
		bash "$ROOT/scripts/setup.sh"
		export TWOFOLD_SETUP_DONE=1
	fi
	use_tools
}

private_home() {
	local dir="$1"
	mkdir -p "$dir/home" "$dir/data" "$dir/config" "$dir/cache" "$dir/runtime"
	chmod 700 "$dir/runtime"
	export HOME="$dir/home"
	export XDG_DATA_HOME="$dir/data"
	export XDG_CONFIG_HOME="$dir/config"
	export XDG_CACHE_HOME="$dir/cache"
	export XDG_RUNTIME_DIR="$dir/runtime"
	# No accessibility bus: it only adds processes.
	export NO_AT_BRIDGE=1
	unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK WAYLAND_DISPLAY \
		TWOFOLD_VAULT TWOFOLD_PASSWORD TWOFOLD_NEW_PASSWORD TWOFOLD_BACKUP_PASSWORD
}

# Xvfb writes the display number it picked to a pipe once it accepts connections (-displayfd),
# so runs side by side never collide and nothing polls for a socket.
start_xvfb() {
	local log="$1" fd line number
	exec {fd}< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>"$log" & echo "PID $!")
	read -r -u "$fd" line
	XVFB_PID="${line#PID }"
	at_exit stop_pid "$XVFB_PID"
	if ! read -r -u "$fd" number; then
		die "Xvfb did not start: $(cat "$log")"
	fi
	exec {fd}<&-
	export DISPLAY=":$number"
	log "Xvfb on $DISPLAY (1280x800x24)"
}

# Ends a process that is not our child (so `wait` cannot): TERM, then KILL after 5 s.
stop_pid() {
	local pid="$1" _
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# Runs CMD… (a program, not a function), stopped after MINUTES: a hang fails with WHAT named
# instead of eating the rest of the run. Returns CMD's status otherwise.
bounded() {
	local minutes="$1" what="$2" status=0
	shift 2
	timeout --kill-after=30 "$((minutes * 60))" "$@" || status=$?
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		printf '%s: error: %s ran over %s min and was stopped (a hang?)\n' "$LOG_NAME" "$what" "$minutes" >&"$STDERR_FD"
		exit 1
	fi
	return "$status"
}

# Ends process group $1 (a job started with setsid), if it is still there.
stop_group() { kill -TERM -- "-$1" 2>/dev/null || true; }

# Runs inside the session of with_secret_service.
unlock_keyring() {
	local password probe _
	password="$(head -c 18 /dev/urandom | base64)"
	printf '%s' "$password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	probe="twofold-probe-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
	for _ in $(seq 1 10); do
		# A keyring that wants a password prompt blocks forever: bounded, it fails here instead.
		if printf '%s' "$probe" | timeout 10 secret-tool store --label="Twofold test probe" twofold-test probe 2>/dev/null &&
			[ "$(timeout 10 secret-tool lookup twofold-test probe 2>/dev/null)" = "$probe" ]; then
			timeout 10 secret-tool clear twofold-test probe
			log "Secret Service: gnome-keyring answers (store, lookup, clear)"
			return 0
		fi
		sleep 0.5
	done
	die "the private Secret Service does not work (gnome-keyring-daemon, secret-tool store/lookup): the keychain tests cannot run"
}

with_secret_service() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	LOG_NAME="$LOG_NAME" dbus-run-session -- bash -c 'source "$0" && unlock_keyring && "$@"' \
		"$ROOT/scripts/lib.sh" "$@"
}

# The UI build (the app embeds ui/dist at compile time), skipped when ui/dist is newer than every
# file of ui/ and than its node_modules (the stamp scripts/setup.sh writes).
build_ui() {
	local marker="$ROOT/ui/dist/.twofold-built"
	if [ -f "$marker" ] && [ -z "$(find "$ROOT/ui" \( -path "$ROOT/ui/node_modules" -o -path "$ROOT/ui/dist" \) -prune \
		-o -newer "$marker" -print -quit)" ] && ! [ "$ROOT/ui/node_modules/.twofold-setup-stamp" -nt "$marker" ]; then
		log "ui: ui/dist is up to date"
		return
	fi
	section "ui: build"
	npm --prefix "$ROOT/ui" run build
	touch "$marker"
}
