# make bench-pool: the allocator micro-benchmark on the host, 5 rounds, into
# docs/bench/pool/ (RESULTS.md, results.csv); bench/README.md.
# -O2 without sanitizers; hosted.c provides cpu_id() and panic().
BENCH_POOL_SRCS := bench/pool/bench_pool.c pool/pool.c pool/heap.c tests/unit/hosted.c

$(BUILD)/bench/bench_pool: $(BENCH_POOL_SRCS) $(wildcard include/skiff/*.h)
	$(call msg,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
		-Iinclude -DSKIFF_HOSTED -pthread -o $@ $(BENCH_POOL_SRCS)

bench-pool:
	$(Q)bench/bench.py --sections pool --runs 5 --out docs/bench/pool

.PHONY: bench-pool
