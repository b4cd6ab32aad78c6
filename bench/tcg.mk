# TCG plugins that count guest instructions (bench/insns.sh, bench/README.md).
TCG_PLUGINS := $(BUILD)/bench/tcg/insns.so $(BUILD)/bench/tcg/profile.so

$(BUILD)/bench/tcg/%.so: bench/tcg/%.c bench/tcg/plugin_api.h
	$(call msg,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC \
		-fvisibility=hidden -o $@ $<

tcg-plugins: $(TCG_PLUGINS)

.PHONY: tcg-plugins
