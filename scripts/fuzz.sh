#!/usr/bin/env bash
# Runs every fuzz target of twofold-core (crates/core/fuzz) for a bounded time each, on nightly
# with libFuzzer: qr_image (issue 4: no panic on any image), otpauth_uri, migration and
# vault_open (header parsing only). Fails on the first crash, leak, timeout (> 5 s for one
# input) or out-of-memory (> 512 MiB); the input that did it is kept in
# crates/core/fuzz/artifacts/<target>/.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  time per target (default 30)
#   TARGET   run only these targets (default: all four)
#
# Installs cargo-fuzz if missing (`cargo install cargo-fuzz --locked`). Needs a nightly
# toolchain (`rustup toolchain install nightly`). Seed inputs are made at run time from the
# fixtures in ../shared and this repository, into target/fuzz-seeds/ (never committed); what
# the fuzzer learns accumulates in target/fuzz-corpus/, so later runs start further along.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
SHARED="$ROOT/../shared"

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
	echo "fuzz: SECONDS must be a positive whole number, got $seconds" >&2
	exit 2
fi
shift $(($# > 0 ? 1 : 0))
all_targets=(qr_image otpauth_uri migration vault_open)
if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=("${all_targets[@]}")
fi

if ! command -v cargo >/dev/null 2>&1; then
	export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
if ! rustup toolchain list | grep -q '^nightly'; then
	echo "fuzz: no nightly toolchain; install it with: rustup toolchain install nightly" >&2
	exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
	echo "fuzz: installing cargo-fuzz" >&2
	cargo install cargo-fuzz --locked
fi

seeds="$ROOT/target/fuzz-seeds"
corpus="$ROOT/target/fuzz-corpus"
rm -rf "$seeds"
mkdir -p "$seeds"/{qr_image,otpauth_uri,migration,vault_open}

# qr_image: small images with and without a code. Big screenshots would make every mutation
# slow, so only files under 16 KiB go in: the interop PNGs (a QR without otpauth), then two
# screenshots.
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
n=0
grep -rhoE 'otpauth://[^"[:space:]]+' "$SHARED/fixtures/interop" 2>/dev/null | sort -u | head -n 40 |
	while IFS= read -r uri; do
		n=$((n + 1))
		printf '%s' "$uri" >"$seeds/otpauth_uri/seed-$n"
	done
n=0
grep -rhoE 'otpauth-migration://[^"[:space:]]+' "$SHARED/fixtures/interop" 2>/dev/null | sort -u | head -n 20 |
	while IFS= read -r uri; do
		n=$((n + 1))
		# Mode byte 1 (odd): the rest is the URI as text (see fuzz_targets/migration.rs).
		{
			printf '\001'
			printf '%s' "$uri"
		} >"$seeds/migration/seed-$n"
	done

# vault_open: the sample vault of docs/vault.md.
cp "$ROOT/tests/fixtures/vault/sample-v1.twofold" "$seeds/vault_open/"

status=0
for t in "${targets[@]}"; do
	mkdir -p "$corpus/$t"
	echo "==== fuzz $t for ${seconds}s ===="
	# The learned corpus first: libFuzzer adds new inputs to the first directory.
	if ! (cd crates/core/fuzz && cargo +nightly fuzz run --target-dir "$ROOT/target/fuzz" "$t" \
		"$corpus/$t" "$seeds/$t" -- \
		-max_total_time="$seconds" -rss_limit_mb=512 -timeout=5 -print_final_stats=1); then
		echo "FAIL: fuzz target $t; the input is in crates/core/fuzz/artifacts/$t/" >&2
		status=1
	fi
done
exit "$status"
