/* test_aws_keys.c - credentials out of the shared files' INI text and the container endpoint's
 * JSON, and ISO 8601 times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "target/aws_keys.h"

static int ini(const char *text, const char *profile, bool config, sb_aws_keys *k) {
    sb_error err = {0};
    return sb_aws_keys_from_ini(text, strlen(text), profile, config, k, &err);
}

static void credentials_file_profiles(void **state) {
    (void)state;
    const char *text = "# comment\n[default]\naws_access_key_id = AKID1\r\n"
                       "aws_secret_access_key=s1 \n\n[ops]\n ; another\n"
                       "aws_access_key_id\t=\tAKID2\naws_secret_access_key = s2=with=equals\n"
                       "aws_session_token = tok\nregion = eu-west-1\n";
    sb_aws_keys k;
    assert_int_equal(ini(text, "default", false, &k), SB_OK);
    assert_string_equal(k.access_key_id, "AKID1");
    assert_string_equal(k.secret_access_key, "s1");
    assert_null(k.session_token);
    sb_aws_keys_clear(&k);
    assert_int_equal(ini(text, "ops", false, &k), SB_OK);
    assert_string_equal(k.access_key_id, "AKID2");
    assert_string_equal(k.secret_access_key, "s2=with=equals");
    assert_string_equal(k.session_token, "tok");
    sb_aws_keys_clear(&k);
    assert_null(k.access_key_id);
    assert_int_equal(ini(text, "missing", false, &k), SB_ENOTFOUND);
    /* in a credentials file "[profile ops]" is a profile named "profile ops" */
    assert_int_equal(
        ini("[profile ops]\naws_access_key_id=A\naws_secret_access_key=B\n", "ops", false, &k),
        SB_ENOTFOUND);
}

static void config_file_profiles(void **state) {
    (void)state;
    const char *text = "[default]\naws_access_key_id=D\naws_secret_access_key=DS\n"
                       "[profile  ops ]\naws_access_key_id=O\naws_secret_access_key=OS\n"
                       "[ops]\naws_access_key_id=WRONG\naws_secret_access_key=WRONG\n";
    sb_aws_keys k;
    assert_int_equal(ini(text, "ops", true, &k), SB_OK);
    assert_string_equal(k.access_key_id, "O");
    sb_aws_keys_clear(&k);
    assert_int_equal(ini(text, "default", true, &k), SB_OK);
    assert_string_equal(k.secret_access_key, "DS");
    sb_aws_keys_clear(&k);
}

static void key_without_secret(void **state) {
    (void)state;
    sb_aws_keys k;
    sb_error err = {0};
    const char *text = "[x]\naws_access_key_id=A\n";
    assert_int_equal(sb_aws_keys_from_ini(text, strlen(text), "x", false, &k, &err), SB_EINVAL);
    assert_non_null(strstr(err.msg, "profile x has aws_access_key_id but no"));
    assert_null(k.access_key_id);
    assert_int_equal(ini("[x]\nregion=a\n", "x", false, &k), SB_ENOTFOUND);
}

static void container_json(void **state) {
    (void)state;
    const char *j = "{\"AccessKeyId\":\"ASIA1\",\"SecretAccessKey\":\"sec\",\"Token\":\"tok\","
                    "\"Expiration\":\"2024-05-01T12:00:00Z\",\"RoleArn\":\"x\"}";
    sb_aws_keys k;
    sb_error err = {0};
    assert_int_equal(sb_aws_keys_from_json(j, strlen(j), &k, &err), SB_OK);
    assert_string_equal(k.access_key_id, "ASIA1");
    assert_string_equal(k.secret_access_key, "sec");
    assert_string_equal(k.session_token, "tok");
    assert_int_equal((long long)k.expires, 1714564800LL);
    sb_aws_keys_clear(&k);
    const char *bad[] = {"[]", "{\"AccessKeyId\":\"A\"}",
                         "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":"
                         "\"s\",\"Expiration\":\"soon\"}",
                         "not json"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sb_aws_keys_from_json(bad[i], strlen(bad[i]), &k, &err), SB_EINVAL);
        assert_null(strstr(err.msg, "\"s\""));
    }
}

static void times(void **state) {
    (void)state;
    time_t t;
    assert_int_equal(sb_aws_parse_time("1970-01-01T00:00:00Z", &t), SB_OK);
    assert_int_equal((long long)t, 0);
    assert_int_equal(sb_aws_parse_time("2000-02-29T23:59:59.123Z", &t), SB_OK);
    assert_int_equal((long long)t, 951868799LL);
    assert_int_equal(sb_aws_parse_time("2038-01-19T03:14:08+00:00", &t), SB_OK);
    assert_int_equal((long long)t, 2147483648LL);
    assert_int_equal(sb_aws_parse_time("2024-13-01T00:00:00Z", &t), SB_EINVAL);
    assert_int_equal(sb_aws_parse_time("2024-01-01 00:00:00Z", &t), SB_EINVAL);
    assert_int_equal(sb_aws_parse_time("2024-01-01T00:00:00+02:00", &t), SB_EINVAL);
}

static void copy(void **state) {
    (void)state;
    sb_aws_keys a = {"id", "secret", NULL, 5}, b = {0};
    assert_int_equal(sb_aws_keys_copy(&b, &a), SB_OK);
    assert_string_equal(b.secret_access_key, "secret");
    assert_null(b.session_token);
    assert_int_equal((long)b.expires, 5);
    sb_aws_keys_clear(&b);
    sb_aws_keys_clear(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(credentials_file_profiles),
        cmocka_unit_test(config_file_profiles),
        cmocka_unit_test(key_without_secret),
        cmocka_unit_test(container_json),
        cmocka_unit_test(times),
        cmocka_unit_test(copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
