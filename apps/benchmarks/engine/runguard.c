/* runguard: the first process inside every pieweb sandbox, started as
 *     runguard REPORT_FD PROGRAM [ARG...]
 *
 * Why it exists: bubblewrap's pid-1 never hands its children's resource usage back to the
 * engine, so without it the CPU time and peak memory of a sandboxed program are lost. runguard
 * makes itself the "child subreaper" of the program's whole tree, runs the program, and when
 * the program ends kills and reaps whatever it left behind (kill(-1) reaches only processes of
 * the sandbox uid, never pid 1). It then writes one line to REPORT_FD:
 *     <wait status> <user CPU microseconds> <system CPU microseconds> <peak RSS kilobytes>
 * covering every process of the tree, and exits like the program (code, or 128 + signal).
 * REPORT_FD is closed in the program, so the program cannot forge the report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 125;
    int fd = atoi(argv[1]);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t child = fork();
    if (child < 0) {
        dprintf(fd, "error fork %d\n", errno);
        return 125;
    }
    if (child == 0) {
        close(fd);
        execv(argv[2], argv + 2);
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    kill(-1, SIGKILL);
    for (;;) {
        if (wait(NULL) < 0 && errno != EINTR) break;
    }
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    dprintf(fd, "%d %ld %ld %ld\n", status, (long)ru.ru_utime.tv_sec * 1000000L + (long)ru.ru_utime.tv_usec,
            (long)ru.ru_stime.tv_sec * 1000000L + (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
