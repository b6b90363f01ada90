#!/usr/bin/env bash
# Runs every fuzz target of twofold-core (crates/core/fuzz, issue 6) for a bounded time each,
# on nightly with libFuzzer, and prints one line per target:
#
#   fuzz <target>: N execs in S s, 0 crashes
#
# Targets: otpauth_uri, migration, base32, vault_header (framing only), vault_open (the whole
# open path, with the vault KDF made cheap under cfg(fuzzing)), qr_image, import_any (every
# importer through detection), import_each (every importer directly), backup_read (Twofold
# backup JSON and age decryption). A crash, leak, timeout (> 10 s for one input) or
# out-of-memory (> 1 GiB) fails the run; the input that did it is kept in
# crates/core/fuzz/artifacts/<target>/ — copy it to crates/core/fuzz/regressions/<target>/ so
# crates/core/tests/fuzz_regressions.rs replays it from then on.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  time per target (default: $FUZZ_SECONDS, else 30). CI runs 20 s per target;
#            for a long run, FUZZ_SECONDS=600 scripts/fuzz.sh
#   TARGET   run only these targets (default: all)
#   FUZZ_JOBS targets run side by side, one core each (default: the number of CPUs)
#
# Seeds: the committed corpus crates/core/fuzz/corpus/<target>/ (made from our own exports by
# `TWOFOLD_WRITE_FUZZ_CORPUS=1 cargo test -p twofold-core --test tests fuzz_regressions`),
# plus, at run time and never committed, small files from ../shared (target/fuzz-seeds/).
# What the fuzzer learns accumulates in target/fuzz-corpus/<target>/, so later runs start
# further along. cargo-fuzz comes from target/tools (scripts/setup.sh installs it there, and the
# nightly toolchain with `rustup toolchain install nightly --profile minimal`).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
SHARED="$ROOT/../shared"
FUZZ="$ROOT/crates/core/fuzz"

seconds="${1:-${FUZZ_SECONDS:-30}}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
	log "SECONDS must be a positive whole number, got $seconds"
	exit 2
fi
shift $(($# > 0 ? 1 : 0))
all_targets=(otpauth_uri migration base32 vault_header vault_open qr_image import_any import_each backup_read)
if [ $# -gt 0 ]; then
	targets=("$@")
	for t in "${targets[@]}"; do
		if ! printf '%s\n' "${all_targets[@]}" | grep -qx -- "$t"; then
			log "unknown target $t, expected one of: ${all_targets[*]}"
			exit 2
		fi
	done
else
	targets=("${all_targets[@]}")
fi

run_setup
cargo +nightly --version >/dev/null 2>&1 ||
	die "no nightly toolchain (libFuzzer needs it); install it with: rustup toolchain install nightly --profile minimal"
cargo_fuzz="$TOOLS_DIR/bin/cargo-fuzz"
[ -x "$cargo_fuzz" ] || die "no cargo-fuzz in ${TOOLS_DIR#"$ROOT"/}/bin (scripts/setup.sh installs it there)"
# cargo-fuzz is called directly, not as `cargo fuzz` (cargo would prefer one in ~/.cargo/bin),
# from the fuzz crate, with RUSTUP_TOOLCHAIN=nightly for the cargo it runs.

seeds="$ROOT/target/fuzz-seeds"
corpus="$ROOT/target/fuzz-corpus"
rm -rf "$seeds"
for t in "${all_targets[@]}"; do
	mkdir -p "$seeds/$t"
done

# qr_image: small images with and without a code (big screenshots would make every mutation
# slow, so only files under 16 KiB): the interop PNGs, then a few screenshots.
n=0
for f in "$SHARED"/fixtures/interop/extract_otp_secrets/*.png "$SHARED"/qr-corpus/img/*; do
	[ -f "$f" ] || continue
	if [ "$(stat -c %s "$f")" -le 16384 ]; then
		cp "$f" "$seeds/qr_image/$(basename "$f")"
		n=$((n + 1))
		[ "$n" -ge 3 ] && break
	fi
done

# otpauth_uri and migration: one URI a file, from the interop exports.
grep -rhoE 'otpauth://[^"[:space:]]+' "$SHARED/fixtures/interop" 2>/dev/null | sort -u | head -n 40 |
	{
		n=0
		while IFS= read -r uri; do
			n=$((n + 1))
			printf '%s' "$uri" >"$seeds/otpauth_uri/seed-$n"
		done
	}
grep -rhoE 'otpauth-migration://[^"[:space:]]+' "$SHARED/fixtures/interop" 2>/dev/null | sort -u | head -n 20 |
	{
		n=0
		while IFS= read -r uri; do
			n=$((n + 1))
			# Mode byte 1 (odd): the rest is the URI as text (see fuzz_targets/migration.rs).
			{
				printf '\001'
				printf '%s' "$uri"
			} >"$seeds/migration/seed-$n"
		done
	}

# import_any and import_each: the interop export files under 64 KiB. import_each takes a
# first byte that picks the importer; each file goes in with a few of them and the fuzzer
# finds the rest.
n=0
for f in "$SHARED"/fixtures/interop/aegis/importers/* "$SHARED"/fixtures/interop/2fas-backup-decryptor/* \
	"$SHARED"/fixtures/interop/extract_otp_secrets/*.txt; do
	[ -f "$f" ] || continue
	[ "$(stat -c %s "$f")" -le 65536 ] || continue
	n=$((n + 1))
	cp "$f" "$seeds/import_any/shared-$n"
	for pick in 0 3 7 11; do
		{
			printf '%b' "\\0$(printf '%03o' $(((n + pick) % 12)))"
			cat "$f"
		} >"$seeds/import_each/shared-$n-$pick"
	done
done

# vault_header and vault_open: the sample vault of docs/vault.md.
cp "$ROOT/tests/fixtures/vault/sample-v1.twofold" "$seeds/vault_header/"
cp "$ROOT/tests/fixtures/vault/sample-v1.twofold" "$seeds/vault_open/"

echo "fuzz: building the targets (nightly, $ROOT/target/fuzz)"
(cd "$FUZZ" && RUSTUP_TOOLCHAIN=nightly "$cargo_fuzz" fuzz build --target-dir "$ROOT/target/fuzz" >/dev/null)

# One target a core at a time (libFuzzer runs on one thread): FUZZ_JOBS targets side by side,
# default the number of CPUs. Each writes its line to a result file; the lines are printed in
# target order at the end, with the output of any that failed.
jobs_max="${FUZZ_JOBS:-$(nproc)}"
results="$(mktemp -d "${TMPDIR:-/tmp}/twofold-fuzz.XXXXXX")"
at_exit rm -rf "$results"
run_target() {
	local t="$1" log="$ROOT/target/fuzz-$1.log" rc=0 execs fuzz_s artifact
	local dirs=("$corpus/$t" "$seeds/$t")
	mkdir -p "$corpus/$t" "$FUZZ/artifacts/$t"
	[ -d "$FUZZ/corpus/$t" ] && dirs+=("$FUZZ/corpus/$t")
	# The learned corpus first: libFuzzer adds new inputs to the first directory.
	# -max_total_time is checked between inputs: a hang inside one is for -timeout, and `timeout`
	# ends the target should libFuzzer itself not return.
	(cd "$FUZZ" && RUSTUP_TOOLCHAIN=nightly timeout --kill-after=30 $((seconds + 300)) \
		"$cargo_fuzz" fuzz run --target-dir "$ROOT/target/fuzz" "$t" "${dirs[@]}" -- \
		-max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$FUZZ/artifacts/$t/") >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	# libFuzzer's own "Done N runs in S second(s)" excludes cargo's up-to-date check.
	fuzz_s=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: ${execs:-0} execs in ${fuzz_s:-?} s, 0 crashes" >"$results/$t"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "fuzz $t: did not end within $((seconds + 300)) s and was stopped (see $log)" >"$results/$t"
		touch "$results/$t.failed"
	else
		artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "fuzz $t: ${execs:-0} execs in ${fuzz_s:-?} s, 1 crash (${artifact:-see $log})" >"$results/$t"
		touch "$results/$t.failed"
	fi
	cat "$results/$t"
}
echo "==== fuzz ${#targets[@]} targets for ${seconds}s each, $jobs_max at a time ===="
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n || true
	done
	run_target "$t" &
done
wait

status=0
echo "==== fuzz summary ===="
for t in "${targets[@]}"; do
	if [ ! -f "$results/$t" ]; then
		echo "fuzz $t: did not report (see $ROOT/target/fuzz-$t.log)"
		status=1
	elif [ -f "$results/$t.failed" ]; then
		status=1
		echo "FAIL: fuzz target $t; its output:" >&2
		grep -v '^#[0-9]' "$ROOT/target/fuzz-$t.log" | tail -n 60 >&2
	fi
done
cat "${targets[@]/#/$results/}" 2>/dev/null || true
exit "$status"
