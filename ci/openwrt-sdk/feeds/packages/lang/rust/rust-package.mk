# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stand-in for the packages feed's lang/rust/rust-package.mk and
# rust-values.mk (see ../../../../rules.mk), written from what they do in
# openwrt-24.10 and master (the same there): the variables a package Makefile
# sees and the cargo command that Build/Compile/Cargo runs. Only what
# concerns a musl target is here (no sccache, no macOS host, no powerpc).
# Two deliberate differences, neither of which changes the binary:
# CARGO_HOME stays the caller's (OpenWrt's is $(DL_DIR)/cargo: a fresh
# registry), and CARGO_TARGET_DIR is set (so that CI's other builds in
# target/ are not overwritten).

# --- rust-values.mk ---------------------------------------------------------

CARGO_HOME:=$(or $(CARGO_HOME),$(HOME)/.cargo)

ifeq ($(CONFIG_USE_MUSL),y)
  # OpenWrt links libssp_nonshared into musl packages built with stack
  # protection (its default); a musl toolchain without it (Debian's) gets
  # CONFIG_PKG_CC_STACKPROTECTOR_NONE from ci/openwrt.sh.
  ifneq ($(CONFIG_PKG_CC_STACKPROTECTOR_NONE),y)
    RUSTC_LDFLAGS+=-lssp_nonshared
  endif
endif

CARGO_RUSTFLAGS+=-Ctarget-feature=-crt-static $(RUSTC_LDFLAGS)

RUSTC_TARGET_ARCH:=$(subst openwrt,unknown,$(REAL_GNU_TARGET_NAME))
RUSTC_TARGET_ARCH:=$(subst muslgnueabi,musleabi,$(RUSTC_TARGET_ARCH))
ifeq ($(ARCH),arm)
  ifeq ($(CONFIG_arm_v7),y)
    RUSTC_TARGET_ARCH:=$(subst arm,armv7,$(RUSTC_TARGET_ARCH))
  endif
  ifeq ($(CONFIG_HAS_FPU),y)
    RUSTC_TARGET_ARCH:=$(subst musleabi,musleabihf,$(RUSTC_TARGET_ARCH))
  endif
endif

RUSTC_TARGET_UPPER = $(subst -,_,$(call toupper,$(RUSTC_TARGET_ARCH)))

RUST_ARCH_DEPENDS:=@(aarch64||arm||i386||mips||mipsel||x86_64)

# The release profile OpenWrt forces on every Rust package.
CARGO_PKG_CONFIG_VARS= \
	CARGO_BUILD_TARGET=$(RUSTC_TARGET_ARCH) \
	CARGO_HOME=$(CARGO_HOME) \
	CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
	CARGO_PROFILE_RELEASE_DEBUG=false \
	CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=false \
	CARGO_PROFILE_RELEASE_LTO=true \
	CARGO_PROFILE_RELEASE_OPT_LEVEL=z \
	CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
	CARGO_PROFILE_RELEASE_PANIC=unwind \
	CARGO_PROFILE_RELEASE_RPATH=false \
	CARGO_TARGET_$(RUSTC_TARGET_UPPER)_LINKER=$(TARGET_CC_NOCACHE) \
	RUSTFLAGS="$(CARGO_RUSTFLAGS)" \
	TARGET_CC=$(TARGET_CC_NOCACHE) \
	TARGET_CFLAGS="$(TARGET_CFLAGS) $(RUSTC_CFLAGS)"

CARGO_PKG_PROFILE:=$(if $(CONFIG_DEBUG),dev,release)

CARGO_RUSTFLAGS+=-Clink-arg=-fuse-ld=$(TARGET_LINKER)

# --- rust-package.mk --------------------------------------------------------

RUST_PKG_LOCKED ?= 1

CARGO_PKG_VARS= \
	$(CARGO_PKG_CONFIG_VARS) \
	CC=$(HOSTCC_NOCACHE) \
	MAKEFLAGS="$(PKG_JOBS)"

CARGO_PKG_ARGS=
ifeq ($(strip $(RUST_PKG_LOCKED)),1)
  CARGO_PKG_ARGS+= --locked
endif

# $(1): the package's path in the source; $(2): more cargo arguments.
# (ci/openwrt.sh may put a toolchain selector, "+nightly", in CARGO_CMD and
# -Zbuild-std in CARGO_EXTRA for targets without a prebuilt std: OpenWrt
# builds its own.)
define Build/Compile/Cargo
	+$(CARGO_PKG_VARS) CARGO_TARGET_DIR=$(WORK)/target \
	$(or $(CARGO_CMD),cargo) install -v \
		--profile $(CARGO_PKG_PROFILE) \
		$(if $(strip $(RUST_PKG_FEATURES)),--features "$(strip $(RUST_PKG_FEATURES))") \
		--root $(PKG_INSTALL_DIR) \
		--path "$(PKG_BUILD_DIR)/$(if $(strip $(1)),$(strip $(1)),$(strip $(MAKE_PATH)))" \
		$(if $(filter --jobserver%,$(PKG_JOBS)),,-j1) \
		$(CARGO_PKG_ARGS) \
		$(CARGO_EXTRA) $(2)
endef

define RustBinPackage
  ifndef Package/$(1)/install
    define Package/$(1)/install
	$$(INSTALL_DIR) $$(1)/usr/bin/
	$$(INSTALL_BIN) $$(PKG_INSTALL_DIR)/bin/* $$(1)/usr/bin/
    endef
  endif
endef

Build/Compile=$(call Build/Compile/Cargo)
