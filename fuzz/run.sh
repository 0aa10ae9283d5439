#!/usr/bin/env bash
# Runs every fuzz target for N seconds each (default 30): `fuzz/run.sh 10` is CI's short
# pass, `fuzz/run.sh 3600` a soak. Needs the nightly toolchain; installs cargo-fuzz if it
# is missing. Findings land in fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in deserialize parsers replay commands; do
  mkdir -p "corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1
done
