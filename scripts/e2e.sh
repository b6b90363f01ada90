#!/usr/bin/env bash
# Runs Twofold's end-to-end suite (tests/e2e) against the real desktop app in a real window,
# installing what is missing first:
#
#   setup (tauri-driver in target/tools, tests/e2e/node_modules) → ui: build → the debug app and
#   CLI (`cargo test --no-run`) → Xvfb + private Secret Service → node --test tests/e2e/specs → the
#   portable WebDriver smoke test (tests/tools/webdriver-smoke.mjs, the Windows CI job's) → summary
#
# The app runs under tauri-driver + WebKitWebDriver on a private Xvfb display, inside a D-Bus
# session of its own with gnome-keyring unlocked (scripts/lib.sh), with a fresh
# HOME and XDG directories and TWOFOLD_VAULT in a temporary folder: nothing touches the user's
# display, keyring or vault. Screenshots go to artifacts/screenshots/ (kept); the account-list
# one is copied to docs/screenshot-accounts.png for the README. Everything started here is torn
# down on exit. Ends with a `N passed, N failed` line; exits non-zero when any test failed or
# none ran. Extra arguments go to `node --test` (e.g. --test-name-pattern=search).
# E2E_SKIP_BUILD=1 runs the suite on the binaries already built (for iterating on the tests).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive

run_setup
# tauri-driver: the WebDriver intermediary that starts the app and proxies to WebKitWebDriver.
[ "$(command -v tauri-driver)" = "$TOOLS_DIR/bin/tauri-driver" ] ||
	die "tauri-driver is not in ${TOOLS_DIR#"$ROOT"/}/bin (scripts/setup.sh installs it there): $(command -v tauri-driver || echo none)"
command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver is missing (apt package webkit2gtk-driver)"

if [ "${E2E_SKIP_BUILD:-0}" = 1 ]; then
	# For iterating on the tests alone: use the binaries already in CARGO_TARGET_DIR.
	log "E2E_SKIP_BUILD=1: not building ui/ or the binaries"
else
	build_ui
	# The debug binaries as `cargo test` builds them (after scripts/test.sh's rust stage only the
	# app crate itself compiles again). A plain `cargo build -p twofold -p twofold-cli` would
	# compile Tauri, core and the app a second time for a feature set without the
	# dev-dependencies', whose only additions are test seams the app never calls: Tauri's mock
	# runtime and core's fault-injection hook, which passes through unless a test installs a
	# fault plan. e2e-seam: the app answers its native dialogs from TWOFOLD_E2E_DIALOGS
	# (src-tauri/src/native.rs); WebDriver cannot click a native dialog. The packaged build never
	# has it (tests/tools/check-deb.sh).
	section "build: app (with e2e-seam) and CLI (debug, as cargo test builds them)"
	cargo test --workspace --locked --no-run --features twofold/e2e-seam
fi
export TWOFOLD_APP="$CARGO_TARGET_DIR/debug/twofold"
export TWOFOLD_CLI="$CARGO_TARGET_DIR/debug/twofold-cli"
[ -x "$TWOFOLD_APP" ] || die "no app binary at $TWOFOLD_APP"
[ -x "$TWOFOLD_CLI" ] || die "no CLI binary at $TWOFOLD_CLI"

section "e2e (Xvfb, private Secret Service)"
sandbox="$(mktemp -d "${TMPDIR:-/tmp}/twofold-e2e.XXXXXX")"
# Every process this run started (the app, tauri-driver, WebKitWebDriver, gnome-keyring, xclip,
# display…) carries a TWOFOLD_VAULT under this run's sandbox; whatever is left of them goes at exit.
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
	rm -rf "$sandbox"
}
at_exit cleanup
mkdir -p "$sandbox/vault" "$sandbox/work" "$sandbox/dialogs"
private_home "$sandbox"
start_xvfb "$sandbox/xvfb.log"
export TWOFOLD_VAULT="$sandbox/vault/vault.twofold"
export TWOFOLD_E2E_WORK="$sandbox/work"
export TWOFOLD_E2E_DIALOGS="$sandbox/dialogs"
export TWOFOLD_E2E_ARTIFACTS="$ROOT/artifacts"
export TWOFOLD_E2E_SCREENSHOT="$ROOT/docs/screenshot-accounts.png"
export TWOFOLD_E2E_CORPUS="$ROOT/../shared/qr-corpus"
# The app's "camera" (issue 12): its real GStreamer pipeline fed from the PNG frames the camera
# test writes (tests/e2e/lib/harness.js setCameraFrames), in a loop at 10 frames a second.
export TWOFOLD_CAMERA_SOURCE="multifilesrc location=$sandbox/work/camera/%03d.png index=0 loop=true caps=image/png,framerate=10/1 ! pngdec"
# (WEBKIT_DISABLE_COMPOSITING_MODE=1 must NOT be set: WebKitWebDriver's screenshots then hang.)
rm -rf "$TWOFOLD_E2E_ARTIFACTS/screenshots"
mkdir -p "$TWOFOLD_E2E_ARTIFACTS/screenshots"
tap="$TWOFOLD_E2E_ARTIFACTS/e2e.tap"
rm -f "$tap"

# The suite in its own Secret Service session: spec output here, TAP to a file for the count.
set +e
(cd tests/e2e && with_secret_service bounded 20 "the e2e suite" node --test --test-concurrency=1 \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$tap" \
	"$@" specs/)
status=$?
set -e

section "portable WebDriver smoke test (tests/tools/webdriver-smoke.mjs)"
# What the Windows CI job runs: the first run of the app through tauri-driver, with a home, a
# keyring, a session and a vault of its own.
smoke=0
(
	private_home "$sandbox/smoke"
	export TWOFOLD_VAULT="$sandbox/vault/smoke/vault.twofold"
	with_secret_service bounded 5 "the WebDriver smoke test" node tests/tools/webdriver-smoke.mjs "$TWOFOLD_APP" \
		"$TWOFOLD_E2E_ARTIFACTS/screenshots/webdriver-smoke.png"
) || smoke=$?

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
[ "$smoke" -eq 0 ] || die "the WebDriver smoke test failed (status $smoke)"
if [ "$passed" -eq 0 ] || [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ]; then
	echo "FAILED: $passed passed, $failed failed, $skipped skipped (every e2e test must run and pass)" >&2
	exit 1
fi
