#!/usr/bin/env bash
# Fuzzes ifplugd-core (core/fuzz: netlink, options, link_machine), from the
# repository root:
#   bash ci/fuzz.sh                  # 60 s a target
#   FUZZ_SECS=600 bash ci/fuzz.sh    # longer
#   bash ci/fuzz.sh netlink          # some targets only
# Installs what it needs on first use: rustup's nightly toolchain, and
# cargo-fuzz into .tools/ (gitignored). The build is cached in target/fuzz.
# A crash fails the run; libFuzzer leaves the input in
# core/fuzz/artifacts/TARGET/ (replay: cd core && cargo +nightly fuzz run
# TARGET fuzz/artifacts/TARGET/crash-..., FUZZ_TRACE=1 for link_machine).
# The committed seeds in core/fuzz/corpus/ are only read: new inputs go to
# a scratch corpus in target/fuzz-corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

secs=${FUZZ_SECS:-60}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(netlink options link_machine)
fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
export PATH="$root/.tools/bin:$PATH"
if [ ! -x "$root/.tools/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --locked --root "$root/.tools"
fi
export CARGO_TARGET_DIR="$root/target/fuzz"

cd core
# Built first, so a compile error fails here and the timings below are the
# fuzzing's alone. Sanitizer: cargo-fuzz's default (address).
for t in "${targets[@]}"; do
  echo "fuzz: building $t"
  cargo +nightly fuzz build "$t"
done

passed=0
failed=0
failed_names=()
for t in "${targets[@]}"; do
  scratch="$root/target/fuzz-corpus/$t"
  log="$root/target/fuzz-logs/$t.log"
  mkdir -p "$scratch" "$(dirname "$log")"
  start=$(date +%s)
  # -print_final_stats for the count of executions; the scratch corpus is
  # first, so libFuzzer writes there; the committed seeds are read only.
  set +e
  cargo +nightly fuzz run "$t" "$scratch" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ -z "$execs" ]; then
    execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
  fi
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "fuzz: $t: ok, ${execs:-?} executions in ${took}s, corpus $(find "$scratch" -type f | wc -l) inputs"
  else
    failed=$((failed + 1))
    failed_names+=("$t")
    echo "fuzz: $t: FAILED (exit $rc) after ${execs:-?} executions in ${took}s; log $log"
    # The panic and the input that caused it.
    grep -E "panicked at|assertion|^thread|Test unit written to|^Base64:|SUMMARY|error(\[|:)" "$log" | head -n 20 || true
    tail -n 20 "$log"
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
