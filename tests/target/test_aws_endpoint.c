/* test_aws_endpoint.c - endpoints, queue URLs and SigV4 parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "target/aws_endpoint.h"

static void endpoints(void **state) {
    (void)state;
    char out[256];
    sb_error err = {0};
    assert_int_equal(sb_aws_endpoint("sqs", "eu-west-1", NULL, out, sizeof out, &err), SB_OK);
    assert_string_equal(out, "https://sqs.eu-west-1.amazonaws.com/");
    assert_int_equal(sb_aws_endpoint("sns", "cn-north-1", "", out, sizeof out, &err), SB_OK);
    assert_string_equal(out, "https://sns.cn-north-1.amazonaws.com.cn/");
    assert_int_equal(sb_aws_endpoint("sqs", "x", "http://127.0.0.1:4566", out, sizeof out, &err),
                     SB_OK);
    assert_string_equal(out, "http://127.0.0.1:4566/");
    assert_int_equal(sb_aws_endpoint("sqs", "x", "https://h/p/", out, sizeof out, &err), SB_OK);
    assert_string_equal(out, "https://h/p/");
    assert_int_equal(sb_aws_endpoint("sqs", "x", "ftp://h", out, sizeof out, &err), SB_EINVAL);
    assert_non_null(strstr(err.msg, "not an http:// or https:// URL"));
    assert_int_equal(sb_aws_endpoint("sqs", "x", "http://", out, sizeof out, &err), SB_EINVAL);
    assert_int_equal(sb_aws_endpoint("sqs", "x", "http://h/?a=1", out, sizeof out, &err),
                     SB_EINVAL);
    assert_int_equal(sb_aws_endpoint("sqs", "eu-west-1", NULL, out, 10, &err), SB_EINVAL);
}

static void queue_urls(void **state) {
    (void)state;
    char out[256];
    assert_int_equal(sb_aws_sqs_queue_url("us-east-1", "123456789012", "q.fifo", out, sizeof out),
                     SB_OK);
    assert_string_equal(out, "https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo");
    assert_int_equal(
        sb_aws_url_origin("http://sqs.us-east-1.localhost:4566/000000000000/q", out, sizeof out),
        SB_OK);
    assert_string_equal(out, "http://sqs.us-east-1.localhost:4566/");
    assert_int_equal(sb_aws_url_origin("no-scheme", out, sizeof out), SB_EINVAL);
    sb_aws_sigv4_param("eu-central-1", "sns", out, sizeof out);
    assert_string_equal(out, "aws:amz:eu-central-1:sns");
    assert_true(sb_aws_is_fifo("orders.fifo"));
    assert_false(sb_aws_is_fifo(".fifo"));
    assert_false(sb_aws_is_fifo("orders"));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(endpoints), cmocka_unit_test(queue_urls)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
