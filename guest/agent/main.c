/*
 * The coordinator: reads one request line at a time from the host's channel (a virtio-console port, or stdin and
 * stdout with --stdio), runs it on the workload processes, and answers with one JSON line holding the guest's
 * counters over the op (docs/agent-protocol.md). In the guest it is PID 1 (exec'd by /init), so it never exits:
 * 'exit' and a vanished host power the guest off.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define PORT_NAME "org.memvirt.agent"                        /* the virtserialport name= the host gives */
#define LINE_MAX_BYTES (2u << 20)                             /* an 'access' line of 65,536 entries fits */
#define MAX_ARGS (ACCESS_MAX + 4)
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

extern char **environ;

static int chan_in = -1, chan_out = -1;
static char rbuf[1 << 16];
static size_t rpos, rlen;
static char line[LINE_MAX_BYTES];
static char *args[MAX_ARGS];
static char reply[1 << 16];
static char result[1024];

static struct {
    uint64_t region, seq;
    int nproc, running, demand, page_shift, have_session;
    struct { pid_t pid; int fd; int alive; } w[MAX_PROCS];
    struct shared *shm;
    int shm_fd;
    struct counters *before, *after;
} st = { .page_shift = 12 };

/* ---- the channel ---- */

static void write_all(const char *data, size_t len) {
    while (len) {
        ssize_t r = write(chan_out, data, len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return;                                   /* the host is gone; the next read says so */
        data += r;
        len -= (size_t) r;
    }
}

static void send_line(char *end) {
    *end++ = '\n';
    write_all(reply, (size_t) (end - reply));
}

/* The virtio-console port named PORT_NAME (/sys/class/virtio-ports/vportNpM/name), opened read-write. */
static int open_port(void) {
    for (int attempt = 0; attempt < 200; attempt++) {      /* the port appears once virtio_console has probed */
        DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char path[300], name[64] = "";
            snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) continue;
            ssize_t n = read(fd, name, sizeof name - 1);
            close(fd);
            if (n > 0 && name[n - 1] == '\n') n--;
            if (n <= 0 || (size_t) n != strlen(PORT_NAME) || memcmp(name, PORT_NAME, (size_t) n) != 0) continue;
            snprintf(path, sizeof path, "/dev/%s", e->d_name);
            closedir(d);
            return open(path, O_RDWR | O_CLOEXEC);
        }
        if (d) closedir(d);
        usleep(50 * 1000);
    }
    errno = ENOENT;
    return -1;
}

/* Waits until the host has the port open (a virtio-console port reports POLLHUP until then). */
static void wait_for_host(void) {
    for (;;) {
        struct pollfd p = { .fd = chan_out, .events = POLLOUT };
        if (poll(&p, 1, 100) > 0 && (p.revents & POLLOUT) && !(p.revents & POLLHUP)) return;
        usleep(20 * 1000);
    }
}

/* The next request line (without its newline) in line[]; its length, -1 at the end of input, -2 when too long. */
static long read_line(void) {
    size_t len = 0;
    int too_long = 0;
    for (;;) {
        if (rpos == rlen) {
            ssize_t r = read(chan_in, rbuf, sizeof rbuf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return -1;
            rpos = 0;
            rlen = (size_t) r;
        }
        char c = rbuf[rpos++];
        if (c == '\n') break;
        if (len < sizeof line - 1) line[len++] = c; else too_long = 1;
    }
    line[len] = 0;
    return too_long ? -2 : (long) len;
}

/* ---- replies ---- */

static char *reply_start(const char *type, uint64_t seq) {
    char *p = reply, *end = reply + sizeof reply - 2;
    json_raw(&p, end, "{\"type\":");
    json_str(&p, end, type);
    json_raw(&p, end, ",\"seq\":");
    json_u64(&p, end, seq);
    return p;
}

static void reply_error(uint64_t seq, const char *message) {
    char *p = reply_start("error", seq), *end = reply + sizeof reply - 2;
    json_raw(&p, end, ",\"message\":");
    json_str(&p, end, message);
    json_raw(&p, end, "}");
    send_line(p);
}

static void reply_ready(void) {
    struct utsname u;
    struct timespec boot;
    char thp[64] = "";
    uname(&u);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    int fd = open(THP_ENABLED, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char text[128];
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        text[n > 0 ? n : 0] = 0;
        char *open_ = strchr(text, '['), *close_ = open_ ? strchr(open_, ']') : NULL;
        if (close_) snprintf(thp, sizeof thp, "%.*s", (int) (close_ - open_ - 1), open_ + 1);
    }
    char *p = reply_start("ready", 0), *end = reply + sizeof reply - 2;
    json_raw(&p, end, ",\"protocol\":");
    json_u64(&p, end, AGENT_PROTOCOL);
    json_raw(&p, end, ",\"kernel\":");
    json_str(&p, end, u.release);
    json_raw(&p, end, ",\"uptime_ns\":");
    json_u64(&p, end, (uint64_t) boot.tv_sec * 1000000000ULL + (uint64_t) boot.tv_nsec);
    json_raw(&p, end, ",\"thp\":");
    json_str(&p, end, thp);
    json_raw(&p, end, ",\"cpus\":");
    json_u64(&p, end, (uint64_t) sysconf(_SC_NPROCESSORS_ONLN));
    json_raw(&p, end, ",\"pid\":");
    json_u64(&p, end, (uint64_t) getpid());
    json_raw(&p, end, "}");
    send_line(p);
}

/* ---- workload processes ---- */

static const char *signal_name(int sig) {
    static char text[32];
    const char *abbrev = sigabbrev_np(sig);
    snprintf(text, sizeof text, "SIG%s", abbrev ? abbrev : "?");
    return text;
}

/* Why worker i is gone, after its socket closed. */
static void describe_death(int i, char *msg, size_t size) {
    int status = 0;
    st.w[i].alive = 0;
    if (waitpid(st.w[i].pid, &status, 0) < 0) {
        snprintf(msg, size, "process %d (pid %d) is gone", i, st.w[i].pid);
    } else if (WIFSIGNALED(status)) {
        snprintf(msg, size, "process %d (pid %d) was killed by %s%s", i, st.w[i].pid, signal_name(WTERMSIG(status)),
                WTERMSIG(status) == SIGKILL ? " (the guest's OOM killer?)" : "");
    } else {
        snprintf(msg, size, "process %d (pid %d) exited with status %d", i, st.w[i].pid, WEXITSTATUS(status));
    }
}

static int send_worker(int i, const struct wreq *q, char *msg, size_t size) {
    if (!st.w[i].alive) {
        snprintf(msg, size, "process %d died earlier", i);
        return -1;
    }
    if (send(st.w[i].fd, q, sizeof *q, MSG_NOSIGNAL) != (ssize_t) sizeof *q) {
        describe_death(i, msg, size);
        return -1;
    }
    return 0;
}

static int recv_worker(int i, struct wresp *r, char *msg, size_t size) {
    ssize_t n = recv(st.w[i].fd, r, sizeof *r, 0);
    if (n != (ssize_t) sizeof *r) {
        describe_death(i, msg, size);
        return -1;
    }
    if (r->status != 0) {
        snprintf(msg, size, "process %d: %s", i, r->msg);
        return -1;
    }
    return 0;
}

/* fd moved to a number of at least 10 (close-on-exec), so that the dup2s to 3 and 4 in a new worker cannot clash. */
static int high_fd(int fd) {
    if (fd < 0 || fd >= 10) return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return high;
}

/* Starts workload process i: this binary again (posix_spawn: no fork, so no copy-on-write faults here). */
static int spawn_worker(int i, char *msg, size_t size) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 || (sv[1] = high_fd(sv[1])) < 0) {
        snprintf(msg, size, "socketpair: %s", strerror(errno));
        return -1;
    }
    char index[16], bytes[24], shift[8];
    snprintf(index, sizeof index, "%d", i);
    snprintf(bytes, sizeof bytes, "%llu", (unsigned long long) st.region);
    snprintf(shift, sizeof shift, "%d", st.page_shift);
    char *argv[] = { "memvirt-agent", "--worker", index, bytes, shift, NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    posix_spawn_file_actions_adddup2(&fa, st.shm_fd, 4);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        snprintf(msg, size, "posix_spawn: %s", strerror(rc));
        return -1;
    }
    st.w[i].pid = pid;
    st.w[i].fd = sv[0];
    st.w[i].alive = 1;
    struct wresp hello;
    return recv_worker(i, &hello, msg, size);
}

static void stop_workers(void) {
    for (int i = 0; i < st.nproc; i++) {
        if (!st.w[i].alive) continue;
        kill(st.w[i].pid, SIGKILL);
        waitpid(st.w[i].pid, NULL, 0);
        st.w[i].alive = 0;
    }
}

static void power_off(int status) {
    stop_workers();
    if (getpid() != 1) exit(status);
    sync();
    reboot(RB_POWER_OFF);
    for (;;) pause();
}

/* ---- requests ---- */

static int parse_u64(const char *text, uint64_t *value) {
    if (!text || !*text) return -1;
    for (const char *c = text; *c; c++) if (*c < '0' || *c > '9') return -1;
    errno = 0;
    *value = strtoull(text, NULL, 10);
    return errno ? -1 : 0;
}

/* OFF BYTES: 4 KiB multiples inside the region. */
static int range_args(int nargs, uint64_t *off, uint64_t *bytes, char *msg, size_t size) {
    if (nargs < 4 || parse_u64(args[2], off) != 0 || parse_u64(args[3], bytes) != 0) {
        snprintf(msg, size, "'%s' needs OFFSET and BYTES as decimal numbers", args[1]);
        return -1;
    }
    if (*off % PAGE_SIZE_4K || *bytes % PAGE_SIZE_4K || *off > st.region || *bytes > st.region - *off) {
        snprintf(msg, size, "'%s %llu %llu' is not a 4 KiB-aligned range inside the region of %llu bytes", args[1],
                (unsigned long long) *off, (unsigned long long) *bytes, (unsigned long long) st.region);
        return -1;
    }
    return 0;
}

static int on_running(struct wreq *q, struct wresp *r, char *msg, size_t size) {
    q->demand = st.demand;
    if (send_worker(st.running, q, msg, size) != 0) return -1;
    return recv_worker(st.running, r, msg, size);
}

static int on_all(struct wreq *q, struct wresp *sum, char *msg, size_t size) {
    memset(sum, 0, sizeof *sum);
    int sent[MAX_PROCS] = {0}, failed = 0;
    for (int i = 0; i < st.nproc; i++) {
        if (!st.w[i].alive) continue;
        if (send_worker(i, q, msg, size) == 0) sent[i] = 1; else failed = 1;
    }
    for (int i = 0; i < st.nproc; i++) {
        struct wresp r;
        if (!sent[i]) continue;
        if (recv_worker(i, &r, msg, size) != 0) { failed = 1; continue; }
        for (int k = 0; k < 3; k++) sum->r[k] += r.r[k];
        if (r.r[1] && !sum->msg[0]) memcpy(sum->msg, r.msg, sizeof sum->msg);   /* verify: the first mismatch */
    }
    return failed ? -1 : 0;
}

static char *result_u64(char *p, const char *key, uint64_t value) {
    char *end = result + sizeof result - 1;
    if (p > result) json_raw(&p, end, ",");
    json_str(&p, end, key);
    json_raw(&p, end, ":");
    json_u64(&p, end, value);
    *p = 0;
    return p;
}

/*
 * Writes 'madvise' to the THP policy if it is 'never' (MADV_HUGEPAGE does nothing under 'never'). Read first and open
 * for writing only then: under 'madvise' or 'always' nothing is written, so the agent needs no root for it (run
 * natively by a user, as the tests do).
 */
static int thp_allow_madvise(char *msg, size_t size) {
    char text[128] = "";
    int fd = open(THP_ENABLED, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, size, "pages 2M: %s: %s (no transparent huge pages in this kernel?)", THP_ENABLED, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, text, sizeof text - 1);
    text[n > 0 ? n : 0] = 0;
    close(fd);
    if (!strstr(text, "[never]")) return 0;
    fd = open(THP_ENABLED, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "madvise", 7) != 7) {
        snprintf(msg, size, "pages 2M: writing 'madvise' to %s: %s", THP_ENABLED, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static const char *const VERBS[] = { "region", "touch", "read", "fill", "access", "populate", "unmap", "remap", "free",
    "processes", "switch", "demand", "pages", "sleep", "verify", "stats", NULL };

/* Runs one request; result[] gets its result fields. 0 done, -1 failed with msg. */
static int run_op(int nargs, char *msg, size_t size) {
    const char *verb = args[1];
    int known = 0;
    for (int i = 0; VERBS[i]; i++) known |= strcmp(VERBS[i], verb) == 0;
    if (!known) {
        snprintf(msg, size, "unknown op '%s'", verb);
        return -1;
    }
    uint64_t off = 0, bytes = 0, n = 0;
    struct wreq q;
    struct wresp r;
    memset(&q, 0, sizeof q);
    memset(&r, 0, sizeof r);
    result[0] = 0;
    char *p = result;
    if (strcmp(verb, "region") == 0) {
        if (st.nproc) { snprintf(msg, size, "the region is set already"); return -1; }
        if (nargs != 3 || parse_u64(args[2], &n) != 0 || n == 0 || n % HUGE_SIZE_2M) {
            snprintf(msg, size, "'region' needs BYTES, a positive multiple of 2 MiB");
            return -1;
        }
        st.region = n;
        if (spawn_worker(0, msg, size) != 0) return -1;
        st.nproc = 1;
        result_u64(p, "processes", 1);
        return 0;
    }
    if (strcmp(verb, "stats") == 0) return 0;
    if (strcmp(verb, "sleep") == 0) {
        if (nargs != 3 || parse_u64(args[2], &n) != 0) { snprintf(msg, size, "'sleep' needs NANOSECONDS"); return -1; }
        struct timespec t = { (time_t) (n / 1000000000ULL), (long) (n % 1000000000ULL) };
        while (nanosleep(&t, &t) != 0 && errno == EINTR) { }
        return 0;
    }
    if (strcmp(verb, "demand") == 0) {
        if (nargs != 3 || (strcmp(args[2], "0") != 0 && strcmp(args[2], "1") != 0)) {
            snprintf(msg, size, "'demand' needs 0 or 1");
            return -1;
        }
        st.demand = args[2][0] == '1';
        return 0;
    }
    if (!st.nproc) { snprintf(msg, size, "'%s' before 'region': the session starts with 'region BYTES'", verb); return -1; }
    if (strcmp(verb, "touch") == 0 || strcmp(verb, "read") == 0 || strcmp(verb, "populate") == 0
            || strcmp(verb, "unmap") == 0 || strcmp(verb, "remap") == 0 || strcmp(verb, "free") == 0) {
        if (nargs != 4 || range_args(nargs, &off, &bytes, msg, size) != 0) {
            if (nargs != 4) snprintf(msg, size, "'%s' needs OFFSET and BYTES", verb);
            return -1;
        }
        q.op = verb[0] == 't' ? W_TOUCH : verb[0] == 'p' ? W_POPULATE : verb[0] == 'u' ? W_UNMAP : verb[0] == 'f' ? W_FREE
                : strcmp(verb, "read") == 0 ? W_READ : W_REMAP;
        q.a[0] = off;
        q.a[1] = bytes;
        if (on_running(&q, &r, msg, size) != 0) return -1;
        result_u64(p, "pages", r.r[0]);
        return 0;
    }
    if (strcmp(verb, "fill") == 0) {
        uint64_t kind, param;
        if (nargs != 6 || range_args(nargs, &off, &bytes, msg, size) != 0 || parse_u64(args[4], &kind) != 0 || kind > 3
                || parse_u64(args[5], &param) != 0) {
            if (!msg[0]) snprintf(msg, size, "'fill' needs OFFSET BYTES KIND(0..3) PARAM");
            return -1;
        }
        q.op = W_FILL;
        q.a[0] = off;
        q.a[1] = bytes;
        q.a[2] = kind;
        q.a[3] = param;
        if (on_running(&q, &r, msg, size) != 0) return -1;
        result_u64(p, "pages", r.r[0]);
        return 0;
    }
    if (strcmp(verb, "access") == 0) {
        if (nargs < 3 || parse_u64(args[2], &n) != 0 || n > ACCESS_MAX || (uint64_t) nargs != n + 3) {
            snprintf(msg, size, "'access' needs COUNT (at most %d) and then COUNT entries", ACCESS_MAX);
            return -1;
        }
        for (uint64_t i = 0; i < n; i++) {
            if (parse_u64(args[3 + i], &st.shm->access[i]) != 0) {
                snprintf(msg, size, "'access': entry %llu is not a decimal number", (unsigned long long) i);
                return -1;
            }
        }
        q.op = W_ACCESS;
        q.a[0] = n;
        if (on_running(&q, &r, msg, size) != 0) return -1;
        result_u64(p, "accesses", r.r[0]);
        return 0;
    }
    if (strcmp(verb, "processes") == 0) {
        if (nargs != 3 || parse_u64(args[2], &n) != 0 || n < 1 || n > MAX_PROCS) {
            snprintf(msg, size, "'processes' needs a count 1..%d", MAX_PROCS);
            return -1;
        }
        while ((uint64_t) st.nproc < n) {
            if (spawn_worker(st.nproc, msg, size) != 0) return -1;
            st.nproc++;
        }
        result_u64(p, "processes", (uint64_t) st.nproc);
        return 0;
    }
    if (strcmp(verb, "switch") == 0) {
        uint64_t pcid;
        if (nargs != 4 || parse_u64(args[2], &n) != 0 || parse_u64(args[3], &pcid) != 0 || pcid > 1) {
            snprintf(msg, size, "'switch' needs COUNT and PCID (0 or 1)");
            return -1;
        }
        st.shm->remaining = (int64_t) n;
        st.shm->nproc = st.nproc;
        st.shm->final = st.running;
        for (int i = 0; i < MAX_PROCS; i++) st.shm->turn[i] = 0;
        __atomic_store_n(&st.shm->turn[st.running], 1, __ATOMIC_RELEASE);
        q.op = W_SWITCH;
        q.a[0] = n;
        if (st.nproc == 1 ? on_running(&q, &r, msg, size) != 0 : on_all(&q, &r, msg, size) != 0) return -1;
        st.running = st.shm->final;
        p = result_u64(p, "running", (uint64_t) st.running);
        result_u64(p, "handoffs", n);
        return 0;
    }
    if (strcmp(verb, "pages") == 0) {
        if (nargs != 3 || parse_u64(args[2], &n) != 0 || (n != 12 && n != 21)) {
            snprintf(msg, size, "'pages' needs a page shift, 12 or 21");
            return -1;
        }
        if (n == 21 && thp_allow_madvise(msg, size) != 0) return -1;
        st.page_shift = (int) n;
        q.op = W_PAGES;
        q.a[0] = n;
        return on_all(&q, &r, msg, size);
    }
    if (strcmp(verb, "verify") == 0) {
        q.op = W_VERIFY;
        if (on_all(&q, &r, msg, size) != 0) return -1;
        p = result_u64(p, "pages", r.r[0]);
        p = result_u64(p, "mismatches", r.r[1]);
        if (r.r[1]) {
            char *end = result + sizeof result - 1;
            json_raw(&p, end, ",\"first\":");
            json_str(&p, end, r.msg);
            *p = 0;
        }
        return 0;
    }
    snprintf(msg, size, "op '%s' has no handler", verb);
    return -1;
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One request line: 'SEQ VERB ARG...'. */
static void handle(long len) {
    char msg[512] = "";
    if (len == -2) {
        reply_error(0, "request longer than 2 MiB");
        return;
    }
    int nargs = 0;
    for (char *save = NULL, *tok = strtok_r(line, " ", &save); tok && nargs < MAX_ARGS; tok = strtok_r(NULL, " ", &save))
        args[nargs++] = tok;
    uint64_t seq;
    if (nargs < 2 || parse_u64(args[0], &seq) != 0) {
        reply_error(0, "malformed request: expected 'SEQ OP ARG...'");
        return;
    }
    if (seq != st.seq + 1) {
        snprintf(msg, sizeof msg, "out-of-order request: sequence %llu, expected %llu", (unsigned long long) seq,
                (unsigned long long) (st.seq + 1));
        reply_error(seq, msg);
        return;
    }
    st.seq = seq;
    st.have_session = 1;
    if (strcmp(args[1], "exit") == 0) {
        char *p = reply_start("bye", seq);
        json_raw(&p, reply + sizeof reply, "}");
        send_line(p);
        power_off(0);
    }
    if (strcmp(args[1], "crash") == 0) _exit(70);              /* for tests: the agent dies (as PID 1: a panic) */
    int have = counters_read(st.before) == 0;
    int64_t t0 = now_ns();
    int rc = run_op(nargs, msg, sizeof msg);
    int64_t t1 = now_ns();
    if (rc != 0) {
        reply_error(seq, msg[0] ? msg : "failed");
        return;
    }
    have = have && counters_read(st.after) == 0;
    char *p = reply_start("done", seq), *end = reply + sizeof reply - 2;
    json_raw(&p, end, ",\"op\":");
    json_str(&p, end, args[1]);
    json_raw(&p, end, ",\"ns\":");
    json_i64(&p, end, t1 - t0);
    json_raw(&p, end, ",\"running\":");
    json_u64(&p, end, (uint64_t) st.running);
    json_raw(&p, end, ",\"result\":{");
    json_raw(&p, end, result);
    json_raw(&p, end, "}");
    if (have) {
        json_raw(&p, end, ",");
        counters_delta_json(st.before, st.after, &p, end);
    }
    json_raw(&p, end, ",");
    meminfo_json(&p, end);
    json_raw(&p, end, "}");
    send_line(p);
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "--worker") == 0) return worker_main(argc, argv);
    int stdio = argc >= 2 && strcmp(argv[1], "--stdio") == 0;
    signal(SIGPIPE, SIG_IGN);
    if (stdio) {
        chan_in = 0;
        chan_out = 1;
    } else {
        int fd = open_port();
        if (fd < 0) {
            fprintf(stderr, "memvirt-agent: no virtio-console port named %s: %s\n", PORT_NAME, strerror(errno));
            power_off(1);
        }
        chan_in = chan_out = fd;
    }
    st.shm_fd = high_fd(memfd_create("memvirt-agent", MFD_CLOEXEC));
    if (st.shm_fd < 0 || ftruncate(st.shm_fd, sizeof *st.shm) != 0
            || (st.shm = mmap(NULL, sizeof *st.shm, PROT_READ | PROT_WRITE, MAP_SHARED, st.shm_fd, 0)) == MAP_FAILED) {
        fprintf(stderr, "memvirt-agent: shared memory: %s\n", strerror(errno));
        power_off(1);
    }
    st.before = counters_new();
    st.after = counters_new();
    mlockall(MCL_CURRENT | MCL_FUTURE);          /* best effort: the coordinator's own pages never fault during ops */
    if (!stdio) wait_for_host();
    reply_ready();
    for (;;) {
        long len = read_line();
        if (len == -1) {
            if (stdio || st.have_session) power_off(0);   /* the host closed the channel */
            usleep(50 * 1000);                            /* a port reads end-of-file until the host opens it */
            continue;
        }
        handle(len);
    }
}
