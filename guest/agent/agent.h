/*
 * memvirt's guest agent: runs memvirt workload ops inside a Linux guest's user space and reports the guest's own
 * counters for each (docs/agent-protocol.md). One coordinator process (PID 1 in the guest) talks to the host; each
 * workload process is a worker it starts by executing this binary again with --worker.
 */
#ifndef MEMVIRT_AGENT_H
#define MEMVIRT_AGENT_H

#include <stddef.h>
#include <stdint.h>

#define AGENT_PROTOCOL   1
#define PAGE_SIZE_4K     4096UL
#define HUGE_SIZE_2M     (2UL << 20)
#define MAX_PROCS        256          /* as the kvm runtime's guest/layout.h MAX_PROCS */
#define ACCESS_MAX       65536        /* entries of one 'access' request (page << 1 | write) */
#define MAX_FILLS        254          /* fill contents a process remembers for verify (state bytes 2..255) */
#define MSG_MAX          200

/* Requests from the coordinator to a worker, over the worker's socketpair. */
enum worker_op {
    W_TOUCH = 1, W_READ, W_FILL, W_ACCESS, W_POPULATE, W_UNMAP, W_REMAP, W_FREE, W_PAGES, W_SWITCH, W_VERIFY
};

struct wreq {
    int32_t op;
    int32_t demand;                   /* 1: demand paging on (no populate before touch/read/fill) */
    uint64_t a[4];
};

struct wresp {
    int64_t status;                   /* 0 done, -1 failed (msg says why) */
    uint64_t r[3];
    char msg[MSG_MAX];
};

/* Memory shared by the coordinator and every worker (a memfd): the context-switch ring and access lists. */
struct shared {
    volatile int32_t turn[MAX_PROCS]; /* switch ring: 0 wait, 1 your turn, 2 done */
    volatile int64_t remaining;       /* handoffs still to make */
    volatile int32_t nproc;
    volatile int32_t final;           /* the process holding the token when the ring stopped */
    uint64_t access[ACCESS_MAX];
};

int worker_main(int argc, char **argv);

/* counters.c: the guest's own counters */
struct counters;
struct counters *counters_new(void);
int counters_read(struct counters *c);             /* 0 ok, -1 with errno */
void counters_delta_json(const struct counters *before, const struct counters *after, char **out, char *end);
int meminfo_json(char **out, char *end);

/* json.c: a bounded JSON writer (no allocation) */
void json_raw(char **out, char *end, const char *text);
void json_str(char **out, char *end, const char *text);
void json_u64(char **out, char *end, uint64_t value);
void json_i64(char **out, char *end, int64_t value);

#endif
