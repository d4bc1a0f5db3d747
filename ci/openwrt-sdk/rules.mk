# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stand-in for OpenWrt's buildroot, just enough to run our package Makefile
# (target-linux/openwrt/ifplugd-rs/Makefile) as OpenWrt runs it: its
# Build/Compile (the cargo command of the packages feed's rust-package.mk,
# with rust-values.mk's environment) and its Package/install. ci/openwrt.sh
# sets the variables marked "from ci/openwrt.sh" on the make command line;
# the rest are what an OpenWrt build for that target would set.

INCLUDE_DIR:=$(TOPDIR)/include
# From ci/openwrt.sh: ARCH (x86_64, mips, arm), REAL_GNU_TARGET_NAME
# (x86_64-openwrt-linux-musl, ...), CONFIG_arm_v7, CONFIG_HAS_FPU,
# TARGET_CC_NOCACHE (the target's C compiler and linker), PKG_BUILD_DIR (the
# unpacked source: here, the repository), WORK (where builds and installs go).
PKG_INSTALL_DIR:=$(WORK)/ipkg-install
STAGING_DIR:=$(WORK)/staging_dir
DL_DIR:=$(WORK)/dl
CONFIG_USE_MUSL:=y
HOST_OS:=Linux
HOST_ARCH:=$(shell uname -m)
GNU_HOST_NAME:=$(HOST_ARCH)-pc-linux-gnu
HOSTCC_NOCACHE:=cc
TARGET_CFLAGS:=-Os -pipe
# OpenWrt's default linker (CONFIG_USE_LD_BFD).
TARGET_LINKER?=bfd
PKG_JOBS:=-j2

INSTALL_DIR:=install -d -m0755
INSTALL_BIN:=install -m0755
INSTALL_DATA:=install -m0644
INSTALL_CONF:=install -m0600
LN:=ln -sf
comma:=,

toupper=$(shell echo '$(1)' | tr a-z A-Z)
qstrip=$(strip $(subst ",,$(1)))
