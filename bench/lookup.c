/* SPDX-License-Identifier: MIT */
/*
 * usher-lookup: a reference for the GET /users/me benchmark. It runs the
 * store call that authenticates every request, store_auth_lookup, on the
 * given key id from several threads for a fixed time, with no HTTP and no
 * JSON, and prints one JSON object with the lookups per second on stdout.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "util/log.h"
#include "util/number.h"
#include "util/timestamp.h"

#define MAX_THREADS 256
#define MAX_SECONDS 3600

struct options {
    const char *sqlite_path;
    const char *postgres_url;
    const char *key_id;
    int64_t threads;
    int64_t seconds;
};

struct worker {
    pthread_t thread;
    struct store *store;
    const char *key_id;
    int64_t deadline;
    int64_t lookups;
    bool failed;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: usher-lookup (--sqlite-path PATH | --postgres-url URL) "
            "--key-id ID [--threads N] [--seconds S]\n"
            "\n"
            "Look up the API key ID with its user, as the server does for\n"
            "every authenticated request, from N threads (default 2) for S\n"
            "seconds (default 10).\n");
}

static int parse_count(const char *value, int64_t max, int64_t *out)
{
    return number_parse_i64(value, 1, max, out) == NUMBER_OK ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->threads = 2;
    opt->seconds = 10;
    for (int i = 1; i < argc; i += 2) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;

        if (value == NULL)
            return -1;
        if (strcmp(argv[i], "--sqlite-path") == 0)
            opt->sqlite_path = value;
        else if (strcmp(argv[i], "--postgres-url") == 0)
            opt->postgres_url = value;
        else if (strcmp(argv[i], "--key-id") == 0)
            opt->key_id = value;
        else if (strcmp(argv[i], "--threads") == 0)
            rc = parse_count(value, MAX_THREADS, &opt->threads);
        else if (strcmp(argv[i], "--seconds") == 0)
            rc = parse_count(value, MAX_SECONDS, &opt->seconds);
        else
            return -1;
        if (rc != 0)
            return -1;
    }
    if ((opt->sqlite_path == NULL) == (opt->postgres_url == NULL) ||
        opt->key_id == NULL)
        return -1;
    return 0;
}

static void *run_worker(void *arg)
{
    struct worker *worker = arg;

    while (timestamp_monotonic() < worker->deadline) {
        struct store_auth auth = {0};
        enum store_result result =
            store_auth_lookup(worker->store, worker->key_id, &auth);

        if (result == STORE_NOT_FOUND) {
            fprintf(stderr, "usher-lookup: key %s not found\n", worker->key_id);
            worker->failed = true;
            break;
        }
        if (result != STORE_OK) {
            fprintf(stderr, "usher-lookup: %s\n", store_last_error());
            worker->failed = true;
            break;
        }
        store_auth_release(&auth);
        worker->lookups++;
    }
    return NULL;
}

/* Run the workers until the deadline; return the total of their lookups,
 * or -1 when one of them failed. */
static int64_t run_workers(struct store *store, const struct options *opt,
                           double *elapsed)
{
    struct worker workers[MAX_THREADS];
    int64_t started = timestamp_monotonic();
    int64_t total = 0;
    int64_t n;

    for (n = 0; n < opt->threads; n++) {
        struct worker *worker = &workers[n];

        memset(worker, 0, sizeof(*worker));
        worker->store = store;
        worker->key_id = opt->key_id;
        worker->deadline = started + opt->seconds * 1000000;
        if (pthread_create(&worker->thread, NULL, run_worker, worker) != 0)
            break;
    }
    for (int64_t i = 0; i < n; i++) {
        pthread_join(workers[i].thread, NULL);
        if (workers[i].failed)
            total = -1;
        else if (total >= 0)
            total += workers[i].lookups;
    }
    *elapsed = (double)(timestamp_monotonic() - started) / 1e6;
    return n == opt->threads ? total : -1;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct store_config config = {0};
    struct store *store;
    char err[1024];
    double elapsed = 0;
    int64_t lookups;

    if (parse_options(argc, argv, &opt) != 0) {
        usage();
        return 2;
    }
    log_set_level(LOG_ERROR);
    config.sqlite_path = opt.sqlite_path;
    config.postgres_url = opt.postgres_url;
    config.max_connections = (unsigned)opt.threads;
    store = store_open(&config, err, sizeof(err));
    if (store == NULL) {
        fprintf(stderr, "usher-lookup: %s\n", err);
        return 1;
    }
    lookups = run_workers(store, &opt, &elapsed);
    store_free(store);
    if (lookups < 0) {
        fprintf(stderr, "usher-lookup: a lookup or a thread start failed\n");
        return 1;
    }
    printf("{\"threads\": %lld, \"seconds\": %.3f, \"lookups\": %lld, "
           "\"lookups_per_s\": %.1f}\n",
           (long long)opt.threads, elapsed, (long long)lookups,
           (double)lookups / elapsed);
    return 0;
}
