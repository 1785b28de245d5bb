/* calc — evaluates integer expressions given as arguments, one result per line.
 *
 *   calc '2 * (3 + 4)' '2 ^ 10'   prints   14 and 1024
 *
 * Exit status: 0 when every expression evaluated, 1 when one failed, 2 on usage errors.
 */
#include <stdio.h>
#include <string.h>
#include "calc.h"

#define CALC_VERSION "1.2.0"

static void usage(FILE *f)
{
    fprintf(f, "usage: calc EXPR...\n       calc --version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("calc %s\n", CALC_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        long long v;
        const char *err;
        if (calc_eval(argv[i], &v, &err) == 0) {
            printf("%s = %lld\n", argv[i], v);
        } else {
            fprintf(stderr, "calc: %s: %s\n", argv[i], err);
            status = 1;
        }
    }
    return status;
}
