// The simulator's own test subject: a log of checksummed records in a file mapped MAP_SHARED.
// Page 0 holds the record count, records (64 bytes) follow from page 1. Each append writes the
// record, then the count; with "always" it msyncs the record's page and then page 0 before it
// prints "ack SEQ NS" (NS: CLOCK_MONOTONIC after the flush), with "off" it never flushes.
//   toylog FILE always|off RECORDS
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define SIZE (16 * PAGE)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t checksum(const unsigned char *p, size_t n) // FNV-1a: enough to see a torn record
{
    uint32_t h = 2166136261u;
    while (n--) h = (h ^ *p++) * 16777619u;
    return h;
}

int main(int argc, char **argv)
{
    if (argc != 4) return fprintf(stderr, "usage: toylog FILE always|off RECORDS\n"), 2;
    int always = strcmp(argv[2], "always") == 0;
    long records = atol(argv[3]);
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, SIZE) != 0) return perror(argv[1]), 1;
    unsigned char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return perror("mmap"), 1;
    if (always && msync(map, SIZE, MS_SYNC) != 0) return perror("msync"), 1;
    for (uint64_t seq = 0; seq < (uint64_t)records && PAGE + (seq + 1) * 64 <= SIZE; seq++) {
        unsigned char *r = map + PAGE + seq * 64;
        memcpy(r, &seq, 8);
        memset(r + 8, (int)(seq * 7 + 1), 52);
        uint32_t sum = checksum(r, 60);
        memcpy(r + 60, &sum, 4);
        uint64_t count = seq + 1;
        memcpy(map, &count, 8);
        if (always) {
            unsigned char *page = map + ((r - map) / PAGE) * PAGE;
            if (msync(page, PAGE, MS_SYNC) != 0 || msync(map, PAGE, MS_SYNC) != 0) return perror("msync"), 1;
        }
        printf("ack %llu %llu\n", (unsigned long long)seq, (unsigned long long)now_ns());
        fflush(stdout);
        usleep(2000);
    }
    return 0;
}
