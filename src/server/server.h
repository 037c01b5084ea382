#ifndef USHER_SERVER_SERVER_H
#define USHER_SERVER_SERVER_H

/*
 * Run `usher server` with the arguments after the subcommand name: serve
 * until SIGINT or SIGTERM, then shut down cleanly. Returns the process exit
 * status: 0 after a clean stop, 2 for bad options, 1 for other failures.
 */
int server_main(int argc, char **argv);

#endif
