/* SPDX-License-Identifier: MIT */
/* Git SSH key pairs generated with libssh. */
#include "core/gitsshkey.h"

#include <libssh/libssh.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/mem.h"

void gitsshkey_release(struct gitsshkey *key)
{
    if (key->private_key != NULL) {
        OPENSSL_cleanse(key->private_key, strlen(key->private_key));
        free(key->private_key);
    }
    free(key->public_key);
    memset(key, 0, sizeof(*key));
}

int gitsshkey_algorithm_parse(const char *name,
                              enum gitsshkey_algorithm *algorithm)
{
    if (strcasecmp(name, "ed25519") == 0)
        *algorithm = GITSSHKEY_ED25519;
    else if (strcasecmp(name, "ecdsa") == 0)
        *algorithm = GITSSHKEY_ECDSA;
    else if (strcasecmp(name, "rsa4096") == 0)
        *algorithm = GITSSHKEY_RSA4096;
    else
        return -1;
    return 0;
}

int gitsshkey_generate(enum gitsshkey_algorithm algorithm,
                       struct gitsshkey *key)
{
    enum ssh_keytypes_e type = SSH_KEYTYPE_ED25519;
    int bits = 0;
    ssh_key pair = NULL;
    char *public_b64 = NULL;
    char *private_text = NULL;
    struct buf line;
    int rc = -1;

    if (algorithm == GITSSHKEY_ECDSA) {
        type = SSH_KEYTYPE_ECDSA_P256;
        bits = 256;
    } else if (algorithm == GITSSHKEY_RSA4096) {
        type = SSH_KEYTYPE_RSA;
        bits = 4096;
    }
    buf_init(&line, 16384);
    if (ssh_pki_generate(type, bits, &pair) != SSH_OK)
        goto out;
    if (ssh_pki_export_pubkey_base64(pair, &public_b64) != SSH_OK)
        goto out;
    if (ssh_pki_export_privkey_base64(pair, NULL, NULL, NULL, &private_text) !=
        SSH_OK)
        goto out;

    /* The authorized_keys form: "<type> <base64>\n", with no comment. */
    if (buf_printf(&line, "%s %s\n", ssh_key_type_to_char(ssh_key_type(pair)),
                   public_b64) != 0)
        goto out;
    free(key->public_key);
    key->public_key = buf_take(&line);
    if (key->private_key != NULL) {
        OPENSSL_cleanse(key->private_key, strlen(key->private_key));
        free(key->private_key);
    }
    key->private_key = xstrdup(private_text);
    rc = 0;

out:
    if (private_text != NULL) {
        OPENSSL_cleanse(private_text, strlen(private_text));
        ssh_string_free_char(private_text);
    }
    ssh_string_free_char(public_b64);
    ssh_key_free(pair);
    buf_release(&line);
    return rc;
}
