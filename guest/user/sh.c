/*
 * The shell: reads a line, splits it into words, runs the builtins itself and everything else as a
 * program from /bin — spawn, then wait for it to end.
 */
#include "ulib.h"

#define LINE_MAX 256
#define MAX_WORDS 16

static const char help_text[] =
    "commands:\n"
    "  help                      this list\n"
    "  echo WORDS...             print the words\n"
    "  ps                        processes: pid, parent, ring, state, ticks, pages, name\n"
    "  ls                        files on the disk\n"
    "  cat FILE...               print files (try: cat motd)\n"
    "  uptime                    time since boot\n"
    "  cpuinfo                   CPUID: vendor, model, brand, hypervisor signature\n"
    "  bench cpu|syscall|io [N]  lab: compute loop, N getpid calls, N disk reads (TSC cycles)\n"
    "  bench pio [N]             lab: N reads of I/O port 0x80 in the kernel (TSC cycles)\n"
    "  forkwait N                lab: create and wait for N processes (Adams & Agesen 2006)\n"
    "  ptemod N                  lab: N page-table updates in the kernel\n"
    "  popf                      lab: turn interrupts off with POPF (the classic x86 hole)\n"
    "  sgdt                      lab: where is the GDT? SGDT at ring 3 and in the kernel\n"
    "  fault [pf|wp|gp|ud|de|io] a program that crashes: it is killed, the shell lives on\n"
    "  exit                      end this shell (init starts a new one)\n"
    "  poweroff                  stop the machine\n";

static int split(char *line, char **words)
{
    int n = 0;
    for (char *s = line; *s && n < MAX_WORDS;) {
        while (*s == ' ' || *s == '\t')
            *s++ = 0;
        if (!*s)
            break;
        words[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return n;
}

static void run(char *cmd, const char *args)
{
    char path[64];
    snprintf(path, sizeof path, cmd[0] == '/' ? "%s" : "/bin/%s", cmd);
    int pid = spawn(path, args);
    if (pid == -ENOENT) {
        printf("sh: %s: command not found (try help)\n", cmd);
        return;
    }
    if (pid < 0) {
        printf("sh: %s: cannot start (error %d)\n", cmd, pid);
        return;
    }
    int status = 0;
    wait(pid, &status);
    if (status >= 128)
        printf("sh: %s was killed by exception %d\n", cmd, status - 128);
}

int main(void)
{
    char line[LINE_MAX];
    char *words[MAX_WORDS];
    for (;;) {
        printf("$ ");
        int n = read(0, line, sizeof line - 1);
        if (n <= 0) /* Ctrl-D */
            return 0;
        line[n] = 0;
        if (line[n - 1] == '\n')
            line[n - 1] = 0;
        /* The arguments, as typed, for the program: everything after the command word. */
        char *rest = line;
        while (*rest == ' ' || *rest == '\t')
            rest++;
        while (*rest && *rest != ' ' && *rest != '\t')
            rest++;
        char args[LINE_MAX];
        strncpy_z(args, rest, sizeof args);
        int argc = split(line, words);
        if (argc == 0)
            continue;
        if (strcmp(words[0], "help") == 0) {
            puts_n(help_text, sizeof help_text - 1);
        } else if (strcmp(words[0], "echo") == 0) {
            for (int i = 1; i < argc; i++)
                printf(i + 1 < argc ? "%s " : "%s", words[i]);
            printf("\n");
        } else if (strcmp(words[0], "exit") == 0) {
            return 0;
        } else if (strcmp(words[0], "poweroff") == 0) {
            poweroff(0);
        } else {
            run(words[0], args);
        }
    }
}
