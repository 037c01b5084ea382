/* SPDX-License-Identifier: MIT */
/*
 * Unpadded base64 on top of OpenSSL's block coder, which only speaks the
 * padded form and skips stray characters: the alphabet and the padding are
 * checked here before and after it runs.
 */
#include "util/base64.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

size_t base64_raw_encoded_len(size_t len)
{
    return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

void base64_raw_encode(const unsigned char *data, size_t len, char *out)
{
    size_t padded = (len + 2) / 3 * 4;
    size_t raw = base64_raw_encoded_len(len);
    char *tmp = xmalloc(padded + 1);

    EVP_EncodeBlock((unsigned char *)tmp, data, (int)len);
    memcpy(out, tmp, raw);
    out[raw] = '\0';
    free(tmp);
}

static int in_alphabet(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int char_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : 63;
}

int base64_raw_decode(const char *text, unsigned char *out, size_t outsize,
                      size_t *outlen)
{
    size_t len = strlen(text);
    size_t tail = len % 4;
    size_t decoded_len;
    size_t padded;
    unsigned char *tmp = NULL;
    char *input = NULL;
    int rc = -1;

    if (tail == 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (!in_alphabet(text[i]))
            return -1;
    }
    /* Go rejects encodings whose unused trailing bits are not zero. */
    if (tail == 2 && (char_value(text[len - 1]) & 0x0f) != 0)
        return -1;
    if (tail == 3 && (char_value(text[len - 1]) & 0x03) != 0)
        return -1;
    decoded_len = len / 4 * 3 + (tail == 0 ? 0 : tail - 1);
    if (decoded_len > outsize)
        return -1;

    padded = (len + 3) / 4 * 4;
    input = xmalloc(padded + 1);
    memcpy(input, text, len);
    memset(input + len, '=', padded - len);
    input[padded] = '\0';
    tmp = xmalloc(padded / 4 * 3 + 1);
    if (EVP_DecodeBlock(tmp, (unsigned char *)input, (int)padded) < 0)
        goto out;

    memcpy(out, tmp, decoded_len);
    *outlen = decoded_len;
    rc = 0;

out:
    free(input);
    free(tmp);
    return rc;
}
