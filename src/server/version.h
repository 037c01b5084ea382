#ifndef USHER_SERVER_VERSION_H
#define USHER_SERVER_VERSION_H

/* Usher's own release. */
#define USHER_VERSION "0.1.0"

/*
 * The Coder release whose Users API this build speaks. Coder's CLI warns
 * when its major and minor version differ from the server's, so the build
 * version reported to clients starts with this and carries Usher's own
 * version as semantic-version build metadata.
 */
#define USHER_CODER_API_VERSION "v2.24.2"

#define USHER_BUILD_VERSION USHER_CODER_API_VERSION "+usher." USHER_VERSION

#define USHER_EXTERNAL_URL "https://github.com/coder/coder"

#endif
