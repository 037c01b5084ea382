#ifndef USHER_TESTS_API_CLUSTER_H
#define USHER_TESTS_API_CLUSTER_H

/*
 * A private PostgreSQL cluster for tests that must stop, restart or
 * reconfigure the database server, run through scripts/postgres-cluster.sh
 * (named by $USHER_TEST_POSTGRES_CLUSTER) in a temporary directory of its
 * own, so that the shared test cluster is left alone.
 */

#include <stddef.h>

struct cluster;

/*
 * Create and start a cluster. With tcp_port > 0 it also listens on
 * 127.0.0.1 at that port. Fails the test when it cannot start.
 */
struct cluster *cluster_start(int tcp_port);

/* Return the libpq key=value string of the cluster's superuser. */
const char *cluster_admin(const struct cluster *c);

/* Stop the server, or start it again; returns the script's exit status. */
int cluster_stop(struct cluster *c);
int cluster_restart(struct cluster *c);

/* Stop the server and remove the cluster's files. NULL is ok. */
void cluster_free(struct cluster *c);

/* Return a TCP port on 127.0.0.1 that was free a moment ago. */
int cluster_free_port(void);

#endif
