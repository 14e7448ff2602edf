/* test_aws_xml.c - elements and text out of SNS answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "target/aws_xml.h"

static const char batch[] =
    "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
    "  <PublishBatchResult>\n"
    "    <Successful><member><Id>0</Id><MessageId>m0</MessageId></member>"
    "<member><Id>2</Id><MessageId>m2</MessageId></member></Successful>\n"
    "    <Failed><member><Id>1</Id><Code>InvalidParameter</Code><Message>a &lt;b&gt; &#233;"
    "&#x263A; &bogus; &amp;</Message><SenderFault>true</SenderFault></member></Failed>\n"
    "  </PublishBatchResult>\n"
    "</PublishBatchResponse>";

static void members(void **state) {
    (void)state;
    sb_xml_span all = {batch, batch + strlen(batch)}, list, m, v;
    char text[64];
    assert_true(sb_xml_find(all, "Successful", &list));
    int n = 0;
    while (sb_xml_next(&list, "member", &m)) {
        assert_true(sb_xml_find(m, "Id", &v));
        sb_xml_text(v, text, sizeof text);
        assert_string_equal(text, n == 0 ? "0" : "2");
        n++;
    }
    assert_int_equal(n, 2);
    assert_true(sb_xml_find(all, "Failed", &list));
    assert_true(sb_xml_next(&list, "member", &m));
    assert_true(sb_xml_find(m, "Message", &v));
    sb_xml_text(v, text, sizeof text);
    assert_string_equal(text, "a <b> \xc3\xa9\xe2\x98\xba &bogus; &");
    assert_false(sb_xml_next(&list, "member", &m));
}

static void names_and_limits(void **state) {
    (void)state;
    const char *x = "<Codes>no</Codes><Code/><Code>late</Code>";
    sb_xml_span all = {x, x + strlen(x)}, v;
    assert_true(sb_xml_find(all, "Code", &v));
    assert_true(v.s == v.e); /* <Code/>, not <Codes> */
    assert_false(sb_xml_find(all, "Missing", &v));
    const char *open = "<Code>never closed";
    sb_xml_span o = {open, open + strlen(open)};
    assert_false(sb_xml_find(o, "Code", &v));
    char small[4];
    sb_xml_span t = {"abcdef", "abcdef" + 6};
    assert_int_equal(sb_xml_text(t, small, sizeof small), 3);
    assert_string_equal(small, "abc");
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(members),
                                       cmocka_unit_test(names_and_limits)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
