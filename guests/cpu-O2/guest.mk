# The CPU workload (../cpuprogs) built at -O2. test/cpuprogs.test.ts builds its native twin with
# the same CFLAGS_EXTRA and compares the two outputs line by line.
CFLAGS_EXTRA := -O2 -fno-math-errno -ffp-contract=off
SRCS_EXTRA := ../cpuprogs/*.c
LDLIBS_EXTRA := $(shell $(CC) -print-libgcc-file-name)
