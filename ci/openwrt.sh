#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The daemon as OpenWrt builds and installs it, from the repository root:
#
#     bash ci/openwrt.sh             # x86_64, then the kernel integration suite
#     bash ci/openwrt.sh --cross     # also mips and armv7 (needs cargo xtask dist's zig)
#     OPENWRT_TESTS=0 bash ci/openwrt.sh --cross   # builds only
#
# Runs target-linux/openwrt/ifplugd-rs/Makefile through a stand-in of
# OpenWrt's build system (ci/openwrt-sdk/): the cargo command of the
# packages feed's rust-package.mk with rust-values.mk's environment and the
# Makefile's own additions, linked against a shared musl (Debian's musl-tools
# on x86_64; zig's musl, dynamic, for mips and armv7). Then:
# - the package's install rules fill target/openwrt/<triple>/root;
# - target/openwrt/<triple>/ifplugd is the binary as OpenWrt's default
#   sstrip leaves it; with --cross, size-report compares each with the
#   static `cargo xtask dist` binary of its target and fails if larger;
# - x86_64: the whole kernel integration suite runs against that binary
#   (IFPLUGD_BIN), under the shared test lock;
# - x86_64 again with the package's option CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y
#   (into target/openwrt-ifplugstatus/): the package links
#   /usr/sbin/ifplugstatus to ifplugd (and does not without the option), and
#   the ifplugstatus kernel tests run against that binary.
# Needs root for the integration tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

cross=0
[ "${1:-}" = --cross ] && cross=1

die() {
	echo "ci/openwrt.sh: $*" >&2
	exit 1
}

command -v musl-gcc >/dev/null 2>&1 || {
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null
}
[ -e /lib/ld-musl-x86_64.so.1 ] || die "musl-tools installed no /lib/ld-musl-x86_64.so.1"

# What OpenWrt's sstrip does: drop the section header table and everything
# after the last loaded byte (the same as cargo xtask dist does to its
# binaries, so that the two rows of the size table compare).
sstrip() { # IN OUT
	python3 - "$1" "$2" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
assert data[:4] == b"\x7fELF", "not an ELF file"
wide, e = data[4] == 2, "<" if data[5] == 1 else ">"
if wide:
    phoff, = struct.unpack_from(e + "Q", data, 0x20)
    phentsize, phnum = struct.unpack_from(e + "HH", data, 0x36)
    end = max(64, phoff + phentsize * phnum)
else:
    phoff, = struct.unpack_from(e + "I", data, 0x1c)
    phentsize, phnum = struct.unpack_from(e + "HH", data, 0x2a)
    end = max(52, phoff + phentsize * phnum)
for i in range(phnum):
    ph = phoff + i * phentsize
    if wide:
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from(e + "IIQQQQ", data, ph)
    else:
        p_type, p_offset, _, _, p_filesz = struct.unpack_from(e + "IIIII", data, ph)
    if p_type == 1:
        end = max(end, p_offset + p_filesz)
if wide:
    struct.pack_into(e + "QHHH", data, 0x28, 0, 0, 0, 0)  # e_shoff .. e_shstrndx
    struct.pack_into(e + "HHH", data, 0x3a, 0, 0, 0)
else:
    struct.pack_into(e + "I", data, 0x20, 0)
    struct.pack_into(e + "HHH", data, 0x2e, 0, 0, 0)
open(sys.argv[2], "wb").write(data[:end])
PY
	chmod 755 "$2"
}

# build TRIPLE MAKE-VARIABLES...: the package's compile and install, into
# target/openwrt/TRIPLE (OUT_ROOT=DIR: DIR/TRIPLE).
build() {
	local triple=$1 out=${OUT_ROOT:-$root/target/openwrt}/$1
	shift
	echo "ci/openwrt.sh: $triple: the package's Build/Compile (rust-package.mk's cargo install)"
	rm -rf "$out/ipkg-install"
	mkdir -p "$out/unstripped"
	make -s -C target-linux/openwrt/ifplugd-rs \
		TOPDIR="$root/ci/openwrt-sdk" PKG_BUILD_DIR="$root" WORK="$out" \
		"$@" compile install
	local bin=$out/root/usr/sbin/ifplugd
	[ -x "$bin" ] || die "$triple: the package installs no /usr/sbin/ifplugd"
	file -b "$bin" | grep -q 'dynamically linked' ||
		die "$triple: $bin is not dynamically linked: $(file -b "$bin")"
	cp "$bin" "$out/unstripped/ifplugd"
	sstrip "$bin" "$out/ifplugd"
	echo "ci/openwrt.sh: $triple: installed $(stat -c %s "$bin") bytes, after sstrip $(stat -c %s "$out/ifplugd"); $(file -b "$bin" | cut -d, -f1-4)"
}

# --- x86_64: Debian's shared musl ------------------------------------------

rustup target add x86_64-unknown-linux-musl >/dev/null
build x86_64-unknown-linux-musl \
	ARCH=x86_64 REAL_GNU_TARGET_NAME=x86_64-openwrt-linux-musl \
	TARGET_CC_NOCACHE=musl-gcc CONFIG_PKG_CC_STACKPROTECTOR_NONE=y
x86=$root/target/openwrt/x86_64-unknown-linux-musl

# What the package installs, and what it keeps over sysupgrade.
for f in usr/sbin/ifplugd etc/init.d/ifplugd etc/config/ifplugd \
	etc/ifplugd/ifplugd.action etc/ifplugd/ifplugd.action.example; do
	[ -f "$x86/root/$f" ] || die "the package does not install /$f"
done
{ [ -e "$x86/root/usr/sbin/ifplugstatus" ] || [ -L "$x86/root/usr/sbin/ifplugstatus" ]; } &&
	die "without CONFIG_IFPLUGD_RS_IFPLUGSTATUS the package installs /usr/sbin/ifplugstatus"
[ -d "$x86/root/etc/hotplug.d/ifplugd" ] || die "the package does not create /etc/hotplug.d/ifplugd"
for f in /etc/config/ifplugd /etc/ifplugd/ /etc/hotplug.d/ifplugd/; do
	grep -qxF "$f" "$x86/conffiles" || die "$f is not in the package's conffiles"
done
echo "ci/openwrt.sh: the package installs the binary, init script, config, action scripts; conffiles keep /etc/config/ifplugd, /etc/ifplugd/, /etc/hotplug.d/ifplugd/"

bin=$x86/root/usr/sbin/ifplugd
interp=$(readelf -lW "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ "$interp" = /lib/ld-musl-x86_64.so.1 ] || die "$bin asks for interpreter '$interp'"
"$bin" --version

if [ "${OPENWRT_TESTS:-1}" = 1 ]; then
	echo "ci/openwrt.sh: the kernel integration suite against $bin"
	IFPLUGD_BIN="$bin" flock /tmp/ifplugd-ktest.lock cargo test -p ifplugd --tests
else
	echo "ci/openwrt.sh: OPENWRT_TESTS=0: the kernel integration suite is not run"
fi

# --- x86_64 with CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y ---------------------------

OUT_ROOT=$root/target/openwrt-ifplugstatus build x86_64-unknown-linux-musl \
	ARCH=x86_64 REAL_GNU_TARGET_NAME=x86_64-openwrt-linux-musl \
	TARGET_CC_NOCACHE=musl-gcc CONFIG_PKG_CC_STACKPROTECTOR_NONE=y \
	CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y
status=$root/target/openwrt-ifplugstatus/x86_64-unknown-linux-musl/root/usr/sbin
[ "$(readlink "$status/ifplugstatus")" = ifplugd ] ||
	die "with CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y the package does not link /usr/sbin/ifplugstatus to ifplugd"
out=$("$status/ifplugstatus" -V)
[ "$out" = "ifplugstatus $("$bin" -V | sed 's/^ifplugd-rs //') (ifplugd-rs)" ] ||
	die "$status/ifplugstatus -V prints '$out': the link is not ifplugstatus"
echo "ci/openwrt.sh: CONFIG_IFPLUGD_RS_IFPLUGSTATUS=y: the package links /usr/sbin/ifplugstatus to ifplugd, which answers as $out"
if [ "${OPENWRT_TESTS:-1}" = 1 ]; then
	echo "ci/openwrt.sh: the ifplugstatus kernel tests against $status/ifplugd"
	IFPLUGD_BIN="$status/ifplugd" flock /tmp/ifplugd-ktest.lock \
		cargo test -p ifplugd --features ifplugstatus --test ifplugstatus
fi

# --- mips and armv7: zig's musl, dynamic ------------------------------------

if [ "$cross" = 1 ]; then
	zig=$root/.tools/python/ziglang/zig
	[ -x "$zig" ] || die "$zig is missing: run cargo xtask dist first (it installs zig)"
	# zig cc links musl statically unless told -dynamic; its musl ABI names
	# follow the C toolchain's (musleabi: soft float, as OpenWrt's MIPS).
	mkdir -p target/openwrt/cc
	for t in mips-linux-musleabi arm-linux-musleabihf; do
		cat >"target/openwrt/cc/$t-cc" <<-CC
			#!/bin/sh
			exec "$zig" cc -target $t -dynamic "\$@"
		CC
		chmod 755 "target/openwrt/cc/$t-cc"
	done
	export ZIG_GLOBAL_CACHE_DIR=$root/target/zig-cache ZIG_LOCAL_CACHE_DIR=$root/target/zig-cache
	# OpenWrt builds its own std for the target; rustup has none for these.
	# The nightly the static dist binaries are built with (xtask's pin).
	nightly=$(sed -n 's/^pub const NIGHTLY: &str = "\(.*\)";/\1/p' xtask/src/tools.rs)
	rustup toolchain install "$nightly" --profile minimal -c rust-src >/dev/null
	build mips-unknown-linux-musl \
		ARCH=mips REAL_GNU_TARGET_NAME=mips-openwrt-linux-musl TARGET_LINKER=lld \
		TARGET_CC_NOCACHE="$root/target/openwrt/cc/mips-linux-musleabi-cc" \
		CONFIG_PKG_CC_STACKPROTECTOR_NONE=y CARGO_CMD="cargo +$nightly" \
		CARGO_EXTRA="-Zbuild-std=core"
	build armv7-unknown-linux-musleabihf \
		ARCH=arm CONFIG_arm_v7=y CONFIG_HAS_FPU=y \
		REAL_GNU_TARGET_NAME=arm-openwrt-linux-muslgnueabi TARGET_LINKER=lld \
		TARGET_CC_NOCACHE="$root/target/openwrt/cc/arm-linux-musleabihf-cc" \
		CONFIG_PKG_CC_STACKPROTECTOR_NONE=y CARGO_CMD="cargo +$nightly" \
		CARGO_EXTRA="-Zbuild-std=core"

	# Each must be within its target's default budget, as the static dist binary
	# (cargo xtask dist, which ci/cross.sh runs first) is; x86_64 included.
	echo "ci/openwrt.sh: sizes against the default budgets (size-report/budget.toml)"
	cargo run --quiet -p size-report -- --dist target/dist --openwrt target/openwrt \
		--baseline size-report/baseline --budget size-report/budget.toml >/dev/null
	sed -n '/^## OpenWrt-style builds/,/^## /p' target/dist/size-report.md | sed '$d'
fi
