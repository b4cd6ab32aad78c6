# make bench-pool: allocator micro-benchmark on the host (bench/README.md).
# -O2 without sanitizers; hosted.c provides cpu_id() and panic().
BENCH_POOL_SRCS := bench/pool/bench_pool.c pool/pool.c pool/heap.c tests/unit/hosted.c

$(BUILD)/bench/bench_pool: $(BENCH_POOL_SRCS) $(wildcard include/skiff/*.h)
	$(call msg,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		-Iinclude -DSKIFF_HOSTED -pthread -o $@ $(BENCH_POOL_SRCS)

bench-pool: $(BUILD)/bench/bench_pool
	$(Q)$<

.PHONY: bench-pool
