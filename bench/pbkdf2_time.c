/* SPDX-License-Identifier: MIT */
/*
 * usher-pbkdf2-time: the reference for the login benchmark. It times
 * PBKDF2-HMAC-SHA256 with the parameters of Coder's password hashes
 * (65535 iterations, a 16-byte salt, a 64-byte key) by calling OpenSSL
 * directly, first one hash at a time on one thread, then with one thread
 * per CPU hashing at once. Prints one JSON object on stdout.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/number.h"

#define ITERATIONS 65535
#define SALT_LEN 16
#define KEY_LEN 64
#define MAX_RUNS 1000
#define MAX_THREADS 256

static const char password[] = "Bench-Horse-Battery-2026";

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Hash once with a fresh salt. Returns 0, or -1 when OpenSSL fails. */
static int hash_once(void)
{
    unsigned char salt[SALT_LEN];
    unsigned char key[KEY_LEN];

    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return -1;
    if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt,
                          (int)sizeof(salt), ITERATIONS, EVP_sha256(),
                          (int)sizeof(key), key) != 1)
        return -1;
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

struct worker {
    pthread_t thread;
    int hashes;
    int failed;
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < w->hashes; i++) {
        if (hash_once() != 0)
            w->failed = 1;
    }
    return NULL;
}

/* Run threads workers of hashes each at once; return hashes per second. */
static double parallel_rate(int threads, int hashes)
{
    struct worker workers[MAX_THREADS];
    double started = now_seconds();
    double elapsed;

    for (int t = 0; t < threads; t++) {
        struct worker *worker = &workers[t];

        worker->hashes = hashes;
        worker->failed = 0;
        if (pthread_create(&worker->thread, NULL, run_worker, worker) != 0)
            return -1;
    }
    for (int t = 0; t < threads; t++) {
        pthread_join(workers[t].thread, NULL);
        if (workers[t].failed)
            return -1;
    }
    elapsed = now_seconds() - started;
    return (double)threads * hashes / elapsed;
}

int main(int argc, char **argv)
{
    static double ms[MAX_RUNS];
    int64_t runs = 9;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cpus > 0 && cpus <= MAX_THREADS ? (int)cpus : 1;
    double rate;

    if (argc > 2 || (argc == 2 && number_parse_i64(argv[1], 1, MAX_RUNS,
                                                   &runs) != NUMBER_OK)) {
        fprintf(stderr, "usage: usher-pbkdf2-time [RUNS]\n");
        return 2;
    }
    for (int64_t i = 0; i < runs; i++) {
        double started = now_seconds();

        if (hash_once() != 0) {
            fprintf(stderr, "usher-pbkdf2-time: PBKDF2 failed\n");
            return 1;
        }
        ms[i] = (now_seconds() - started) * 1000.0;
    }
    qsort(ms, (size_t)runs, sizeof(ms[0]), compare_doubles);
    rate = parallel_rate(threads, (int)runs);
    if (rate < 0) {
        fprintf(stderr, "usher-pbkdf2-time: parallel run failed\n");
        return 1;
    }
    printf("{\"iterations\": %d, \"salt_bytes\": %d, \"key_bytes\": %d, "
           "\"runs\": %lld, \"median_ms\": %.3f, \"min_ms\": %.3f, "
           "\"max_ms\": %.3f, \"threads\": %d, "
           "\"parallel_hashes_per_s\": %.2f}\n",
           ITERATIONS, SALT_LEN, KEY_LEN, (long long)runs, ms[runs / 2], ms[0],
           ms[runs - 1], threads, rate);
    return 0;
}
