include $(sort $(wildcard $(BR2_EXTERNAL_IFPLUGD_RS_PATH)/package/*/*.mk))
