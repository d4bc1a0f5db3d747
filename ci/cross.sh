#!/usr/bin/env bash
# Cross builds, qemu tests and the size budget, from the repository root:
#   bash ci/cross.sh
# Needs only what a fresh machine of ours has (rustup with stable and
# nightly, pip, apt-get, root): the xtask installs zig, cargo-zigbuild and
# qemu-user-static on first use, into .tools/ and through apt-get.
# zig's builds of musl are cached under target/, so a rerun is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

# One big-endian and one little-endian 32-bit target, and the host's.
cargo xtask dist \
  --target mips-unknown-linux-musl \
  --target armv7-unknown-linux-musleabihf \
  --target x86_64-unknown-linux-musl

# Big-endian MIPS passing is the proof that byte order is right.
cargo xtask qemu-test \
  --target mips-unknown-linux-musl \
  --target armv7-unknown-linux-musleabihf

# Fails when a target in target/dist is over size-report/budget.toml.
cargo xtask size
