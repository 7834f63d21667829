/* A bounded JSON writer: appends to [*out, end), never past it (a full buffer truncates; callers size it generously). */
#include "agent.h"

static void put(char **out, char *end, char c) {
    if (*out < end) *(*out)++ = c;
}

void json_raw(char **out, char *end, const char *text) {
    while (*text) put(out, end, *text++);
}

/* A JSON string (RFC 8259 section 7): quotes, backslashes and control characters escaped. */
void json_str(char **out, char *end, const char *text) {
    static const char hex[] = "0123456789abcdef";
    put(out, end, '"');
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            put(out, end, '\\');
            put(out, end, (char) *p);
        } else if (*p < 0x20) {
            json_raw(out, end, "\\u00");
            put(out, end, hex[*p >> 4]);
            put(out, end, hex[*p & 15]);
        } else {
            put(out, end, (char) *p);
        }
    }
    put(out, end, '"');
}

void json_u64(char **out, char *end, uint64_t value) {
    char digits[24];
    int n = 0;
    do digits[n++] = (char) ('0' + value % 10); while ((value /= 10) != 0);
    while (n) put(out, end, digits[--n]);
}

void json_i64(char **out, char *end, int64_t value) {
    if (value < 0) {
        put(out, end, '-');
        json_u64(out, end, (uint64_t) 0 - (uint64_t) value);
    } else {
        json_u64(out, end, (uint64_t) value);
    }
}
