#!/usr/bin/env bash
# Runs Twofold's whole test suite, installing what is missing first. Fails fast, section by section:
#
#   setup → rustfmt → ui: svelte-check → ui: Vitest → ui: build → clippy → Rust tests
#   → bounded fuzzing (scripts/fuzz.sh) → end-to-end tests in the real window (scripts/e2e.sh)
#
# The Rust tests run with `--include-ignored` inside a private Secret Service: a fresh HOME and XDG
# directories, a D-Bus session of their own, and gnome-keyring unlocked with a random password. So
# the tests marked `#[ignore = "needs a Secret Service…"]` run against a real keychain here, and a
# Secret Service that does not work fails the run instead of skipping them. Nothing touches the
# user's own keyring or files. Extra arguments go to `cargo test` after `--` (a name filter, say).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export DEBIAN_FRONTEND=noninteractive

section() { printf '\n==== %s ====\n' "$*"; }

section "setup"
bash scripts/setup.sh
if ! command -v cargo >/dev/null 2>&1; then
	export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

section "rustfmt"
cargo fmt --all --check

section "ui: svelte-check"
npm --prefix ui run check

section "ui: unit tests (Vitest)"
npm --prefix ui test

section "ui: build"
# The app embeds ui/dist at compile time, so it must exist before clippy and the tests build it.
npm --prefix ui run build

section "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

section "tests (private Secret Service)"
# Pin cargo's and rustup's homes to the real ones before HOME moves, so the toolchain and the
# crate cache are found and the registry is not downloaded again.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
real_home="$HOME"

sandbox="$(mktemp -d "${TMPDIR:-/tmp}/twofold-test.XXXXXX")"
log="$sandbox/cargo-test.log"
trap 'rm -rf "$sandbox"' EXIT
mkdir -p "$sandbox/home" "$sandbox/data" "$sandbox/config" "$sandbox/cache" "$sandbox/runtime"
chmod 700 "$sandbox/runtime"
export HOME="$sandbox/home"
export XDG_DATA_HOME="$sandbox/data"
export XDG_CONFIG_HOME="$sandbox/config"
export XDG_CACHE_HOME="$sandbox/cache"
export XDG_RUNTIME_DIR="$sandbox/runtime"
export TWOFOLD_TEST_HARNESS=1
# The Python with the test tools' packages (cryptography, zxing-cpp), made by scripts/setup.sh.
export TWOFOLD_TEST_PYTHON="$ROOT/target/py-venv/bin/python"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK TWOFOLD_VAULT TWOFOLD_PASSWORD TWOFOLD_BACKUP_PASSWORD WAYLAND_DISPLAY

# A private X display for the tests that need one (clipboard, screen capture): Xvfb picks a free
# display number and writes it to a pipe (-displayfd), so parallel runs never collide.
exec 9< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>"$sandbox/xvfb.log" & echo "PID $!")
read -r -u 9 xvfb_pid_line
read -r -u 9 display_number
xvfb_pid="${xvfb_pid_line#PID }"
trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$sandbox"' EXIT
export DISPLAY=":$display_number"
echo "Xvfb on $DISPLAY"

# Runs inside the private D-Bus session: starts and unlocks gnome-keyring, proves that a secret
# goes in and comes back out through the Secret Service API, then runs the tests.
# shellcheck disable=SC2016 # expanded by the inner shell
inner='
set -euo pipefail
password="$(head -c 18 /dev/urandom | base64)"
echo -n "$password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
probe="twofold-probe-$(head -c 12 /dev/urandom | base64 | tr -dc "A-Za-z0-9")"
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	if printf "%s" "$probe" | secret-tool store --label="Twofold test probe" twofold-test probe 2>/dev/null &&
		[ "$(secret-tool lookup twofold-test probe 2>/dev/null)" = "$probe" ]; then
		secret-tool clear twofold-test probe
		echo "Secret Service: gnome-keyring answers (store, lookup, clear)"
		exec cargo test --workspace --locked --no-fail-fast -- --include-ignored "$@"
	fi
	sleep 0.5
done
echo "FAIL: the private Secret Service does not work (gnome-keyring-daemon, secret-tool store/lookup); the keychain tests cannot run" >&2
exit 1
'
set +e
dbus-run-session -- bash -c "$inner" test-harness "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

section "summary"
# Each test binary's name, then its closing line, as cargo printed them.
grep -E '^\s+(Running|Doc-tests) |^test result: ' "$log" || true
awk '
	/^test result: / {
		for (i = 1; i <= NF; i++) {
			if ($(i + 1) ~ /^passed;?$/) passed += $i
			if ($(i + 1) ~ /^failed;?$/) failed += $i
			if ($(i + 1) ~ /^ignored;?$/) ignored += $i
		}
		results++
	}
	END {
		if (results == 0) { print "no test ran"; exit }
		printf "total: %d passed, %d failed, %d skipped\n", passed, failed, ignored
	}
' "$log"
if [ "$status" -ne 0 ]; then
	echo "FAILED: cargo test exited with status $status" >&2
	exit "$status"
fi

section "fuzz (bounded)"
# Every parser target for a short, fixed time (the image decoder, otpauth URIs, GA migration,
# the vault header): any crash, leak or hang fails the run. Longer runs: scripts/fuzz.sh 600.
HOME="$real_home" bash scripts/fuzz.sh 30

section "end-to-end (real window)"
# e2e.sh makes its own Xvfb display, D-Bus session and keyring; it gets the real HOME back for
# npm's cache and cargo's tools.
kill "$xvfb_pid" 2>/dev/null || true
HOME="$real_home" DISPLAY= bash scripts/e2e.sh

section "package (.deb)"
# The release build and the Debian package (scripts/package.sh), then tests/tools/check-deb.sh:
# contents, an install (a real `apt-get install` when we are root, as in CI, removed again; else
# unpacked into a temporary root), `twofold-cli --version`, and the installed app starting.
deb="$(HOME="$real_home" PACKAGE_SKIP_SETUP=1 bash scripts/package.sh | tail -n 1)"
install_flag=()
if [ "$(id -u)" -eq 0 ]; then
	install_flag=(--install)
fi
HOME="$real_home" bash tests/tools/check-deb.sh "${install_flag[@]}" "$deb"
