/* test_cidr.c - "cidr" blocks, IPv4 and IPv6, against string IP addresses in events. */
#include "helpers.h"

#define CIDR(block) "{\"ip\": [{\"cidr\": \"" block "\"}]}"
#define IP(addr) "{\"ip\": \"" addr "\"}"

static void test_ipv4(void **state) {
    (void)state;
    const char *p = CIDR("10.0.0.0/24");
    MATCH(p, IP("10.0.0.0"));
    MATCH(p, IP("10.0.0.1"));
    MATCH(p, IP("10.0.0.255"));
    NO_MATCH(p, IP("10.0.1.0"));
    NO_MATCH(p, IP("9.255.255.255"));
    NO_MATCH(p, IP("11.0.0.0"));
    NO_MATCH(p, "{\"other\": \"10.0.0.1\"}");
}

static void test_ipv4_prefix_lengths(void **state) {
    (void)state;
    const char *p = CIDR("10.0.0.0/22");
    MATCH(p, IP("10.0.3.255"));
    NO_MATCH(p, IP("10.0.4.0"));
    MATCH(CIDR("10.0.0.0/8"), IP("10.255.1.2"));
    NO_MATCH(CIDR("10.0.0.0/8"), IP("100.0.0.1"));
    MATCH(CIDR("0.0.0.0/0"), IP("203.0.113.7"));
    MATCH(CIDR("192.168.1.128/25"), IP("192.168.1.200"));
    NO_MATCH(CIDR("192.168.1.128/25"), IP("192.168.1.127"));
    /* host bits in the block are ignored: it is 10.0.0.0/24 */
    MATCH(CIDR("10.0.0.77/24"), IP("10.0.0.1"));
    NO_MATCH(CIDR("10.0.0.77/24"), IP("10.0.1.77"));
}

static void test_not_an_address(void **state) {
    (void)state;
    const char *p = CIDR("10.0.0.0/8");
    NO_MATCH(p, IP("10.0.0"));
    NO_MATCH(p, IP("10.0.0.256"));
    NO_MATCH(p, IP("10.0.0.1/8"));
    NO_MATCH(p, IP("ten"));
    NO_MATCH(p, IP(""));
    NO_MATCH(p, "{\"ip\": 10}");
    NO_MATCH(p, "{\"ip\": null}");
    NO_MATCH(p, "{\"ip\": 167772161}");
}

static void test_ipv6(void **state) {
    (void)state;
    const char *p = CIDR("2001:db8::/32");
    MATCH(p, IP("2001:db8::1"));
    MATCH(p, IP("2001:0db8:0000:0000:0000:0000:0000:ffff"));
    MATCH(p, IP("2001:DB8:ffff::"));
    MATCH(p, IP("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
    NO_MATCH(p, IP("2001:db9::1"));
    NO_MATCH(p, IP("2001:db7:ffff::"));
    NO_MATCH(p, IP("10.0.0.1"));
    NO_MATCH(p, IP("2001:db8::g"));
    const char *q = CIDR("fe80::/10");
    MATCH(q, IP("fe80::1"));
    MATCH(q, IP("febf:ffff::"));
    NO_MATCH(q, IP("fec0::"));
}

static void test_ipv4_block_and_ipv6_value(void **state) {
    (void)state;
    NO_MATCH(CIDR("10.0.0.0/8"), IP("2001:db8::1"));
}

static void test_in_arrays_and_lists(void **state) {
    (void)state;
    const char *p = "{\"ip\": [{\"cidr\": \"10.0.0.0/8\"}, {\"cidr\": \"192.168.0.0/16\"}]}";
    MATCH(p, IP("192.168.5.5"));
    MATCH(p, IP("10.1.1.1"));
    NO_MATCH(p, IP("172.16.0.1"));
    MATCH(p, "{\"ip\": [\"172.16.0.1\", \"10.9.9.9\"]}");
    NO_MATCH(p, "{\"ip\": [\"172.16.0.1\", \"8.8.8.8\"]}");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv4_prefix_lengths),
        cmocka_unit_test(test_not_an_address),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_ipv4_block_and_ipv6_value),
        cmocka_unit_test(test_in_arrays_and_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
