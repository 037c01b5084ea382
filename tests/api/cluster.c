/* SPDX-License-Identifier: MIT */
/* Private PostgreSQL clusters for tests, started with the project script. */
#define _XOPEN_SOURCE 700
#include "cluster.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

extern char **environ;

struct cluster {
    char dir[256];
    char admin[512];
    char port[16];
};

/* Run the script with action; its first output line goes to out (when
 * not NULL). Returns the script's exit status. */
static int run_script(struct cluster *c, const char *action, char *out,
                      size_t size)
{
    const char *script = getenv("USHER_TEST_POSTGRES_CLUSTER");
    char *argv[] = {"bash", (char *)script, (char *)action, c->dir, NULL};
    posix_spawn_file_actions_t actions;
    int pipefd[2];
    pid_t pid;
    int status = -1;
    FILE *from;
    char line[512];

    if (script == NULL)
        fail_msg("USHER_TEST_POSTGRES_CLUSTER is not set");
    if (c->port[0] != '\0')
        setenv("USHER_PG_TCP_PORT", c->port, 1);
    else
        unsetenv("USHER_PG_TCP_PORT");
    if (pipe(pipefd) != 0)
        fail_msg("pipe: %s", strerror(errno));
    /* Only the duplicate on stdout may reach the script, or the server it
     * starts would hold the pipe open and the read below never end. */
    fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
    if (posix_spawnp(&pid, "bash", &actions, NULL, argv, environ) != 0)
        fail_msg("cannot run %s", script);
    posix_spawn_file_actions_destroy(&actions);
    close(pipefd[1]);
    /* Read everything, so that the script never writes to a closed pipe. */
    from = fdopen(pipefd[0], "r");
    if (out != NULL)
        out[0] = '\0';
    while (from != NULL && fgets(line, sizeof(line), from) != NULL) {
        if (out != NULL && out[0] == '\0')
            snprintf(out, size, "%s", line);
    }
    if (from != NULL)
        fclose(from);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    }
    if (out != NULL)
        out[strcspn(out, "\n")] = '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct cluster *cluster_start(int tcp_port)
{
    struct cluster *c = calloc(1, sizeof(*c));
    const char *tmp = getenv("TMPDIR");

    if (c == NULL)
        abort();
    snprintf(c->dir, sizeof(c->dir), "%s/usher-cluster-XXXXXX",
             tmp ? tmp : "/tmp");
    if (mkdtemp(c->dir) == NULL)
        fail_msg("mkdtemp: %s", strerror(errno));
    if (tcp_port > 0)
        snprintf(c->port, sizeof(c->port), "%d", tcp_port);
    if (run_script(c, "start", c->admin, sizeof(c->admin)) != 0 ||
        c->admin[0] == '\0')
        fail_msg("cannot start a PostgreSQL cluster in %s", c->dir);
    return c;
}

const char *cluster_admin(const struct cluster *c)
{
    return c->admin;
}

int cluster_stop(struct cluster *c)
{
    return run_script(c, "stop", NULL, 0);
}

int cluster_restart(struct cluster *c)
{
    return run_script(c, "start", NULL, 0);
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void cluster_free(struct cluster *c)
{
    if (c == NULL)
        return;
    run_script(c, "stop", NULL, 0);
    nftw(c->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(c);
}

int cluster_free_port(void)
{
    struct sockaddr_in addr = {0};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port = -1;

    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    if (fd >= 0)
        close(fd);
    if (port <= 0)
        fail_msg("cannot find a free port");
    return port;
}
