#!/usr/bin/env bash
# Cross builds, qemu tests and the size budget, from the repository root:
#   bash ci/cross.sh
# Needs only what a fresh machine of ours has (rustup with stable and
# nightly, pip, apt-get, root): the xtask installs zig, cargo-zigbuild and
# qemu-user-static on first use, into .tools/ and through apt-get.
# zig's builds of musl are cached under target/, so a rerun is quick.
# The cross route also installs podman, runc and debootstrap (apt-get) and
# cross (cargo install into .tools/), and makes its Debian image once per
# checkout under target/cross/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every target; two builds of each: ifplugd (default features) and
# ifplugd-applet (--no-default-features, BusyBox's applet alone).
cargo xtask dist

# The static binaries as shipped run the whole kernel suite: they differ
# from the test build in more than flags (their own memcpy/memset and
# system calls, --cfg ifplugd_small_mem).
dist=$PWD/target/dist/x86_64-unknown-linux-musl
IFPLUGD_BIN=$dist/ifplugd cargo test -p ifplugd
IFPLUGD_BIN=$dist/ifplugd-applet cargo test -p ifplugd --no-default-features

# Big-endian MIPS passing is the proof that byte order is right.
cargo xtask qemu-test \
  --target mips-unknown-linux-musl \
  --target armv7-unknown-linux-musleabihf
# The other targets' own system call code (sys.rs), by the smoke test.
cargo xtask qemu-test --smoke-only \
  --target mipsel-unknown-linux-musl \
  --target arm-unknown-linux-musleabi \
  --target aarch64-unknown-linux-musl

# Fails when either build of a target in target/dist is over its budget in
# size-report/budget.toml ([max_file_size], [applet_max_file_size]), or
# when one of the two builds is missing.
cargo xtask size

# The cross route: cross 0.2.5 in a podman container, with our image (Debian
# bookworm by debootstrap, zig from PyPI), made on first use and cached under
# target/cross/. The same static MIPS binary, into target/dist-cross/, and the
# same smoke test. An engine that cannot run fails here; nothing is skipped.
# Measured from a fresh clone: 5 min 12 s for these three commands.
cargo xtask dist --via cross --target mips-unknown-linux-musl
cargo xtask qemu-test --smoke-only --dist target/dist-cross --target mips-unknown-linux-musl
# Both builds' sizes against the same baselines and budgets as the default
# route's.
cargo xtask size --dist target/dist-cross
