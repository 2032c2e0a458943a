#!/usr/bin/env bash
# Builds the SBF programs into target/deploy (floodgate.so, claim_and_stake.so) with
# ../shared/sbf/build.sh (Debian's LLVM, no platform-tools), for the SBF test pass and the
# compute-unit bench:
#
#   scripts/build-sbf.sh              # once per machine first: ../shared/sbf/build.sh setup
#   SBF_OUT_DIR=$PWD/target/deploy cargo test --workspace --test program
#
# Extra arguments go to the floodgate build (e.g. `--features portable-sbf,cu-trace`).
set -euo pipefail
cd "$(dirname "$0")/.."
sbf=${SBF_SCRIPTS:-../shared/sbf}
[ -f "$sbf/build.sh" ] || { echo "no $sbf/build.sh (set SBF_SCRIPTS)" >&2; exit 1; }
out=${CARGO_TARGET_DIR:-target}/bpfel-solana/release
mkdir -p target/deploy
# claim-and-stake first: its build also writes a libfloodgate.so (the CPI library, no
# entrypoint) that the floodgate build below then replaces.
bash "$sbf/build.sh" build-std programs/claim-and-stake --features portable-sbf
install -m 644 "$out/libclaim_and_stake.so" target/deploy/claim_and_stake.so
[ $# -eq 0 ] && set -- --features portable-sbf
bash "$sbf/build.sh" build-std programs/floodgate "$@"
install -m 644 "$out/libfloodgate.so" target/deploy/floodgate.so
ls -l target/deploy/*.so
