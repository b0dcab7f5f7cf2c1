/* Run with --root-dir ROOT: tries every way it knows to reach the host
 * file whose absolute host path is argv[1] (outside ROOT), to write next
 * to it, and to leave ROOT. Prints one line per attempt: "blocked <what>"
 * or "ESCAPED <what>". Exits 1 if anything escaped. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int escaped;
static const char *secret;
static const char *marker = "HOST-SECRET";

/* Whether fd reads the host secret's contents. */
static int is_secret(int fd) {
    char buf[64] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 && strstr(buf, marker) != NULL;
}

static void try_open(const char *what, const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd >= 0 && is_secret(fd)) {
        printf("ESCAPED %s\n", what);
        escaped = 1;
    } else {
        printf("blocked %s\n", what);
    }
}

static volatile int stop;

/* Renames a directory back and forth while the main thread walks "..". */
static void *renamer(void *arg) {
    (void)arg;
    while (!stop) {
        rename("/race/a/b", "/race/b");
        rename("/race/b", "/race/a/b");
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        return 2;
    }
    secret = argv[1];
    char buf[4096];

    try_open("absolute path", secret);
    snprintf(buf, sizeof buf, "/../../../../../../..%s", secret);
    try_open("dot-dot chain", buf);
    snprintf(buf, sizeof buf, "../../../../..%s", secret);
    chdir("/");
    try_open("relative dot-dot chain", buf);

    symlink(secret, "/abs-link");
    try_open("absolute symlink", "/abs-link");
    snprintf(buf, sizeof buf, "../../../../../../..%s", secret);
    symlink(buf, "/rel-link");
    try_open("relative symlink", "/rel-link");

    int r = link(secret, "/hard");
    printf("%s hard link\n", r == 0 ? "ESCAPED" : "blocked");
    escaped |= r == 0;

    mkdir("/race", 0755);
    mkdir("/race/a", 0755);
    mkdir("/race/a/b", 0755);
    pthread_t th;
    pthread_create(&th, NULL, renamer, NULL);
    int leaked = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(buf, sizeof buf, "/race/a/b/../../../../..%s", secret);
        int fd = open(buf, O_RDONLY);
        if (fd >= 0 && is_secret(fd)) {
            leaked = 1;
        }
    }
    stop = 1;
    pthread_join(th, NULL);
    printf("%s rename race\n", leaked ? "ESCAPED" : "blocked");
    escaped |= leaked;

    snprintf(buf, sizeof buf, "/proc/self/root/../../..%s", secret);
    try_open("/proc/self/root", buf);
    int dfd = open("/", O_PATH | O_DIRECTORY);
    snprintf(buf, sizeof buf, "/proc/self/fd/%d/../../..%s", dfd, secret);
    try_open("/proc/self/fd", buf);

    /* chroot and stay: a second chroot plus .. is the classic break-out. */
    mkdir("/jail", 0755);
    if (chroot("/jail") == 0) {
        snprintf(buf, sizeof buf, "../../../../..%s", secret);
        try_open("chroot dot-dot", buf);
    }

    /* Writing where the secret is. */
    int w = open(secret, O_WRONLY | O_TRUNC);
    printf("%s write to the host path\n", w >= 0 ? "reached" : "blocked");
    if (w >= 0) {
        write(w, "x", 1);
        close(w);
    }
    return escaped;
}
