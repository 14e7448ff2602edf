/* test_aws_error.c - error codes out of SQS (JSON) and SNS (XML) answers, and the one
 * classification of answers into OK, RETRY and FAIL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "target/aws_error.h"

static void parse(const char *body, sb_aws_error *e) {
    sb_aws_error_parse(body, strlen(body), e);
}

static void json_answers(void **state) {
    (void)state;
    sb_aws_error e;
    parse("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue "
          "does not exist.\"}",
          &e);
    assert_string_equal(e.code, "QueueDoesNotExist");
    assert_string_equal(e.message, "The specified queue does not exist.");
    parse(" {\"code\":\"AccessDenied\",\"Message\":\"no\"}", &e);
    assert_string_equal(e.code, "AccessDenied");
    assert_string_equal(e.message, "no");
    parse("{\"__type\":\"ThrottlingException:http://internal.amazon.com/\"}", &e);
    assert_string_equal(e.code, "ThrottlingException");
    assert_string_equal(e.message, "");
    parse("{broken", &e);
    assert_string_equal(e.code, "");
    parse("", &e);
    assert_string_equal(e.code, "");
}

static void xml_answers(void **state) {
    (void)state;
    sb_aws_error e;
    parse("<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/"
          "2010-03-31/\"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not "
          "exist &amp; never did</Message></Error><RequestId>r</RequestId></ErrorResponse>",
          &e);
    assert_string_equal(e.code, "NotFound");
    assert_string_equal(e.message, "Topic does not exist & never did");
}

static void classify(void **state) {
    (void)state;
    assert_int_equal(sb_aws_classify(200, ""), SB_SEND_OK);
    assert_int_equal(sb_aws_classify(0, ""), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(500, "InternalError"), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(503, ""), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(429, ""), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(400, "ThrottlingException"), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(400, "Throttling"), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(400, "RequestThrottled"), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(403, "ExpiredToken"), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify(400, "QueueDoesNotExist"), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify(404, "NotFound"), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify(403, "AccessDenied"), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify(403, "AuthorizationError"), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify(400, "InvalidParameterValue"), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify(403, "SignatureDoesNotMatch"), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify(400, ""), SB_SEND_FAIL);
    assert_true(sb_aws_expired_credentials("ExpiredTokenException"));
    assert_false(sb_aws_expired_credentials("AccessDenied"));
}

static void classify_entries(void **state) {
    (void)state;
    assert_int_equal(sb_aws_classify_entry("InternalError", false), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify_entry("Whatever", false), SB_SEND_RETRY);
    assert_int_equal(sb_aws_classify_entry("InvalidMessageContents", true), SB_SEND_FAIL);
    assert_int_equal(sb_aws_classify_entry("KMS.ThrottlingException", true), SB_SEND_RETRY);
}

static void codes(void **state) {
    (void)state;
    char out[16];
    sb_aws_error_code("com.amazonaws.sqs#A", 19, out, sizeof out);
    assert_string_equal(out, "A");
    sb_aws_error_code("AVeryLongErrorCodeThatIsCut", 27, out, sizeof out);
    assert_string_equal(out, "AVeryLongErrorC");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_answers), cmocka_unit_test(xml_answers),
        cmocka_unit_test(classify),     cmocka_unit_test(classify_entries),
        cmocka_unit_test(codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
