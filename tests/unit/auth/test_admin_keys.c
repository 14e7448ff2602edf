/* test_admin_keys.c - auth/auth.h: admin keys. They open the admin paths and send no events;
 * ingest keys send events and do not open the admin paths; the auth file's mistakes around
 * them (an `admin` field on an ingest key, buses or a rate on an admin key) are refused with
 * file:line:column; a file of admin keys only protects the admin paths alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"

/* printf %s k-admin-789 | sha256sum, and k-orders-123 */
#define ADMIN_HASH "9130f1cb7c657f8b30571e3bee89d69bedb14083c39e8b520d71a02f9b4b206d"
#define ORDERS_HASH "172b0cb2e94e28563fdc2bb9e22b336adbe8d5782ec7f825aac88667d6cb0ca7"

static char dir[] = "/tmp/sb-auth-test-XXXXXX";

/* Writes the auth file text and returns its path (static: one at a time). */
static const char *write_auth(const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/auth.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text and expects an error whose message ends with want (after the folder). */
static void load_fails(const char *text, const char *want) {
    sb_error err = {0};
    sb_auth *a = sb_auth_load(write_auth(text), &err);
    assert_null(a);
    const char *msg = strstr(err.msg, "auth.yaml");
    if (!msg || strcmp(msg, want) != 0)
        fail_msg("got \"%s\"\nwant \"...%s\"", err.msg, want);
}

/* The headers of a request: name, value pairs ending with NULL. */
static const char *header(void *arg, const char *name) {
    const char *const *h = arg;
    for (size_t i = 0; h[i]; i += 2)
        if (strcasecmp(h[i], name) == 0)
            return h[i + 1];
    return NULL;
}

static sb_auth_request request(const char *const *headers) {
    sb_auth_request r = {.method = "GET",
                         .path = "/metrics",
                         .query = "",
                         .header = header,
                         .header_arg = (void *)headers,
                         .body = "",
                         .now = 0};
    return r;
}

static const char *const file = "api_keys:\n"
                                "  - name: orders\n"
                                "    sha256: " ORDERS_HASH "\n"
                                "admin_keys:\n"
                                "  - name: prometheus\n"
                                "    sha256: " ADMIN_HASH "\n";

static void test_admin_paths(void **state) {
    (void)state;
    sb_error err = {0};
    sb_auth *a = sb_auth_load(write_auth(file), &err);
    if (!a)
        fail_msg("load: %s", err.msg);
    assert_true(sb_auth_has_admin_keys(a));
    int status = 0;
    char why[300];

    const char *admin_bearer[] = {"Authorization", "Bearer k-admin-789", NULL};
    sb_auth_request r = request(admin_bearer);
    assert_true(sb_auth_admin(a, &r, &status, why, sizeof why));
    const char *admin_header[] = {"X-Api-Key", "k-admin-789", NULL};
    r = request(admin_header);
    assert_true(sb_auth_admin(a, &r, &status, why, sizeof why));

    const char *none[] = {NULL};
    r = request(none);
    assert_false(sb_auth_admin(a, &r, &status, why, sizeof why));
    assert_int_equal(status, 401);
    assert_non_null(strstr(why, "an admin key"));

    const char *wrong[] = {"X-Api-Key", "k-admin-78", NULL};
    r = request(wrong);
    assert_false(sb_auth_admin(a, &r, &status, why, sizeof why));
    assert_int_equal(status, 401);
    assert_string_equal(why, "the admin key is not valid");

    const char *ingest[] = {"Authorization", "Bearer k-orders-123", NULL};
    r = request(ingest);
    assert_false(sb_auth_admin(a, &r, &status, why, sizeof why));
    assert_int_equal(status, 403);
    assert_string_equal(
        why, "orders sends events and does not open the admin paths: use a key of admin_keys");

    /* the admin paths take no signature: a SigV4 header is no admin key */
    const char *signed_[] = {"Authorization",
                             "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/events/"
                             "aws4_request, SignedHeaders=host, Signature=00",
                             NULL};
    r = request(signed_);
    assert_false(sb_auth_admin(a, &r, &status, why, sizeof why));
    assert_int_equal(status, 401);
    sb_auth_free(a);
}

static void test_admin_key_sends_nothing(void **state) {
    (void)state;
    sb_error err = {0};
    sb_auth *a = sb_auth_load(write_auth(file), &err);
    assert_non_null(a);
    int status = 0;
    char why[300];
    const char *admin[] = {"X-Api-Key", "k-admin-789", NULL};
    sb_auth_request r = request(admin);
    r.method = "POST";
    r.path = "/events";
    assert_null(sb_auth_identify(a, &r, &status, why, sizeof why));
    assert_int_equal(status, 403);
    assert_string_equal(why,
                        "prometheus is an admin key: it opens the admin paths and sends no events");
    const char *ingest[] = {"X-Api-Key", "k-orders-123", NULL};
    r = request(ingest);
    sb_principal *p = sb_auth_identify(a, &r, &status, why, sizeof why);
    assert_non_null(p);
    assert_string_equal(sb_principal_name(p), "orders");
    assert_true(sb_principal_allows(p, "default"));
    sb_auth_free(a);
}

static void test_no_admin_keys(void **state) {
    (void)state;
    sb_error err = {0};
    sb_auth *a = sb_auth_load(write_auth("api_keys:\n"
                                         "  - name: orders\n"
                                         "    sha256: " ORDERS_HASH "\n"),
                              &err);
    assert_non_null(a);
    assert_true(sb_auth_has_ingest_keys(a));
    assert_false(sb_auth_has_admin_keys(a));
    sb_auth_free(a);
}

/* A file of admin keys only protects the admin paths and leaves ingest as without a file (serve
 * applies the loopback rule to it). */
static void test_admin_keys_only(void **state) {
    (void)state;
    sb_error err = {0};
    sb_auth *a = sb_auth_load(write_auth("admin_keys:\n"
                                         "  - name: prometheus\n"
                                         "    sha256: " ADMIN_HASH "\n"),
                              &err);
    assert_non_null(a);
    assert_false(sb_auth_has_ingest_keys(a));
    assert_true(sb_auth_has_admin_keys(a));
    int status = 0;
    char why[300];
    const char *admin[] = {"Authorization", "Bearer k-admin-789", NULL};
    sb_auth_request r = request(admin);
    assert_true(sb_auth_admin(a, &r, &status, why, sizeof why));
    sb_auth_free(a);
}

static void test_file_errors(void **state) {
    (void)state;
    load_fails("api_keys:\n"
               "  - name: orders\n"
               "    sha256: " ORDERS_HASH "\n"
               "    admin: true\n",
               "auth.yaml:4:12: a key of api_keys or access_keys sends events only: list a key "
               "for the admin paths under admin_keys");
    load_fails("api_keys:\n"
               "  - name: orders\n"
               "    sha256: " ORDERS_HASH "\n"
               "admin_keys:\n"
               "  - name: prometheus\n"
               "    sha256: " ADMIN_HASH "\n"
               "    buses: [default]\n",
               "auth.yaml:7:12: an admin key has a name and a sha256 only (it sends no events), "
               "not buses");
    load_fails("api_keys:\n"
               "  - name: orders\n"
               "    sha256: " ORDERS_HASH "\n"
               "admin_keys:\n"
               "  - sha256: " ADMIN_HASH "\n",
               "auth.yaml:5:5: an admin key needs a name");
    load_fails("api_keys:\n"
               "  - name: orders\n"
               "    sha256: " ORDERS_HASH "\n"
               "admin_keys:\n"
               "  - name: prometheus\n"
               "    sha256: nothex\n",
               "auth.yaml:6:13: an API key needs sha256: the key's SHA-256 in 64 hex digits "
               "(printf %s KEY | sha256sum)");
    load_fails("admin_keys: {name: prometheus}\n",
               "auth.yaml:1:13: api_keys, access_keys and admin_keys are lists");
    load_fails("api_keys: []\nadmin_keys: []\n",
               "auth.yaml names no key (api_keys, access_keys, admin_keys): it would protect "
               "nothing");
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/auth.yaml", dir);
    unlink(path);
    return rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_paths),   cmocka_unit_test(test_admin_key_sends_nothing),
        cmocka_unit_test(test_no_admin_keys), cmocka_unit_test(test_admin_keys_only),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
