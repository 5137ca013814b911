/*
 * pieweb's stand-in for gem5.opt, used only by the gem5 backend's Docker contract tests.
 *
 * It mirrors the command line and the observable contract of PIE's image
 * (alexshypula/gem5-skylake:api, run-se.py in syscall-emulation mode):
 *
 *     gem5.opt [--stats-file=F] [-d DIR] <run-se.py> <Verbatim|Tuned|UnConstrained> <binary> [args...]
 *
 * - the program gets gem5's stdin, and its stdout is forwarded to gem5's stdout;
 * - a gem5-format stats file is written (default m5out/stats.txt; a relative --stats-file is
 *   relative to the output directory, an absolute one is used as is);
 * - the exit status is 1 when the program exits non-zero or dies by a signal (as run-se.py),
 *   and 1 on a bad command line (unknown CPU type, missing script or binary).
 *
 * It does NOT simulate a CPU: the program runs natively. Its "simulated" time is a documented,
 * deterministic function of the bytes the program read from stdin and wrote to stdout:
 *
 *     numCycles = 3500000 + 64 * stdout_bytes + 8 * stdin_bytes     (cycles of a 3.5 GHz core)
 *     sim_ticks = numCycles * 286                                  (ticks of 1 ps; 286 ps = 1 cycle)
 *     sim_insts = numCycles * 2                                    (a fixed IPC of 2)
 *
 * so the same program on the same input always gives the same figures, and a program that
 * writes more "costs" more. A hello world costs ~1.001 ms, the order of PIE's 1.004 ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICKS_PER_CYCLE 286ULL
#define SIM_FREQ 1000000000000ULL

static int usage(const char *why) {
    fprintf(stderr, "gem5 stand-in: %s\n", why);
    fprintf(stderr, "usage: gem5.opt [--stats-file=F] [-d DIR] <run-se.py> <cpu_type> <binary> [args...]\n");
    return 1;
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *stats_file = "stats.txt";
    const char *outdir = "m5out";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strncmp(argv[i], "--stats-file=", 13) == 0) stats_file = argv[i] + 13;
        else if (strncmp(argv[i], "--outdir=", 9) == 0) outdir = argv[i] + 9;
        else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) outdir = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: gem5.opt [--stats-file=F] [-d DIR] <run-se.py> <cpu_type> <binary> [args...]\n");
            return 0;
        }
        else return usage("unknown option");
    }
    if (argc - i < 3) return usage("expected <run-se.py> <cpu_type> <binary>");
    const char *script = argv[i], *cpu_type = argv[i + 1], *binary = argv[i + 2];
    if (access(script, R_OK) != 0) return usage("config script not found");
    if (strcmp(cpu_type, "Verbatim") && strcmp(cpu_type, "Tuned") && strcmp(cpu_type, "UnConstrained"))
        return usage("unknown CPU type (Verbatim, Tuned, UnConstrained)");
    if (access(binary, X_OK) != 0) return usage("binary not found or not executable");

    char stats_path[4096];
    if (stats_file[0] == '/') snprintf(stats_path, sizeof stats_path, "%s", stats_file);
    else {
        mkdir(outdir, 0755);
        snprintf(stats_path, sizeof stats_path, "%s/%s", outdir, stats_file);
    }

    printf("gem5 Simulator System (pieweb stand-in: runs natively, fake timing)\n");
    fflush(stdout);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    int in_pipe[2], out_pipe[2];
    if (pipe(in_pipe) || pipe(out_pipe)) { perror("pipe"); return 1; }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        close(in_pipe[0]); close(in_pipe[1]); close(out_pipe[0]); close(out_pipe[1]);
        execv(binary, argv + i + 2);
        perror("execv");
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    signal(SIGPIPE, SIG_IGN);

    /* Feed stdin to the program and forward its stdout, counting both. The input is read
     * whole first (test inputs are small), then written while draining the output pipe so
     * that neither side blocks the other. */
    size_t in_cap = 1 << 16, in_len = 0;
    char *in_buf = malloc(in_cap);
    if (!in_buf) { perror("malloc"); return 1; }
    for (;;) {
        if (in_len == in_cap && !(in_buf = realloc(in_buf, in_cap *= 2))) { perror("realloc"); return 1; }
        ssize_t n = read(0, in_buf + in_len, in_cap - in_len);
        if (n <= 0) break;
        in_len += (size_t)n;
    }
    unsigned long long out_bytes = 0;
    size_t in_off = 0;
    int in_open = 1;
    char buf[65536];
    for (;;) {
        fd_set rfds, wfds;
        FD_ZERO(&rfds); FD_ZERO(&wfds);
        FD_SET(out_pipe[0], &rfds);
        if (in_open) FD_SET(in_pipe[1], &wfds);
        int maxfd = out_pipe[0] > in_pipe[1] ? out_pipe[0] : in_pipe[1];
        if (select(maxfd + 1, &rfds, in_open ? &wfds : NULL, NULL, NULL) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (in_open && FD_ISSET(in_pipe[1], &wfds)) {
            size_t chunk = in_len - in_off > 65536 ? 65536 : in_len - in_off;
            ssize_t n = chunk ? write(in_pipe[1], in_buf + in_off, chunk) : 0;
            if (n > 0) in_off += (size_t)n;
            if (n < 0 || in_off == in_len) { close(in_pipe[1]); in_open = 0; }
        }
        if (FD_ISSET(out_pipe[0], &rfds)) {
            ssize_t n = read(out_pipe[0], buf, sizeof buf);
            if (n <= 0) break;
            out_bytes += (unsigned long long)n;
            if (write_all(1, buf, (size_t)n) < 0) break;
        }
    }
    if (in_open) close(in_pipe[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double host_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    unsigned long long cycles = 3500000ULL + 64ULL * out_bytes + 8ULL * (unsigned long long)in_len;
    unsigned long long ticks = cycles * TICKS_PER_CYCLE;
    unsigned long long insts = cycles * 2ULL;

    FILE *f = fopen(stats_path, "w");
    if (!f) { perror("stats file"); return 1; }
    fprintf(f, "\n---------- Begin Simulation Statistics ----------\n");
    fprintf(f, "sim_seconds                                  %.6f                       # Number of seconds simulated\n",
            (double)ticks / (double)SIM_FREQ);
    fprintf(f, "sim_ticks                                %llu                       # Number of ticks simulated\n", ticks);
    fprintf(f, "final_tick                               %llu                       # Number of ticks from beginning of simulation (restored from checkpoints and never reset)\n", ticks);
    fprintf(f, "sim_freq                                 %llu                       # Frequency of simulated ticks\n", SIM_FREQ);
    fprintf(f, "host_seconds                                 %.2f                       # Real time elapsed on the host\n", host_seconds);
    fprintf(f, "sim_insts                                  %llu                       # Number of instructions simulated\n", insts);
    fprintf(f, "sim_ops                                    %llu                       # Number of ops (including micro ops) simulated\n", insts);
    fprintf(f, "system.cpu.numCycles                       %llu                       # number of cpu cycles simulated\n", cycles);
    fprintf(f, "system.cpu.committedInsts                  %llu                       # Number of Instructions Simulated\n", insts);
    fprintf(f, "system.cpu.ipc                             2.000000                       # IPC: Instructions Per Cycle\n");
    fprintf(f, "system.cpu.cpi                             0.500000                       # CPI: Cycles Per Instruction\n");
    fprintf(f, "system.cpu.commit.branchMispredicts               0                       # The number of times a branch was mispredicted\n");
    fprintf(f, "system.cpu.fetch.pendingQuiesceStallCyclesEnd     0                       # Stand-in key containing 'End' (parser check)\n");
    fprintf(f, "system.cpu.commit.committed_per_cycle::0   %llu   50.00%%   50.00%% # Number of insts commited each cycle\n", cycles / 2);
    fprintf(f, "system.cpu.dcache.overall_miss_rate::total      nan                       # miss rate for overall accesses\n");
    fprintf(f, "stdin_bytes                                %zu                       # pieweb stand-in: bytes fed to stdin\n", in_len);
    fprintf(f, "stdout_bytes                               %llu                       # pieweb stand-in: bytes written to stdout\n", out_bytes);
    fprintf(f, "\n---------- End Simulation Statistics   ----------\n");
    fclose(f);

    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        printf("Exiting @ tick %llu because exiting with last active thread context\n", ticks);
        if (code != 0) {
            fprintf(stderr, "program exited with code %d\n", code);
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "program killed by signal %d\n", WTERMSIG(status));
    return 1;
}
