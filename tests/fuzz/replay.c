/*
 * replay: a main() for a fuzz harness without libFuzzer, so the inputs
 * that once broke it (tests/fuzz/regressions/NAME/) run in every build:
 * gcc's AddressSanitizer build (make check) and the plain debug build
 * under valgrind (make check-valgrind). Runs each file once through
 * LLVMFuzzerTestOneInput, as `fuzz_NAME FILE...` does.
 * usage: fuzz-replay-NAME FILE...
 */
#include "fsutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
    LLVMFuzzerInitialize(&argc, &argv);
    int status = 0;
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *data = fs_read_file(argv[i], &len);
        if (!data) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
        fprintf(stderr, "replayed %s (%zu bytes)\n", argv[i], len);
    }
    return status;
}
