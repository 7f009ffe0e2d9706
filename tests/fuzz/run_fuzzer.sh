#!/usr/bin/env bash
# Runs a libFuzzer target for a fixed time: run_fuzzer.sh BINARY SECONDS CORPUS_DIR [SEED_DIR]
# SEED_DIR's *.yaml files (found recursively) are copied into the corpus first. Exit status != 0 when
# the fuzzer found a crash, a leak or a timeout; the reproducer is left in CORPUS_DIR/../ (crash-*).
set -euo pipefail
binary=$1 seconds=$2 corpus=$3 seeds=${4:-}
mkdir -p "$corpus"
if [ -n "$seeds" ]; then
  find "$seeds" -name '*.yaml' -exec cp -f {} "$corpus/" \;
fi
cd "$(dirname "$corpus")"
# -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds a runaway allocation.
exec "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
