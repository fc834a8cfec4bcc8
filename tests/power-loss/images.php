<?php
// Crash images (the model of ALICE and CrashMonkey): at a moment T the disk holds, for each page
// of the file, the last version a flush made durable by T (zeros if none did), or independently
// any newer version the page went through up to T: a flush still in flight, or a version the
// sampler read from the page cache (the kernel may have written any of them back on its own).
// A version is current at some moment in [start, end] (the copy or read took that long): it is
// newer than the durable one when it starts after that one ends, and possible at T when it ends
// by T. Versions come from the shim's flush log and the sampler's log (shim.c, sampler.c);
// contents stay in those files and are read when an image is made.

const PAGE = 4096;

final class CrashImages
{
    /** @var array<int, list<array{int, int, int, int}>> page => durable by T [returned, log, offset, end], sorted */
    private array $durable = [];
    /** @var array<int, list<array{int, int, int, int}>> page => versions [end, log, offset, start] by end */
    private array $seen = [];
    /** @var list<resource> */
    private array $logs;
    public int $pages;
    private int $size;
    public int $flushes = 0;
    public int $samples = 0;
    /** @var list<int> when each flush returned, sorted */
    public array $flushTimes = [];

    public function __construct(string $flushLog, string $sampleLog, string $file, int $size)
    {
        $this->size = $size;
        $this->pages = intdiv($size + PAGE - 1, PAGE);
        $this->logs = [fopen($flushLog, 'rb'), fopen($sampleLog, 'rb')];
        $this->readFlushes($file);
        $this->readSamples();
        foreach ([&$this->durable, &$this->seen] as &$byPage) {
            foreach ($byPage as &$versions) {
                usort($versions, fn ($a, $b) => $a[0] <=> $b[0]);
            }
            unset($versions);
        }
        unset($byPage);
        // of the flushes returned by T, the disk holds the newest content (two processes may
        // flush one page at once, the older copy returning last): a running maximum by copy time
        foreach ($this->durable as &$versions) {
            $newest = $versions[0];
            foreach ($versions as &$v) {
                $newest = $v[3] > $newest[3] ? $v : $newest;
                $v = [$v[0], ...array_slice($newest, 1)];
            }
            unset($v);
        }
        unset($versions);
        sort($this->flushTimes);
    }

    private function readFlushes(string $file): void
    {
        $log = $this->logs[0];
        while (strlen($head = (string) fread($log, 56)) === 56) {
            $v = unpack('Pmagic/Pstart/Pend/Preturned/Poffset/Plen/VpathLen/Vkind', $head);
            if ($v['magic'] !== 0x53594e43454e5645) {
                throw new RuntimeException('flush log damaged at ' . (ftell($log) - 56));
            }
            $path = fread($log, $v['pathLen']);
            $at = ftell($log);
            fseek($log, $v['len'], SEEK_CUR);
            if ($path !== $file) {
                continue;
            }
            $this->flushes++;
            $this->flushTimes[] = $v['returned'];
            // only whole pages count: a flush of part of a page says nothing of the rest (but the
            // file's last page is whole when the flush reaches the end of the file)
            $end = $v['offset'] + $v['len'] >= $this->size ? $this->pages * PAGE : $v['offset'] + $v['len'];
            for ($p = intdiv($v['offset'] + PAGE - 1, PAGE); ($p + 1) * PAGE <= $end; $p++) {
                $where = $at + $p * PAGE - $v['offset'];
                $this->durable[$p][] = [$v['returned'], 0, $where, $v['end']];
                $this->seen[$p][] = [$v['end'], 0, $where, $v['start']];
            }
        }
    }

    private function readSamples(): void
    {
        $log = $this->logs[1];
        while (strlen($head = (string) fread($log, 32)) === 32) {
            $v = unpack('Pmagic/Pstart/Pend/Ppage', $head);
            if ($v['magic'] !== 0x454c504d41534547) {
                throw new RuntimeException('sample log damaged at ' . (ftell($log) - 32));
            }
            $this->samples++;
            $this->seen[$v['page']][] = [$v['end'], 1, ftell($log), $v['start']];
            fseek($log, PAGE, SEEK_CUR);
        }
    }

    /** Index of the first version in $versions (sorted by time) whose time is > $t. */
    private static function firstAfter(array $versions, int $t): int
    {
        $lo = 0;
        $hi = count($versions);
        while ($lo < $hi) {
            $mid = ($lo + $hi) >> 1;
            if ($versions[$mid][0] <= $t) {
                $lo = $mid + 1;
            } else {
                $hi = $mid;
            }
        }
        return $lo;
    }

    private function content(array $version): string
    {
        fseek($this->logs[$version[1]], $version[2]);
        return fread($this->logs[$version[1]], PAGE);
    }

    /**
     * The image at $t (CLOCK_MONOTONIC ns): each page its durable version, or with probability
     * $newer any version newer than that and possible by $t. Returns [bytes, pages taken newer].
     */
    public function image(int $t, float $newer): array
    {
        $image = '';
        $mixed = 0;
        for ($p = 0; $p < $this->pages; $p++) {
            $durable = $this->durable[$p] ?? [];
            $d = self::firstAfter($durable, $t) - 1;
            $page = $d < 0 ? null : $durable[$d];
            $seen = $this->seen[$p] ?? [];
            $from = $page === null ? 0 : self::firstAfter($seen, $page[3] - 1);
            $to = self::firstAfter($seen, $t) - 1;
            if ($to >= $from && mt_rand() / mt_getrandmax() < $newer) {
                $pick = $seen[mt_rand($from, $to)];
                if ($page === null || $pick[3] >= $page[3]) {
                    $page = $pick;
                    $mixed++;
                }
            }
            $image .= $page === null ? str_repeat("\0", PAGE) : $this->content($page);
        }
        return [substr($image, 0, $this->size), $mixed]; // the file may end inside its last page
    }
}
