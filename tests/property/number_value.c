/* number_value.c - sb_json_number_value against the C library's strtod on random decimal
 * spellings: the fast paths must round exactly as strtod does. Deterministic (seeded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_scan.h"

static unsigned long long state = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state % n);
}

int main(void) {
    long checked = 0, failed = 0;
    char buf[80];
    for (int i = 0; i < 2000000; i++) {
        int o = 0, digits = 1 + (int)rnd(20), dot = (int)rnd((unsigned)digits + 1);
        if (rnd(2))
            buf[o++] = '-';
        for (int k = 0; k < digits; k++) {
            if (k == dot && k > 0)
                buf[o++] = '.';
            buf[o++] = (char)(k == 0 ? '1' + rnd(9) : '0' + rnd(10));
        }
        if (rnd(3) == 0)
            o += sprintf(buf + o, "e%s%u", rnd(2) ? "-" : "", rnd(40));
        buf[o] = '\0';
        double want = strtod(buf, NULL), got;
        if (!sb_json_number_value(buf, (size_t)o, &got)) {
            failed++;
            printf("FAIL %s: reported out of range\n", buf);
            continue;
        }
        checked++;
        if (memcmp(&want, &got, sizeof want) != 0 && failed++ < 10)
            printf("FAIL %s: strtod %.17g, sb_json_number_value %.17g\n", buf, want, got);
    }
    /* the edges of the double range */
    const char *edges[] = {"1.7976931348623157e308",
                           "4.9406564584124654e-324",
                           "2.2250738585072014e-308",
                           "9007199254740993",
                           "0.1",
                           "-0",
                           "123456789012345678901234567890",
                           "1e23",
                           "8.98846567431158e307"};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        double want = strtod(edges[i], NULL), got = 0;
        checked++;
        if (!sb_json_number_value(edges[i], strlen(edges[i]), &got) ||
            memcmp(&want, &got, sizeof want) != 0) {
            failed++;
            printf("FAIL %s: strtod %.17g, got %.17g\n", edges[i], want, got);
        }
    }
    double inf;
    checked++;
    if (sb_json_number_value("1e400", 5, &inf)) {
        failed++;
        printf("FAIL 1e400 was not reported out of range\n");
    }
    printf("%ld passed, %ld failed\n", checked - failed, failed);
    return failed != 0;
}
