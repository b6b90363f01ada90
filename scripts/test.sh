#!/usr/bin/env bash
# Runs Twofold's test suite in stages, installing what is missing first (scripts/setup.sh, once a
# run), and ends with a table of what each stage took: on failure too, up to the failing stage.
#
#   scripts/test.sh [STAGE…] [-- ARGS…]   STAGE: quick rust ui sync fuzz e2e deb all (default: all)
#                                         ARGS go to the rust stage's `cargo test` (a name filter)
#   scripts/test.sh --list-stages         the stage names, one a line
#
#   quick  rustfmt; shellcheck of scripts/, tests/tools/ and .ci/run; the GitHub workflows
#          (schema, a mutation the schema check must reject, their run: blocks linted, the
#          scripts and stages they call: tests/tools/check-workflows.mjs);
#          clippy -D warnings; svelte-check and Vitest; the Rust unit tests of every crate
#          (`cargo test --lib --bins`, as a plain `cargo test` runs them). Under 3 min when warm.
#   ui     svelte-check, Vitest and the UI build
#   rust   every Rust test, `--include-ignored`, in a private Secret Service (gnome-keyring in a
#          D-Bus session of its own, unlocked and probed) and a private Xvfb display, with a fresh
#          HOME and XDG directories: the tests a plain `cargo test` ignores (keychain, X,
#          ../shared fixtures, age, the Python venv) run here and are counted
#   sync   two real Syncthing instances on loopback sharing a folder with a vault, both editing
#          while paused (tests/tools/syncthing-pair.sh; issue 13)
#   fuzz   every fuzz target for FUZZ_SECONDS each (default 20; scripts/fuzz.sh)
#   e2e    the end-to-end suite in the real window (scripts/e2e.sh)
#   deb    the Debian package (scripts/package.sh), its checks and lintian
#          (tests/tools/check-deb.sh), and `apt install` of it into a minimal Debian 12 root
#          (tests/tools/deb-root-test.sh, whose root is made in the background meanwhile)
#   all    quick rust sync fuzz e2e deb: what CI runs (.ci/run)
#
# Stages run in that order and the run stops at the first that fails. Each runs in a process
# of its own under a time budget (BUDGET below, `timeout`): a hang fails it with a message
# naming the stage instead of eating the CI job's hour. Nothing touches the user's display,
# keyring, vault or files.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive

STAGES=(quick rust ui sync fuzz e2e deb all)
ALL=(quick rust sync fuzz e2e deb)
# Budgets in minutes, the last resort: above what a fresh clone's cold builds take on 2 cores
# shared with other builds. What can hang (test runs, downloads) has a tighter bound of its own
# (`bounded` in scripts/lib.sh) that names it.
declare -A BUDGET=([setup]=20 [quick]=45 [ui]=15 [rust]=45 [sync]=15 [fuzz]=40 [e2e]=45 [deb]=50)
export FUZZ_SECONDS="${FUZZ_SECONDS:-20}"

# ---- The stages, each run as `test.sh --run-stage NAME` ------------------------------------------

stage_quick() {
	section "rustfmt"
	cargo fmt --all --check
	section "shellcheck (scripts/, tests/tools/, .ci/run)"
	shellcheck -x scripts/*.sh tests/tools/*.sh .ci/run
	log "shellcheck: $(printf '%s\n' scripts/*.sh tests/tools/*.sh .ci/run | wc -l) files clean"
	section "GitHub workflows (tests/tools/check-workflows.mjs)"
	node tests/tools/check-workflows.mjs
	build_ui
	section "clippy"
	cargo clippy --workspace --all-targets --locked -- -D warnings
	section "ui: svelte-check"
	npm --prefix ui run check
	section "ui: unit tests (Vitest)"
	npm --prefix ui test
	section "Rust unit tests (cargo test --lib --bins)"
	cargo test --workspace --locked --lib --bins
}

stage_ui() {
	section "ui: svelte-check"
	npm --prefix ui run check
	section "ui: unit tests (Vitest)"
	npm --prefix ui test
	build_ui
}

stage_rust() {
	build_ui
	section "Rust tests, including ignored ones (private Secret Service and X display)"
	local sandbox
	sandbox="$(mktemp -d "${TMPDIR:-/tmp}/twofold-test.XXXXXX")"
	at_exit rm -rf "$sandbox"
	# use_tools pinned cargo's and rustup's homes to the real ones before HOME moves, so the
	# toolchain and the crate cache are found and the registry is not downloaded again.
	private_home "$sandbox"
	export TWOFOLD_TEST_HARNESS=1
	# The Python with the test tools' packages (cryptography, zxing-cpp), made by scripts/setup.sh.
	export TWOFOLD_TEST_PYTHON="$TEST_VENV/bin/python"
	start_xvfb "$sandbox/xvfb.log"
	local list="$sandbox/ignored.txt" output="$sandbox/cargo-test.log" status=0
	# First the tests a plain `cargo test` ignores, listed (and everything built) in this same
	# environment; then every test, in the private Secret Service.
	cargo test --workspace --locked -- --list --ignored "$@" >"$list"
	with_secret_service bounded 20 "the Rust tests" \
		cargo test --workspace --locked --no-fail-fast -- --include-ignored "$@" 2>&1 | tee "$output" ||
		status=${PIPESTATUS[0]}

	section "summary"
	# Each test binary's name, then its closing line, as cargo printed them.
	grep -E '^\s+(Running|Doc-tests) |^test result: ' "$output" || true
	local ignored
	ignored="$(grep -c ': test$' "$list" || true)"
	# A binary's own result is the last one before the next binary starts: a test that runs a
	# test binary as a child (a crash test, say) prints the child's result line first.
	awk -v ignored="$ignored" '
		function add() {
			if (line == "") return
			n = split(line, f, " ")
			for (i = 1; i < n; i++) {
				if (f[i + 1] ~ /^passed;?$/) passed += f[i]
				if (f[i + 1] ~ /^failed;?$/) failed += f[i]
				if (f[i + 1] ~ /^ignored;?$/) skipped += f[i]
			}
			results++
			line = ""
		}
		/^ +(Running|Doc-tests) / { add() }
		/^test result: / { line = $0 }
		END {
			add()
			if (results == 0) { print "no test ran"; exit 1 }
			printf "total: %d passed, %d failed, %d skipped\n", passed, failed, skipped
			printf "ignored by a plain `cargo test`, run here: %d\n", ignored
		}
	' "$output" || status=1
	[ "$status" -eq 0 ] || die "cargo test exited with status $status"
}

stage_sync() {
	# The CLI as the rust stage built it (a no-op then); the scenario itself takes ~10 s.
	cargo build -p twofold-cli --locked
	TWOFOLD_CLI="$CARGO_TARGET_DIR/debug/twofold-cli" bounded 5 "the Syncthing pair" \
		bash tests/tools/syncthing-pair.sh
}

stage_fuzz() {
	bash scripts/fuzz.sh "$FUZZ_SECONDS"
}

stage_e2e() {
	bash scripts/e2e.sh
}

stage_deb() {
	# The minimal Debian root needs no build: it is made (debootstrap, mostly downloads) while
	# the release build runs, with its output kept for when the package is ready.
	local prepare_log="$CARGO_TARGET_DIR/deb-root-prepare.log" prepare_pid deb
	mkdir -p "$CARGO_TARGET_DIR"
	# In a process group of its own, so that a failure here stops debootstrap too.
	setsid --wait nice bash tests/tools/deb-root-test.sh --prepare >"$prepare_log" 2>&1 &
	prepare_pid=$!
	at_exit stop_group "$prepare_pid"
	deb="$(bash scripts/package.sh | tail -n 1)"
	bash tests/tools/check-deb.sh "$deb"
	section "minimal Debian 12 root (tests/tools/deb-root-test.sh)"
	if ! wait "$prepare_pid"; then
		cat "$prepare_log" >&2
		die "the minimal Debian root could not be made (its log is above)"
	fi
	cat "$prepare_log" >&2
	bash tests/tools/deb-root-test.sh "$deb"
}

# ---- Driver -------------------------------------------------------------------------------------

if [ "${1:-}" = --list-stages ]; then
	printf '%s\n' "${STAGES[@]}"
	exit 0
fi
if [ "${1:-}" = --run-stage ]; then
	stage="$2"
	shift 2
	use_tools
	"stage_$stage" "$@"
	exit 0
fi

selected=()
cargo_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--)
		shift
		cargo_args=("$@")
		break
		;;
	-h | --help)
		sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	all) selected+=("${ALL[@]}") ;;
	*)
		printf '%s\n' "${STAGES[@]}" | grep -qx -- "$1" || die "unknown stage '$1', expected one of: ${STAGES[*]}"
		selected+=("$1")
		;;
	esac
	shift
done
[ "${#selected[@]}" -gt 0 ] || selected=("${ALL[@]}")

# The table: one row a stage run so far, printed however the run ends. "cpu" is the user and
# system time of the stage's processes: on a machine shared with other builds the wall time
# grows, the cpu time hardly does.
rows=()
started=$SECONDS
clock() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
# CPU: seconds of CPU used so far by this script's finished children, the second line of bash's
# `times`, which must run in this shell (in a pipe or $(…) it would report a subshell's).
times_file="$(mktemp)"
at_exit rm -f "$times_file"
cpu_now() {
	times >"$times_file"
	CPU="$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); printf "%d\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$times_file")"
}
print_table() {
	local row name
	printf '\n==== stage times ====\n'
	printf '%-8s %8s %8s  %s\n' stage time cpu result
	for row in "${rows[@]}"; do
		printf '%s\n' "$row"
	done
	for name in "${pending[@]}"; do
		printf '%-8s %8s %8s  %s\n' "$name" - - "not run"
	done
	cpu_now
	printf '%-8s %8s %8s\n' total "$(clock $((SECONDS - started)))" "$(clock "$CPU")"
}
pending=(setup "${selected[@]}")
at_exit print_table

child=""
interrupted=""
trap 'interrupted=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null' INT TERM

# Runs `$@` under the budget of stage $1 and adds its row to the table; a failure ends the run.
run_timed() {
	local name="$1" minutes="${BUDGET[$1]}" t0=$SECONDS cpu0 status result
	shift
	cpu_now
	cpu0="$CPU"
	pending=("${pending[@]:1}")
	timeout --kill-after=30 "$((minutes * 60))" "$@" &
	child=$!
	while :; do
		status=0
		wait "$child" || status=$?
		kill -0 "$child" 2>/dev/null || break
	done
	child=""
	if [ -n "$interrupted" ]; then
		result="interrupted"
	elif [ "$status" -eq 0 ]; then
		result="ok"
	elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		result="FAILED: over its budget of $minutes min, stopped"
	else
		result="FAILED (exit $status)"
	fi
	cpu_now
	rows+=("$(printf '%-8s %8s %8s  %s' "$name" "$(clock $((SECONDS - t0)))" "$(clock $((CPU - cpu0)))" "$result")")
	if [ "$result" != ok ]; then
		[ "$result" = interrupted ] || log "stage $name: $result"
		exit 1
	fi
}

run_timed setup bash scripts/setup.sh
export TWOFOLD_SETUP_DONE=1
for stage in "${selected[@]}"; do
	section "stage: $stage"
	if [ "$stage" = rust ]; then
		run_timed "$stage" bash "$ROOT/scripts/test.sh" --run-stage "$stage" "${cargo_args[@]}"
	else
		run_timed "$stage" bash "$ROOT/scripts/test.sh" --run-stage "$stage"
	fi
done
