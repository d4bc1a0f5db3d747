# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stand-in for OpenWrt's include/package.mk (see ../rules.mk): BuildPackage
# makes two targets, "compile" (Build/Compile) and "install"
# (Package/NAME/install into $(WORK)/root, then the conffiles list into
# $(WORK)/conffiles).

define BuildPackage
compile:
	$$(call Build/Compile)

install:
	rm -rf $$(WORK)/root
	mkdir -p $$(WORK)/root
	$$(call Package/$(1)/install,$$(WORK)/root)
	$$(file >$$(WORK)/conffiles,$$(Package/$(1)/conffiles))

.PHONY: compile install
endef
