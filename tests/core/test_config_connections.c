/* test_config_connections.c - the config file's `connections` (core/config.h): the types,
 * secrets inline, from files and from variables, TLS files, their redaction in dumps and errors,
 * and every error with its file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"

static char dir[] = "/tmp/sb-conn-test-XXXXXX";

static const char *write_file(const char *name, const char *text) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads config text (as name) with env; returns the code, the message in err. */
static int load(sb_config *c, const char *name, const char *text, char **env, sb_error *err) {
    char *argv[] = {"--config", (char *)write_file(name, text), NULL};
    return sb_config_load(c, 2, argv, env, err);
}

static void test_three_types(void **state) {
    (void)state;
    sb_config c;
    sb_error err = {0};
    const char *text = "connections:\n"
                       "  key: { type: api-key, header: X-Api-Key, value: s3cret-key }\n"
                       "  basic: { type: basic, username: ann, password: 777555 }\n"
                       "  oauth:\n"
                       "    type: oauth-client-credentials\n"
                       "    token-url: https://id.example/token\n"
                       "    client-id: cid\n"
                       "    client-secret: csecret\n"
                       "    scope: events.write\n"
                       "    params: { audience: https://api.example, resource: r1 }\n"
                       "  bare:\n"
                       "    type: oauth-client-credentials\n"
                       "    token-url: http://127.0.0.1:9/token\n"
                       "    client-id: c2\n"
                       "    client-secret: s2\n";
    if (load(&c, "c.yaml", text, NULL, &err) != SB_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.nconnections, 4);
    const sb_connection *k = sb_config_connection(&c, "key");
    assert_non_null(k);
    assert_string_equal(k->type, "api-key");
    assert_string_equal(k->header, "X-Api-Key");
    assert_string_equal(k->value, "s3cret-key");
    assert_null(k->username);
    const sb_connection *b = sb_config_connection(&c, "basic");
    assert_string_equal(b->type, "basic");
    assert_string_equal(b->username, "ann");
    assert_string_equal(b->password, "777555"); /* a YAML number keeps its spelling */
    const sb_connection *o = sb_config_connection(&c, "oauth");
    assert_string_equal(o->type, "oauth-client-credentials");
    assert_string_equal(o->token_url, "https://id.example/token");
    assert_string_equal(o->client_id, "cid");
    assert_string_equal(o->client_secret, "csecret");
    assert_string_equal(o->scope, "events.write");
    assert_int_equal(o->nparams, 2);
    assert_string_equal(o->params[0].name, "audience");
    assert_string_equal(o->params[0].value, "https://api.example");
    assert_string_equal(o->params[1].name, "resource");
    assert_string_equal(o->params[1].value, "r1");
    const sb_connection *bare = sb_config_connection(&c, "bare");
    assert_null(bare->scope);
    assert_int_equal(bare->nparams, 0);
    assert_null(sb_config_connection(&c, "nope"));

    sb_buf d;
    sb_buf_init(&d);
    sb_config_dump(&c, &d);
    const char *want =
        "\"connections\":{"
        "\"key\":{\"type\":\"api-key\",\"header\":\"X-Api-Key\",\"value\":\"***\"},"
        "\"basic\":{\"type\":\"basic\",\"username\":\"ann\",\"password\":\"***\"},"
        "\"oauth\":{\"type\":\"oauth-client-credentials\",\"token-url\":\"https://id.example/"
        "token\",\"client-id\":\"cid\",\"client-secret\":\"***\",\"scope\":\"events.write\","
        "\"params\":{\"audience\":\"***\",\"resource\":\"***\"}},"
        "\"bare\":{\"type\":\"oauth-client-credentials\",\"token-url\":\"http://127.0.0.1:9/"
        "token\",\"client-id\":\"c2\",\"client-secret\":\"***\"}}}";
    const char *at = strstr(d.data, "\"connections\":");
    assert_non_null(at);
    assert_string_equal(at, want);
    const char *secrets[] = {"s3cret-key", "777555", "csecret", "s2", "api.example", "r1"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(d.data, secrets[i]))
            fail_msg("the dump shows %s: %s", secrets[i], d.data);
    sb_buf_free(&d);
    sb_config_free(&c);
}

static void test_secret_sources(void **state) {
    (void)state;
    write_file("key.txt", "from-file\n");
    write_file("pw.txt", "crlf-pw\r\n");
    char abs[300];
    snprintf(abs, sizeof abs, "%s/key.txt", dir);
    char text[1200];
    snprintf(text, sizeof text,
             "connections:\n"
             "  a: { type: api-key, header: Authorization, value-file: key.txt }\n"
             "  b: { type: basic, username: u, password-file: pw.txt }\n"
             "  c: { type: oauth-client-credentials, token-url: 'https://t', client-id: i,\n"
             "       client-secret-env: SIGNALBOX_OAUTH_SECRET }\n"
             "  d: { type: api-key, header: X-K, value-env: MY_KEY }\n"
             "  e: { type: api-key, header: X-K, value-file: '%s' }\n",
             abs);
    char *env[] = {"MY_KEY=from-env", "SIGNALBOX_OAUTH_SECRET=oauth-env", NULL};
    sb_config c;
    sb_error err = {0};
    if (load(&c, "s.yaml", text, env, &err) != SB_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(sb_config_connection(&c, "a")->value, "from-file");
    assert_string_equal(sb_config_connection(&c, "b")->password, "crlf-pw");
    /* a SIGNALBOX_ variable that the file names is a secret, not an unknown setting */
    assert_string_equal(sb_config_connection(&c, "c")->client_secret, "oauth-env");
    assert_string_equal(sb_config_connection(&c, "d")->value, "from-env");
    assert_string_equal(sb_config_connection(&c, "e")->value, "from-file");
    sb_config_free(&c);
}

/* Loads text and expects "<path>:<want>", and no secret ("TOPSECRET") in the message. */
static void fails(const char *text, char **env, const char *want) {
    sb_config c;
    sb_error err = {0};
    int rc = load(&c, "e.yaml", text, env, &err);
    sb_config_free(&c);
    char full[700];
    snprintf(full, sizeof full, "%s/e.yaml:%s", dir, want);
    if (rc != SB_EINVAL || strcmp(err.msg, full) != 0)
        fail_msg("got %d \"%s\"\nwant \"%s\"", rc, err.msg, full);
    if (strstr(err.msg, "TOPSECRET"))
        fail_msg("the message shows a secret: %s", err.msg);
}

static void test_errors(void **state) {
    (void)state;
    fails("connections: [a]\n", NULL, "1:14: connections must be a mapping of names");
    fails("connections:\n  k: 5\n", NULL, "2:6: connection k: must be a mapping with a type");
    fails("connections:\n  'bad name': {type: basic}\n", NULL,
          "2:3: connection name \"bad name\": use 1-64 letters, digits, '.', '_', '-'");
    fails("connections:\n  k: {header: X, value: TOPSECRET}\n", NULL,
          "2:3: connection k: type is missing (api-key, basic, oauth-client-credentials, or none "
          "for tls only)");
    fails("connections:\n  k: {type: bearer, value: TOPSECRET}\n", NULL,
          "2:13: connection k: type must be api-key, basic, oauth-client-credentials or none");
    fails("connections:\n  k: {type: api-key, header: X, value: TOPSECRET, username: u}\n", NULL,
          "2:51: connection k: unknown field \"username\" for type api-key");
    fails("connections:\n  k: {type: api-key, header: X, password-file: f}\n", NULL,
          "2:33: connection k: unknown field \"password-file\" for type api-key");
    fails("connections:\n  k: {type: api-key, value: TOPSECRET}\n", NULL,
          "2:3: connection k: header is missing");
    fails("connections:\n  k: {type: basic, username: u}\n", NULL,
          "2:3: connection k: password is missing");
    fails("connections:\n  k: {type: oauth-client-credentials, token-url: 'https://t', "
          "client-secret: TOPSECRET}\n",
          NULL, "2:3: connection k: client-id is missing");
    fails("connections:\n  k: {type: api-key, header: X, value: TOPSECRET, value-env: V}\n", NULL,
          "2:51: connection k: give only one of value, value-file and value-env");
    fails("connections:\n  k: {type: api-key, header: X, value-env: NOPE}\n", NULL,
          "2:44: connection k: value-env: the environment variable NOPE is not set");
    char *env[] = {"EMPTY=", NULL};
    fails("connections:\n  k: {type: api-key, header: X, value-env: EMPTY}\n", env,
          "2:44: connection k: value-env: the environment variable EMPTY is empty");
    char missing[400];
    snprintf(missing, sizeof missing,
             "2:45: connection k: value-file: cannot read %s/none.txt: No such file or directory",
             dir);
    fails("connections:\n  k: {type: api-key, header: X, value-file: none.txt}\n", NULL, missing);
    write_file("empty.txt", "\n");
    char empty[400];
    snprintf(empty, sizeof empty, "2:45: connection k: value-file: %s/empty.txt is empty", dir);
    fails("connections:\n  k: {type: api-key, header: X, value-file: empty.txt}\n", NULL, empty);
    fails("connections:\n  k: {type: api-key, header: X Api, value: TOPSECRET}\n", NULL,
          "2:30: connection k: header \"X Api\" is not a header name");
    fails("connections:\n  k: {type: api-key, header: X, value: \"TOP\\nSECRET\"}\n", NULL,
          "2:40: connection k: value contains a line break");
    fails("connections:\n  k: {type: api-key, header: X, value: ''}\n", NULL,
          "2:40: connection k: value is empty");
    fails("connections:\n  k: {type: api-key, header: X, value: [TOPSECRET]}\n", NULL,
          "2:40: connection k: value takes a string, not an array");
    fails("connections:\n  k: {type: basic, username: 'a:b', password: TOPSECRET}\n", NULL,
          "2:30: connection k: a basic-auth username cannot contain ':'");
    fails("connections:\n  k: {type: oauth-client-credentials, token-url: ftp://t, client-id: i, "
          "client-secret: TOPSECRET}\n",
          NULL, "2:50: connection k: token-url must be an http:// or https:// URL");
    fails("connections:\n  k: {type: oauth-client-credentials, token-url: 'https://t', client-id: "
          "i, client-secret: TOPSECRET, params: [a]}\n",
          NULL, "2:111: connection k: params must be a mapping");
    fails("connections:\n  k: {type: oauth-client-credentials, token-url: 'https://t', client-id: "
          "i, client-secret: TOPSECRET, params: {a: {b: TOPSECRET}}}\n",
          NULL, "2:115: connection k: parameter a takes a string, not a mapping");
    fails("connections:\n  k: {type: basic, username: u, password: TOPSECRET, params: {a: b}}\n",
          NULL, "2:54: connection k: unknown field \"params\" for type basic");
    /* an unnamed SIGNALBOX_ variable is still an error */
    char *env2[] = {"SIGNALBOX_OTHER=1", "SIGNALBOX_K=v", NULL};
    sb_config c;
    sb_error err = {0};
    assert_int_equal(load(&c, "ok.yaml",
                          "connections:\n  k: {type: api-key, header: X, value-env: SIGNALBOX_K}\n",
                          env2, &err),
                     SB_EINVAL);
    assert_string_equal(err.msg, "unknown environment variable SIGNALBOX_OTHER (see --help)");
    sb_config_free(&c);
}

/* A CA (ca.pem), a client certificate (c.pem) with its key (k.pem) and the same key encrypted
 * with the password TOPSECRET (enc.key), and another key (k2.pem). */
static int make_pki(void) {
    char cmd[2000];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && exec >/dev/null 2>&1 && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
             "-subj /CN=ca -keyout ca.key -out ca.pem && "
             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=c "
             "-keyout k.pem -out c.csr && "
             "openssl x509 -req -in c.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
             "-out c.pem && "
             "openssl pkey -in k.pem -aes256 -passout pass:TOPSECRET -out enc.key && "
             "openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out k2.pem",
             dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_tls(void **state) {
    (void)state;
    write_file("kpw.txt", "TOPSECRET\n");
    const char *text = "connections:\n"
                       "  a:\n"
                       "    type: api-key\n"
                       "    header: X-Api-Key\n"
                       "    value: v\n"
                       "    tls: {ca-file: ca.pem, client-cert: c.pem, client-key: k.pem}\n"
                       "  b:\n"
                       "    type: none\n"
                       "    tls: {client-cert: c.pem, client-key: enc.key,\n"
                       "          client-key-password-file: kpw.txt}\n"
                       "  c: {type: none, tls: {ca-file: ca.pem}}\n"
                       "  d: {type: none, tls: {client-cert: c.pem, client-key: enc.key,\n"
                       "                        client-key-password-env: SIGNALBOX_KEY_PW}}\n"
                       "  e: {type: basic, username: u, password: p}\n";
    char *env[] = {"SIGNALBOX_KEY_PW=TOPSECRET", NULL};
    sb_config c;
    sb_error err = {0};
    if (load(&c, "t.yaml", text, env, &err) != SB_OK)
        fail_msg("%s", err.msg);
    char ca[300], cert[300], key[300], enc[300];
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    snprintf(cert, sizeof cert, "%s/c.pem", dir);
    snprintf(key, sizeof key, "%s/k.pem", dir);
    snprintf(enc, sizeof enc, "%s/enc.key", dir);
    const sb_connection *a = sb_config_connection(&c, "a");
    assert_string_equal(a->value, "v");
    assert_string_equal(a->tls_ca_file, ca); /* relative paths: from the config file's folder */
    assert_string_equal(a->tls_client_cert, cert);
    assert_string_equal(a->tls_client_key, key);
    assert_null(a->tls_key_password);
    const sb_connection *b = sb_config_connection(&c, "b");
    assert_string_equal(b->type, "none");
    assert_null(b->tls_ca_file);
    assert_string_equal(b->tls_client_key, enc);
    assert_string_equal(b->tls_key_password, "TOPSECRET");
    const sb_connection *k = sb_config_connection(&c, "c");
    assert_string_equal(k->tls_ca_file, ca);
    assert_null(k->tls_client_cert);
    assert_string_equal(sb_config_connection(&c, "d")->tls_key_password, "TOPSECRET");
    const sb_connection *e = sb_config_connection(&c, "e");
    assert_null(e->tls_ca_file);
    assert_null(e->tls_client_cert);

    sb_buf d;
    sb_buf_init(&d);
    sb_config_dump(&c, &d);
    char want[2500];
    snprintf(want, sizeof want,
             "\"a\":{\"type\":\"api-key\",\"header\":\"X-Api-Key\",\"value\":\"***\","
             "\"tls\":{\"ca-file\":\"%s\",\"client-cert\":\"%s\",\"client-key\":\"%s\"}},"
             "\"b\":{\"type\":\"none\",\"tls\":{\"client-cert\":\"%s\",\"client-key\":\"%s\","
             "\"client-key-password\":\"***\"}},"
             "\"c\":{\"type\":\"none\",\"tls\":{\"ca-file\":\"%s\"}},",
             ca, cert, key, cert, enc, ca);
    if (!strstr(d.data, want))
        fail_msg("the dump: %s\nwant in it: %s", d.data, want);
    if (strstr(d.data, "TOPSECRET"))
        fail_msg("the dump shows the key's password: %s", d.data);
    sb_buf_free(&d);
    sb_config_free(&c);
}

static void test_tls_errors(void **state) {
    (void)state;
    char want[600];
    fails("connections:\n  k: {type: none}\n", NULL,
          "2:13: connection k: type none needs tls (it gives no credentials)");
    fails("connections:\n  k: {type: none, tls: [ca.pem]}\n", NULL,
          "2:24: connection k: tls must be a mapping of ca-file, client-cert, client-key, "
          "client-key-password-file or client-key-password-env");
    fails("connections:\n  k: {type: none, tls: {}}\n", NULL,
          "2:24: connection k: tls must be a mapping of ca-file, client-cert, client-key, "
          "client-key-password-file or client-key-password-env");
    fails("connections:\n  k: {type: none, tls: {ca: ca.pem}}\n", NULL,
          "2:25: connection k: tls: unknown field \"ca\" (ca-file, client-cert, client-key, "
          "client-key-password-file, client-key-password-env)");
    fails("connections:\n  k: {type: none, tls: {ca-file: 5}}\n", NULL,
          "2:34: connection k: tls: ca-file takes a file name");
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem, client-key: enc.key, "
          "client-key-password: TOPSECRET}}\n",
          NULL,
          "2:66: connection k: tls: client-key-password is never inline: give "
          "client-key-password-file or client-key-password-env");
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem}}\n", NULL,
          "2:38: connection k: tls: client-cert needs client-key");
    fails("connections:\n  k: {type: none, tls: {ca-file: ca.pem, client-key: k.pem}}\n", NULL,
          "2:54: connection k: tls: client-key needs client-cert");
    fails("connections:\n  k: {type: none, tls: {ca-file: ca.pem, client-key-password-file: "
          "kpw.txt}}\n",
          NULL, "2:42: connection k: tls: client-key-password-file needs client-key");
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem, client-key: enc.key, "
          "client-key-password-env: NOPE}}\n",
          NULL,
          "2:91: connection k: client-key-password-env: the environment variable NOPE is not "
          "set");
    snprintf(want, sizeof want,
             "2:34: connection k: tls: ca-file: cannot read %s/none.pem: No such file or directory",
             dir);
    fails("connections:\n  k: {type: none, tls: {ca-file: none.pem}}\n", NULL, want);
    snprintf(want, sizeof want,
             "2:34: connection k: tls: ca-file: %s/kpw.txt holds no PEM certificate", dir);
    fails("connections:\n  k: {type: none, tls: {ca-file: kpw.txt}}\n", NULL, want);
    snprintf(want, sizeof want,
             "2:38: connection k: tls: client-cert: %s/k.pem holds no PEM certificate", dir);
    fails("connections:\n  k: {type: none, tls: {client-cert: k.pem, client-key: k.pem}}\n", NULL,
          want);
    snprintf(want, sizeof want,
             "2:57: connection k: tls: client-key: %s/c.pem holds no PEM private key", dir);
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem, client-key: c.pem}}\n", NULL,
          want);
    snprintf(want, sizeof want,
             "2:57: connection k: tls: client-key: %s/enc.key is encrypted and no password is "
             "given",
             dir);
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem, client-key: enc.key}}\n", NULL,
          want);
    write_file("wrong.txt", "TOPSECRET-not\n");
    snprintf(want, sizeof want,
             "2:57: connection k: tls: client-key: %s/enc.key cannot be decrypted with the "
             "password given",
             dir);
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem, client-key: enc.key, "
          "client-key-password-file: wrong.txt}}\n",
          NULL, want);
    snprintf(want, sizeof want,
             "2:57: connection k: tls: client-key: %s/k2.pem is not the key of the certificate "
             "in %s/c.pem",
             dir, dir);
    fails("connections:\n  k: {type: none, tls: {client-cert: c.pem, client-key: k2.pem}}\n", NULL,
          want);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) && make_pki() == 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_types), cmocka_unit_test(test_secret_sources),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_tls),
        cmocka_unit_test(test_tls_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
