/*
 * The guest's own counters: /proc/vmstat (every event counter and gauge by the kernel's name, mm/vmstat.c
 * vmstat_text), /proc/stat's ctxt and processes (fs/proc/stat.c), /proc/meminfo (fs/proc/meminfo.c). Read with
 * read(2) into static buffers, so reading them costs the guest no page fault.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define MAX_VMSTAT 320
#define NAME_MAX_LEN 48

struct counters {
    int n;
    char names[MAX_VMSTAT][NAME_MAX_LEN];
    int64_t values[MAX_VMSTAT];
    int64_t ctxt, processes;
};

static struct counters pool[2];
static int pool_used;
static char text[1 << 15];

struct counters *counters_new(void) {
    return pool_used < 2 ? &pool[pool_used++] : NULL;
}

/* The whole file into text (NUL-terminated); its length, or -1. */
static ssize_t slurp(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, text + len, sizeof text - 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += (size_t) r;
        if (len == sizeof text - 1) break;
    }
    close(fd);
    text[len] = 0;
    return (ssize_t) len;
}

int counters_read(struct counters *c) {
    if (slurp("/proc/vmstat") < 0) return -1;
    c->n = 0;
    for (char *line = text; *line && c->n < MAX_VMSTAT; ) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        char *space = strchr(line, ' ');
        if (space && space - line < NAME_MAX_LEN) {
            memcpy(c->names[c->n], line, (size_t) (space - line));
            c->names[c->n][space - line] = 0;
            c->values[c->n++] = strtoll(space + 1, NULL, 10);
        }
        if (!nl) break;
        line = nl + 1;
    }
    if (slurp("/proc/stat") < 0) return -1;
    char *p = strstr(text, "\nctxt ");
    c->ctxt = p ? strtoll(p + 6, NULL, 10) : 0;
    p = strstr(text, "\nprocesses ");
    c->processes = p ? strtoll(p + 11, NULL, 10) : 0;
    return 0;
}

/* "vmstat":{name:delta,...} (non-zero changes only, in /proc/vmstat order),"stat":{"ctxt":d,"processes":d} */
void counters_delta_json(const struct counters *before, const struct counters *after, char **out, char *end) {
    json_raw(out, end, "\"vmstat\":{");
    int first = 1;
    for (int i = 0; i < after->n; i++) {
        int j = i < before->n && strcmp(before->names[i], after->names[i]) == 0 ? i : -1;
        for (int k = 0; j < 0 && k < before->n; k++) if (strcmp(before->names[k], after->names[i]) == 0) j = k;
        int64_t delta = after->values[i] - (j < 0 ? 0 : before->values[j]);
        if (delta == 0) continue;
        if (!first) json_raw(out, end, ",");
        first = 0;
        json_str(out, end, after->names[i]);
        json_raw(out, end, ":");
        json_i64(out, end, delta);
    }
    json_raw(out, end, "},\"stat\":{\"ctxt\":");
    json_i64(out, end, after->ctxt - before->ctxt);
    json_raw(out, end, ",\"processes\":");
    json_i64(out, end, after->processes - before->processes);
    json_raw(out, end, "}");
}

/* "meminfo":{Name:value,...}: bytes where the kernel prints kB, else the number as printed (HugePages_* counts). */
int meminfo_json(char **out, char *end) {
    if (slurp("/proc/meminfo") < 0) return -1;
    json_raw(out, end, "\"meminfo\":{");
    int first = 1;
    for (char *line = text; *line; ) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = 0;
            char *rest;
            unsigned long long value = strtoull(colon + 1, &rest, 10);
            if (strstr(rest, "kB")) value *= 1024;
            if (!first) json_raw(out, end, ",");
            first = 0;
            json_str(out, end, line);
            json_raw(out, end, ":");
            json_u64(out, end, value);
        }
        if (!nl) break;
        line = nl + 1;
    }
    json_raw(out, end, "}");
    return 0;
}
