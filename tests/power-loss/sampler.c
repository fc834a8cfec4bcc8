// Reads a file every few milliseconds (pread: the page cache, the content a write-back could
// take) and logs each page whose content changed since the last read, with the time of the read,
// so that crash images know the versions a page went through between flushes.
//   sampler FILE LOG INTERVAL_US STOP_FILE    (runs until STOP_FILE exists)
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
struct sample { uint64_t magic, read_start_ns, read_end_ns, page; }; // followed by PAGE bytes
#define SAMPLE_MAGIC 0x454c504d41534547ull

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 5) return fprintf(stderr, "usage: sampler FILE LOG INTERVAL_US STOP_FILE\n"), 2;
    FILE *log = fopen(argv[2], "wb");
    long interval = atol(argv[3]);
    char *last = NULL, *now = NULL;
    size_t size = 0;
    if (!log) return perror(argv[2]), 1;
    while (access(argv[4], F_OK) != 0) {
        int fd = open(argv[1], O_RDONLY);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
            size_t pages = ((size_t)st.st_size + PAGE - 1) / PAGE;
            if (pages * PAGE != size) { // new or grown file: every page is new
                size = pages * PAGE;
                last = realloc(last, size), now = realloc(now, size);
                memset(last, 0xA5, size); // a pattern no page starts as, so all get logged
            }
            memset(now, 0, size);
            // each page read was current at some moment between these two times
            uint64_t start = now_ns();
            ssize_t got = pread(fd, now, (size_t)st.st_size, 0);
            uint64_t end = now_ns();
            if (got >= 0) {
                for (size_t p = 0; p < pages; p++) {
                    if (memcmp(now + p * PAGE, last + p * PAGE, PAGE) == 0) continue;
                    struct sample s = {SAMPLE_MAGIC, start, end, p};
                    fwrite(&s, sizeof s, 1, log);
                    fwrite(now + p * PAGE, PAGE, 1, log);
                }
                char *swap = last; last = now; now = swap;
            }
        }
        if (fd >= 0) close(fd);
        usleep((useconds_t)interval);
    }
    return fclose(log) != 0;
}
