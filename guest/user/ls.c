/* Lists the files on the disk with their sizes in bytes. */
#include "ulib.h"

int main(void)
{
    struct dirent d;
    for (unsigned i = 0; readdir(i, &d) == 0; i++)
        printf("%8u  %s\n", d.size, d.name);
    return 0;
}
