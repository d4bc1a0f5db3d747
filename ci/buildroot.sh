#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The daemon as Buildroot builds it, from the repository root (as root):
#
#     bash ci/buildroot.sh
#
# 1. check-package: Buildroot's own checker (utils/check-package, a copy in
#    ../shared/tools/buildroot-check-package/) on
#    target-linux/buildroot/package/ifplugd-rs/*: no warning allowed.
# 2. Download: the source as a release tarball would hold it (git archive),
#    vendored as support/download/cargo-post-process does it: `cargo vendor
#    --manifest-path target-linux/Cargo.toml --locked VENDOR`, its output as
#    .cargo/config.toml. The tarball gets Buildroot's name for each release
#    in ifplugd-rs.hash (-cargo4/5/6): each must have its line there.
# 3. Build: package/pkg-cargo.mk's build command (cargo build --offline
#    --release --manifest-path Cargo.toml --locked in the package's SUBDIR)
#    with its cargo environment for a default configuration (BR2_OPTIMIZE_2,
#    no LTO, no debug) and the package's IFPLUGD_RS_CARGO_ENV, without a
#    network (unshare -n): everything must come from the vendored tarball.
#    Twice: as configured by default, then with
#    BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS=y (the .mk's IFPLUGD_RS_CARGO_BUILD_OPTS
#    for it).
# 4. Install: the package's install commands into a scratch target
#    directory; then the installed S41ifplugd starts and stops the installed
#    daemon, as BusyBox's S41ifplugd did, in a network namespace (under the
#    shared test lock): /etc/default/ifplugd's DEFAULT_IFACE and
#    IFPLUGD_ARGS, an S41ifplugd.IFACE link, and the "down" script on stop.
#    The default build installs no ifplugstatus; with the option, the .mk's
#    hook links it to ifplugd, and it answers as ifplugstatus in the
#    namespace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

die() {
	echo "ci/buildroot.sh: $*" >&2
	exit 1
}
say() { echo "ci/buildroot.sh: $*"; }

pkg="target-linux/buildroot/package/ifplugd-rs"
work=$root/target/buildroot
rm -rf "$work"
mkdir -p "$work"

need() { # COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need shellcheck shellcheck
need musl-gcc musl-tools
need start-stop-daemon dpkg

# --- 1. check-package --------------------------------------------------------

checker=${BUILDROOT_CHECK_PACKAGE:-$root/../shared/tools/buildroot-check-package/run}
[ -x "$checker" ] || die "Buildroot's check-package is not at $checker (set BUILDROOT_CHECK_PACKAGE)"
"$checker" "$pkg"/* || die "check-package reports warnings (above)"
say "check-package: no warning"

# --- 2. download and vendor ----------------------------------------------------

version=$(sed -n 's/^IFPLUGD_RS_VERSION = //p' "$pkg/ifplugd-rs.mk")
subdir=$(sed -n 's/^IFPLUGD_RS_SUBDIR = //p' "$pkg/ifplugd-rs.mk")
{ [ -n "$version" ] && [ -n "$subdir" ]; } || die "no IFPLUGD_RS_VERSION or IFPLUGD_RS_SUBDIR in $pkg/ifplugd-rs.mk"
name=ifplugd-rs-$version
src=$work/build/$name
mkdir -p "$work/build" "$work/dl"
# What the release archive holds: the committed tree (uncommitted changes
# are not in a release either).
git archive --format=tar --prefix="$name/" HEAD | tar -C "$work/build" -x
export CARGO_HOME=$work/br-cargo-home
mkdir -p "$CARGO_HOME"
(
	cd "$src"
	mkdir -p .cargo
	cargo vendor --manifest-path "$subdir/Cargo.toml" --locked VENDOR >.cargo/config.toml
)
grep -q 'directory = "VENDOR"' "$src/.cargo/config.toml" || die "cargo vendor wrote no source replacement"
tar -C "$work/build" -czf "$work/dl/$name-vendored.tar.gz" "$name"
for n in 4 5 6; do
	grep -qE "^sha256  [0-9a-f]{64}  $name-cargo$n\.tar\.gz$" "$pkg/ifplugd-rs.hash" ||
		die "$pkg/ifplugd-rs.hash has no line for $name-cargo$n.tar.gz"
done
grep -q "^sha256  $(sha256sum LICENSE | cut -d' ' -f1)  LICENSE$" "$pkg/ifplugd-rs.hash" ||
	die "$pkg/ifplugd-rs.hash: the LICENSE hash is not LICENSE's"
say "vendored $(find "$src/VENDOR" -mindepth 1 -maxdepth 1 | wc -l) crates; the .hash names the tarball for cargo4, cargo5 and cargo6"

# --- 3. build, offline ---------------------------------------------------------

triple=x86_64-unknown-linux-musl
rustup target add "$triple" >/dev/null
upper=$(echo "$triple" | tr a-z- A-Z_)
# IFPLUGD_RS_CARGO_ENV, as the .mk sets it.
mapfile -t pkg_env < <(sed -n '/^IFPLUGD_RS_CARGO_ENV = /,/^$/p' "$pkg/ifplugd-rs.mk" |
	grep -oE '[A-Z_]+=[^ \\]+')
[ "${#pkg_env[@]}" -ge 3 ] || die "cannot read IFPLUGD_RS_CARGO_ENV from $pkg/ifplugd-rs.mk"
# The .mk's lines for BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS=y (a sed range),
# and the IFPLUGD_RS_CARGO_BUILD_OPTS they add.
# shellcheck disable=SC2016 # make's $(...), not the shell's
status_if='/^ifeq ($(BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS),y)$/,/^endif$/'
status_opts=$(sed -n "${status_if}s/^IFPLUGD_RS_CARGO_BUILD_OPTS += //p" "$pkg/ifplugd-rs.mk")
[ "$status_opts" = "--features ifplugstatus" ] ||
	die "$pkg/ifplugd-rs.mk: BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS does not add --features ifplugstatus (found '$status_opts')"
# br_build [IFPLUGD_RS_CARGO_BUILD_OPTS...]
br_build() (
	cd "$src/$subdir"
	# PKG_CARGO_ENV of package/pkg-cargo.mk (2026.02.x to master), for
	# BR2_OPTIMIZE_2, no BR2_ENABLE_LTO, no BR2_ENABLE_DEBUG, no
	# BR2_ENABLE_RUNTIME_DEBUG; TARGET_CROSS's gcc is Debian's musl-gcc.
	unshare -n env \
		CARGO_HOME="$CARGO_HOME" \
		__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS=nightly \
		CARGO_UNSTABLE_HOST_CONFIG=true \
		CARGO_UNSTABLE_TARGET_APPLIES_TO_HOST=true \
		CARGO_TARGET_APPLIES_TO_HOST=false \
		CARGO_BUILD_TARGET="$triple" \
		CARGO_HOST_RUSTFLAGS= \
		"CARGO_TARGET_${upper}_LINKER=musl-gcc" \
		CARGO_PROFILE_DEV_INCREMENTAL=false \
		CARGO_PROFILE_RELEASE_INCREMENTAL=false \
		CARGO_PROFILE_DEV_CODEGEN_UNITS=16 \
		CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
		CARGO_PROFILE_DEV_SPLIT_DEBUGINFO=off \
		CARGO_PROFILE_RELEASE_SPLIT_DEBUGINFO=off \
		CARGO_PROFILE_DEV_OPT_LEVEL=2 \
		CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
		CARGO_PROFILE_DEV_LTO=false \
		CARGO_PROFILE_RELEASE_LTO=false \
		CARGO_PROFILE_DEV_DEBUG=0 \
		CARGO_PROFILE_RELEASE_DEBUG=0 \
		CARGO_PROFILE_DEV_DEBUG_ASSERTIONS=false \
		CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=false \
		CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false \
		CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=false \
		"${pkg_env[@]}" \
		cargo build --offline --release --manifest-path Cargo.toml --locked "$@"
)
built=$src/target/$triple/release/ifplugd
say "building offline with pkg-cargo.mk's environment and ${pkg_env[*]}"
br_build
[ -x "$built" ] || die "the build left no $built"
cp "$built" "$work/ifplugd"
built=$work/ifplugd
say "BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS=y: building again with $status_opts"
# shellcheck disable=SC2086 # the options are words
br_build $status_opts
built_status=$work/ifplugd-ifplugstatus
cp "$src/target/$triple/release/ifplugd" "$built_status"
# The musl targets link the C library statically by default (crt-static),
# and pkg-cargo.mk does not change that: no shared library is needed.
# (Debian's musl-gcc names its dynamic linker even in a static PIE.)
if readelf -d "$built" | grep -q NEEDED; then
	die "$built needs shared libraries: $(readelf -d "$built" | grep NEEDED)"
fi
say "built $(stat -c %s "$built") bytes, the C library linked in: $(file -b "$built" | cut -d, -f1-2)"

# --- 4. install, and the init script with the real daemon ----------------------

target=$work/target-dir
# IFPLUGD_RS_INSTALL_TARGET_CMDS and IFPLUGD_RS_INSTALL_INIT_SYSV/_SYSTEMD.
install -D -m 0755 "$built" "$target/usr/sbin/ifplugd"
install -D -m 0755 "$src/target-linux/ifplugd.action.example" "$target/etc/ifplugd/ifplugd.action.example"
install -D -m 0755 "$pkg/S41ifplugd" "$target/etc/init.d/S41ifplugd"
install -D -m 0644 "$src/target-linux/systemd/ifplugd@.service" "$target/usr/lib/systemd/system/ifplugd@.service"
{ grep -q S41ifplugd "$pkg/ifplugd-rs.mk" && grep -q ifplugd@.service "$pkg/ifplugd-rs.mk"; } ||
	die "$pkg/ifplugd-rs.mk does not install what this script installs"
"$target/usr/sbin/ifplugd" --version
# With BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS=y: the same, and the hook's link.
status_target=$work/target-dir-ifplugstatus
install -D -m 0755 "$built_status" "$status_target/usr/sbin/ifplugd"
ln -sf ifplugd "$status_target/usr/sbin/ifplugstatus"
# shellcheck disable=SC2016 # make's $(...)
sed -n "${status_if}p" "$pkg/ifplugd-rs.mk" | grep -qx '.ln -sf ifplugd $(TARGET_DIR)/usr/sbin/ifplugstatus' ||
	die "$pkg/ifplugd-rs.mk does not link ifplugstatus under BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS"
sed "${status_if}d" "$pkg/ifplugd-rs.mk" | grep -v '^#' | grep -q ifplugstatus &&
	die "$pkg/ifplugd-rs.mk names ifplugstatus outside BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS"

# In a namespace of its own (network and mounts), the target's files where
# the script expects them: /usr/sbin and /etc/default/ifplugd;
# /var/run is a scratch directory. The action script is named with -r in
# IFPLUGD_ARGS, as BusyBox's S41ifplugd suggests for one elsewhere.
ns=ifplugd-br-$$
t=$work/sysv
mkdir -p "$t/default" "$t/ifplugd" "$t/run" "$t/init.d" "$t/sbin"
# /usr/sbin as the target has it: the daemon and start-stop-daemon (BusyBox's
# applet there; Debian's here).
cp "$target/usr/sbin/ifplugd" "$(command -v start-stop-daemon)" "$t/sbin/"
cp "$target/etc/init.d/S41ifplugd" "$t/init.d/"
ln -s S41ifplugd "$t/init.d/S41ifplugd.wan1"
# One daemon for a pattern (issue 12): the link's name carries it.
ln -s S41ifplugd "$t/init.d/S41ifplugd.usb*"
cat >"$t/default/ifplugd" <<CONF
# As a user of BusyBox's S41ifplugd may have it.
DEFAULT_IFACE="lan0"
IFPLUGD_ARGS="-M -u 0 -d 0 -r $t/ifplugd/ifplugd.action"
CONF
cat >"$t/ifplugd/ifplugd.action" <<ACTION
#!/bin/sh
echo "\$1 \$2" >>$t/actions.log
ACTION
chmod 755 "$t/ifplugd/ifplugd.action"
: >"$t/actions.log"

cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add lan0 type veth peer name lan0p
ip -n "$ns" link add wan1 type veth peer name wan1p
ip -n "$ns" link add usb0 type veth peer name usb0p
ip -n "$ns" link add usb1 type veth peer name usb1p
for l in lan0p wan1p usb0p usb1p; do ip -n "$ns" link set "$l" up; done

# wait_for LINE: until actions.log has it (10 s at most).
cat >"$t/run.sh" <<SCRIPT
set -e
mount --bind "$t/sbin" /usr/sbin
mount --bind "$t/default" /etc/default
mount --bind "$t/run" /var/run
wait_for() {
	n=0
	until grep -qx "\$1" "$t/actions.log"; do
		n=\$((n + 1))
		[ "\$n" -lt 100 ] || { echo "no '\$1' in actions.log:"; cat "$t/actions.log"; exit 1; }
		sleep 0.1
	done
}
sh "$t/init.d/S41ifplugd" start
sh "$t/init.d/S41ifplugd.wan1" start
wait_for "lan0 up"
wait_for "wan1 up"
[ -s /var/run/ifplugd.lan0.pid ] && [ -s /var/run/ifplugd.wan1.pid ]
tr '\0' ' ' </proc/"\$(cat /var/run/ifplugd.lan0.pid)"/cmdline; echo
sh "$t/init.d/S41ifplugd" stop
wait_for "lan0 down"
[ ! -e /var/run/ifplugd.lan0.pid ]
sh "$t/init.d/S41ifplugd.wan1" restart
n=0
until [ "\$(grep -c '^wan1 up' "$t/actions.log")" = 2 ]; do
	n=\$((n + 1))
	[ "\$n" -lt 100 ] || { echo "no second 'wan1 up' after restart:"; cat "$t/actions.log"; exit 1; }
	sleep 0.1
done
sh "$t/init.d/S41ifplugd.wan1" stop
[ "\$(grep -c '^wan1 down' "$t/actions.log")" = 2 ]
sh "$t/init.d/S41ifplugd.usb*" start
wait_for "usb0 up"
wait_for "usb1 up"
[ -s "/var/run/ifplugd.usb*.pid" ]
[ "\$(ls /var/run | grep -c '^ifplugd\\.')" = 1 ]
sh "$t/init.d/S41ifplugd.usb*" stop
wait_for "usb0 down"
wait_for "usb1 down"
[ ! -e "/var/run/ifplugd.usb*.pid" ]
# BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS=y: the link is 0.28's status tool
# (lan0, up, has its carrier: "link beat detected", exit 2).
ip link set lan0 up
rc=0
out=\$("$status_target/usr/sbin/ifplugstatus" lan0) || rc=\$?
[ "\$out \$rc" = "lan0: link beat detected 2" ] || { echo "ifplugstatus lan0: '\$out', exit \$rc"; exit 1; }
SCRIPT
flock /tmp/ifplugd-ktest.lock ip netns exec "$ns" sh "$t/run.sh" ||
	die "S41ifplugd did not start and stop the daemons as BusyBox's does (above)"
say "S41ifplugd: DEFAULT_IFACE, IFPLUGD_ARGS, S41ifplugd.wan1 and one daemon for S41ifplugd.usb* started; stop ran their down scripts"
say "BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS=y: /usr/sbin/ifplugstatus links to ifplugd and reports lan0's link as 0.28 does; without it, no link"
