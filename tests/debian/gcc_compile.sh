# gcc compiles, links and runs a C file.
# needs: gcc
set -euo pipefail
cd "$(mktemp -d)"
cat > hello.c <<'END'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    char buf[64];
    snprintf(buf, sizeof buf, "hello from %s", argc > 1 ? argv[1] : "gcc");
    printf("%s (%zu)\n", buf, strlen(buf));
    return 0;
}
END
gcc -O2 -Wall -o hello hello.c
./hello
./hello compiled
gcc -c hello.c -o hello.o && gcc hello.o -o hello2 && ./hello2 twice
