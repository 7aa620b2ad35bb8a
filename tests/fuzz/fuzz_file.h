/*
 * fuzz_file.h — for the libFuzzer harnesses (tests/fuzz/fuzz_*.c): the
 * loaders read files, so each input is written to a file in a temporary
 * directory of this process, removed again at exit.
 */
#ifndef NN_FUZZ_FILE_H
#define NN_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[64];
static char fuzz_names[4][160];

static void fuzz_cleanup(void)
{
    for (int i = 0; i < 4; i++)
        if (fuzz_names[i][0])
            unlink(fuzz_names[i]);
    rmdir(fuzz_dir);
}

/* Write data to file `slot` (0..3) named `name` in the directory; its
 * path, or NULL when the file cannot be written. */
static const char *fuzz_write(int slot, const char *name, const uint8_t *data,
                              size_t size)
{
    if (!fuzz_dir[0]) {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/nnlab-fuzz-XXXXXX");
        if (!mkdtemp(fuzz_dir))
            abort();
        atexit(fuzz_cleanup);
    }
    snprintf(fuzz_names[slot], sizeof fuzz_names[slot], "%s/%s", fuzz_dir,
             name);
    unlink(fuzz_names[slot]); /* ext4 flushes a truncated file at close */
    FILE *f = fopen(fuzz_names[slot], "wb");
    if (!f)
        return NULL;
    size_t n = size ? fwrite(data, 1, size, f) : 0;
    if (fclose(f) != 0 || n != size)
        return NULL;
    return fuzz_names[slot];
}

#endif
