/* Prints files. */
#include "ulib.h"

int main(int argc, char **argv)
{
    int status = 0;
    if (argc < 2)
        printf("usage: cat FILE...\n");
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i]);
        if (fd < 0) {
            printf("cat: %s: no such file\n", argv[i]);
            status = 1;
            continue;
        }
        char buf[512];
        int n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            write(1, buf, (size_t)n);
        close(fd);
    }
    return status;
}
