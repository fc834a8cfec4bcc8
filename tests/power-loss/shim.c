// Preloaded into the workload's processes: records what each msync(MS_SYNC), fsync and fdatasync
// of a file under $POWERLOSS_WATCH makes durable, so that crash images can be built from it.
// An event is the content at the moment of the call (copied before the real call: the times
// around the copy bound when that content was current) and the time the call returned (the
// model: durable once the call returned). Events are appended
// to $POWERLOSS_LOG under flock, so the log keeps the order across processes.
// $POWERLOSS_SKIP=N (a negative control) leaves every Nth flush out of the log: the simulator
// then believes it never happened, and the checker must notice what that loses.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct event { // followed by path_len bytes of path, then len bytes of content
    uint64_t magic, copy_start_ns, copy_end_ns, returned_ns, offset, len;
    uint32_t path_len, kind; // kind: 0 msync, 1 fsync/fdatasync
};
#define EVENT_MAGIC 0x53594e43454e5645ull

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int watched(const char *path)
{
    const char *dir = getenv("POWERLOSS_WATCH");
    size_t n = dir ? strlen(dir) : 0;
    return n && strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int skipped(void)
{
    static unsigned long count; // per process: a control, not an exact schedule
    const char *every = getenv("POWERLOSS_SKIP");
    long n = every ? atol(every) : 0;
    return n > 0 && ++count % n == 0;
}

static void write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w <= 0) abort(); // a log with a hole would make every later image wrong
        p += w, len -= (size_t)w;
    }
}

static void append_event(struct event *e, const char *path, const void *content)
{
    const char *log = getenv("POWERLOSS_LOG");
    if (!log) return;
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) abort();
    flock(fd, LOCK_EX);
    e->magic = EVENT_MAGIC;
    e->path_len = (uint32_t)strlen(path);
    write_all(fd, e, sizeof *e);
    write_all(fd, path, e->path_len);
    write_all(fd, content, e->len);
    close(fd); // releases the lock after the whole event is in
}

// The file and offset that the mapping at addr shows, from /proc/self/maps; 0 when none.
static int mapped_file(uintptr_t addr, char *path, uint64_t *offset)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    char line[PATH_MAX + 128];
    int found = 0;
    if (!maps) return 0;
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long start, end, off;
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &start, &end, &off, &name_at) < 3 || !name_at) continue;
        if (addr < start || addr >= end) continue;
        line[strcspn(line, "\n")] = 0;
        snprintf(path, PATH_MAX, "%s", line + name_at);
        *offset = off + (addr - start);
        found = path[0] == '/';
    }
    fclose(maps);
    return found;
}

// PHP loads extensions with RTLD_DEEPBIND, which binds their libc calls past this shim: without
// the flag they bind as any program's do, to the first definition, the shim's.
void *dlopen(const char *file, int mode)
{
    static void *(*real)(const char *, int);
    if (!real) real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return real(file, mode & ~RTLD_DEEPBIND);
}

int msync(void *addr, size_t len, int flags)
{
    static int (*real)(void *, size_t, int);
    if (!real) real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "msync");
    char path[PATH_MAX];
    struct event e = {0};
    void *copy = NULL;
    int record = (flags & MS_SYNC) && mapped_file((uintptr_t)addr, path, &e.offset) && watched(path) && !skipped();
    if (record) {
        copy = malloc(len ? len : 1);
        e.len = len;
        e.copy_start_ns = now_ns();
        memcpy(copy, addr, len);
        e.copy_end_ns = now_ns();
    }
    int result = real(addr, len, flags);
    if (record) {
        e.returned_ns = now_ns();
        if (result == 0) append_event(&e, path, copy);
        free(copy);
    }
    return result;
}

static int file_sync(int fd, int (*real)(int))
{
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    struct stat st;
    if (n <= 0 || (path[n] = 0, !watched(path)) || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || skipped())
        return real(fd);
    struct event e = {.kind = 1, .len = (uint64_t)st.st_size};
    char *copy = malloc(e.len ? e.len : 1);
    e.copy_start_ns = now_ns();
    ssize_t got = pread(fd, copy, e.len, 0);
    e.copy_end_ns = now_ns();
    if (got != (ssize_t)e.len) {
        free(copy); // not readable (write-only fd): unknown content, so no event
        return real(fd);
    }
    int result = real(fd);
    e.returned_ns = now_ns();
    if (result == 0) append_event(&e, path, copy);
    free(copy);
    return result;
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return file_sync(fd, real);
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    return file_sync(fd, real);
}
