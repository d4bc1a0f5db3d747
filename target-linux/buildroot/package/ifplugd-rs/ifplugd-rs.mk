################################################################################
#
# ifplugd-rs
#
################################################################################

# Must equal [workspace.package] version in the top-level Cargo.toml;
# ci/packaging.sh checks it.
IFPLUGD_RS_VERSION = 0.1.0
IFPLUGD_RS_SITE = https://example.invalid/ifplugd-rs/archive/v$(IFPLUGD_RS_VERSION)
IFPLUGD_RS_LICENSE = GPL-2.0+
IFPLUGD_RS_LICENSE_FILES = LICENSE

# The daemon is the workspace member target-linux (package and binary
# "ifplugd"); building from there builds it alone, so the workspace's tools
# cannot change its features. Its output lands in the workspace's target/.
IFPLUGD_RS_SUBDIR = target-linux

# Installed after busybox, so that /usr/sbin/ifplugd replaces the symlink of
# a BusyBox ifplugd applet, if one is configured, and S41ifplugd replaces the
# applet's init script (ours reads the same /etc/default/ifplugd).
IFPLUGD_RS_DEPENDENCIES = $(if $(BR2_PACKAGE_BUSYBOX),busybox)

# The cargo infrastructure sets its own profile (16 codegen units, LTO and
# opt-level from BR2_ENABLE_LTO / BR2_OPTIMIZE_*), which beats Cargo.toml.
# This daemon is meant to be tiny: restore the workspace's release profile.
# panic=abort is required (the binary is #![no_std], without an unwinder).
IFPLUGD_RS_CARGO_ENV = \
	CARGO_PROFILE_RELEASE_PANIC=abort \
	CARGO_PROFILE_DEV_PANIC=abort \
	CARGO_PROFILE_RELEASE_OPT_LEVEL=z \
	CARGO_PROFILE_RELEASE_LTO=true \
	CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1

IFPLUGD_RS_PROFILE_DIR = $(if $(BR2_ENABLE_DEBUG),debug,release)

# BusyBox's ifplugd lives in /usr/sbin, not cargo install's /usr/bin.
define IFPLUGD_RS_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 \
		$(@D)/target/$(RUSTC_TARGET_NAME)/$(IFPLUGD_RS_PROFILE_DIR)/ifplugd \
		$(TARGET_DIR)/usr/sbin/ifplugd
	$(INSTALL) -D -m 0755 $(@D)/target-linux/ifplugd.action.example \
		$(TARGET_DIR)/etc/ifplugd/ifplugd.action.example
endef

# ifplugd 0.28's command line, control and script output (compat-options
# brings ctl).
ifeq ($(BR2_PACKAGE_IFPLUGD_RS_COMPAT_028),y)
IFPLUGD_RS_CARGO_BUILD_OPTS += --features compat-options,wait-on-fork,script-log
endif

# ifplugd 0.28's status tool is the same binary under the name
# ifplugstatus, once built with the feature: the option adds both.
ifeq ($(BR2_PACKAGE_IFPLUGD_RS_IFPLUGSTATUS),y)
IFPLUGD_RS_CARGO_BUILD_OPTS += --features ifplugstatus
define IFPLUGD_RS_INSTALL_IFPLUGSTATUS
	ln -sf ifplugd $(TARGET_DIR)/usr/sbin/ifplugstatus
endef
IFPLUGD_RS_POST_INSTALL_TARGET_HOOKS += IFPLUGD_RS_INSTALL_IFPLUGSTATUS
endif

define IFPLUGD_RS_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(IFPLUGD_RS_PKGDIR)/S41ifplugd \
		$(TARGET_DIR)/etc/init.d/S41ifplugd
endef

# One instance per interface: systemctl enable ifplugd@eth0.service
define IFPLUGD_RS_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/target-linux/systemd/ifplugd@.service \
		$(TARGET_DIR)/usr/lib/systemd/system/ifplugd@.service
endef

$(eval $(cargo-package))
