# nnlab — build, test and benchmark.
#
#   make          build the nnlab program (build/nnlab)
#   make run      install what is missing, build, start nnlab
#   make check    install what is missing, build, run every test
#   make asan     the same tests under -fsanitize=address,undefined
#   make bench    the benchmark, compared with PyTorch in the same run
#   make fuzz     the libFuzzer harnesses (clang), FUZZ_SECONDS each
#   make install  nnlab into PREFIX/bin, its data and lessons into
#                 PREFIX/share/nnlab (PREFIX=/usr/local; DESTDIR too)
#
# BUILD names the output directory, so a sanitizer build and a normal build
# can live side by side.

BUILD    ?= build
CC       ?= cc
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Werror
CPPFLAGS += -D_GNU_SOURCE -DHAVE_CBLAS
CFLAGS   += -std=c11 $(OPT) -fno-math-errno $(WARN) $(SAN)
LDFLAGS  += $(SAN)
ENGINE_LIBS := -lopenblas -lz -lm
REPL_LIBS   := -lreadline

# The program's folders, from the bottom layer up (README, "Layout").
# Each is compiled with the include paths of the folders it may call and
# no others, so a call upward does not even compile.
REPL_DIRS := base check gnuplot core plots lessons commands term
USES_base     := repl/base
USES_check    := repl/base repl/check
USES_gnuplot  := repl/base repl/gnuplot
USES_core     := repl/base repl/core engine
USES_plots    := repl/base repl/gnuplot repl/core repl/plots engine
USES_lessons  := repl/base repl/check repl/core repl/lessons engine
USES_commands := repl/base repl/check repl/gnuplot repl/core repl/plots \
                 repl/lessons repl/commands engine
USES_term     := repl/base repl/core repl/term engine
USES_main     := repl/base repl/check repl/core repl/lessons repl/commands \
                 repl/term engine
ALL_INCLUDES  := $(foreach d,$(REPL_DIRS),-iquote repl/$(d)) -iquote engine

ENGINE_SRC := $(wildcard engine/*.c)
REPL_SRC   := $(foreach d,$(REPL_DIRS),$(wildcard repl/$(d)/*.c))
TEST_SRC   := $(wildcard tests/test_*.c)

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
REPL_OBJ   := $(REPL_SRC:%.c=$(BUILD)/%.o)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

LIBNN   := $(BUILD)/libnnlab.a
LIBREPL := $(BUILD)/librepl.a
NNLAB   := $(BUILD)/nnlab

# Debian packages the program, the tests and the benchmark need.
RUN_PKGS   := libopenblas-dev libreadline-dev zlib1g-dev \
              dataset-fashion-mnist "gnuplot-nox|gnuplot-qt|gnuplot-x11"
CHECK_PKGS := $(RUN_PKGS) libcmocka-dev tmux procps python3 clang \
              libclang-rt-dev parallel
BENCH_PKGS := $(RUN_PKGS) python3-torch
FUZZ_PKGS  := libopenblas-dev libreadline-dev zlib1g-dev clang libclang-rt-dev

.PHONY: all run check asan bench fuzz fuzz-build clean deps deps-check \
        deps-bench install uninstall
all: $(NNLAB)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(DIR_INCLUDES) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/engine/%.o: DIR_INCLUDES := -iquote engine
$(foreach d,$(REPL_DIRS),$(eval \
  $(BUILD)/repl/$(d)/%.o: DIR_INCLUDES := $(USES_$(d):%=-iquote %)))
$(BUILD)/repl/main.o: DIR_INCLUDES := $(USES_main:%=-iquote %)

$(LIBNN): $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBREPL): $(REPL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(NNLAB): $(BUILD)/repl/main.o $(LIBREPL) $(LIBNN)
	$(CC) $(LDFLAGS) -o $@ $^ $(REPL_LIBS) $(ENGINE_LIBS)

# Engine tests link the engine only; tests of repl modules link both.
$(BUILD)/tests/%: tests/%.c $(LIBREPL) $(LIBNN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_INCLUDES) $(CFLAGS) -Itests -o $@ $< \
	    $(LIBREPL) $(LIBNN) -lcmocka $(REPL_LIBS) $(ENGINE_LIBS)

# The allocation-failure test makes the engine's allocations fail one by
# one: it is linked with the allocator (and the few library calls that
# allocate for the engine) wrapped, which reaches the engine's objects and
# its own but not OpenBLAS, zlib or the C library (tests/test_alloc.c).
ALLOC_WRAP := malloc calloc realloc strdup getline __getdelim newlocale \
              gzopen fopen fdopen
$(BUILD)/tests/test_alloc: tests/test_alloc.c $(LIBNN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote engine $(CFLAGS) -Itests -o $@ $< $(LIBNN) \
	    -lcmocka $(ENGINE_LIBS) $(ALLOC_WRAP:%=-Wl,--wrap=%)

# Install missing Debian packages (only those missing; says which).
deps:       ; @tests/deps.sh $(RUN_PKGS)
deps-check: ; @tests/deps.sh $(CHECK_PKGS)
deps-bench: ; @tests/deps.sh $(BENCH_PKGS)

run: deps
	@$(MAKE) --no-print-directory $(NNLAB)
	./$(NNLAB)

check: deps-check
	@$(MAKE) --no-print-directory $(NNLAB) $(TEST_BIN)
	@BUILD=$(BUILD) tests/run.sh

asan: deps-check
	@$(MAKE) --no-print-directory BUILD=build-asan \
	    OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    build-asan/nnlab $(TEST_BIN:$(BUILD)/%=build-asan/%)
	@BUILD=build-asan NNLAB_ASAN=1 tests/run.sh

bench: deps-bench
	@$(MAKE) --no-print-directory $(NNLAB) $(BUILD)/bench/bench \
	    $(BUILD)/bench/shell_bench
	@BUILD=$(BUILD) bench/run.sh

$(BUILD)/bench/bench: bench/bench.c $(LIBNN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -iquote engine $(CFLAGS) -o $@ $< $(LIBNN) \
	    $(ENGINE_LIBS)

# The shell's training loop against the engine's step: links the
# program's layers (no main.c) and runs commands as a script does.
$(BUILD)/bench/shell_bench: bench/shell_bench.c $(LIBREPL) $(LIBNN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_INCLUDES) $(CFLAGS) -o $@ $< $(LIBREPL) \
	    $(LIBNN) $(REPL_LIBS) $(ENGINE_LIBS)

# Coverage-guided fuzzing with libFuzzer: the harnesses in tests/fuzz/ are
# built with clang and the sanitizers in build-fuzzer/ (make fuzz-build)
# and each runs FUZZ_SECONDS (tests/fuzz/run.sh).  `make check` builds
# them too and runs each for two seconds (tests/suite_fuzz.sh), besides
# its own deterministic fuzzing (tests/test_fuzz.c).
FUZZ_NAMES   := csv idx model lesson line
FUZZ_SECONDS ?= 60
FUZZ_BIN     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

fuzz: fuzz-build
	@BUILD=build-fuzzer FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

fuzz-build:
	@tests/deps.sh $(FUZZ_PKGS)
	@$(MAKE) --no-print-directory BUILD=build-fuzzer CC=clang \
	    OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all \
	         -fsanitize=fuzzer-no-link" \
	    $(FUZZ_BIN:$(BUILD)/%=build-fuzzer/%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIBREPL) $(LIBNN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_INCLUDES) $(CFLAGS) -Itests -fsanitize=fuzzer \
	    -o $@ $< \
	    $(LIBREPL) $(LIBNN) $(REPL_LIBS) $(ENGINE_LIBS)

PREFIX ?= /usr/local
SHARE  := $(DESTDIR)$(PREFIX)/share/nnlab

install: $(NNLAB)
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/data $(SHARE)/lessons
	install -m 755 $(NNLAB) $(DESTDIR)$(PREFIX)/bin/nnlab
	install -m 644 data/README.md data/digits.csv.gz data/iris.csv \
	    $(SHARE)/data
	install -m 644 lessons/README.md lessons/*.lesson $(SHARE)/lessons

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/nnlab
	rm -rf $(SHARE)

clean:
	rm -rf build build-asan build-fuzzer

-include $(ENGINE_OBJ:.o=.d) $(REPL_OBJ:.o=.d) $(BUILD)/repl/main.d
