<?php
// Resident memory of a php-fpm worker with and without the extension: one static worker, a few
// warm-up requests through cgi-fcgi, then the worker's /proc/<pid>/status. Three pools, same
// php.ini and conf.d, differing only in -d extension=... and in what the request does:
//   without  - the extension not loaded;
//   loaded   - loaded, the request does not use it;
//   used     - loaded, the request opens a queue and enqueues/dequeues one message (the mapping
//              of the touched ring pages then shows in RssShmem: shared by all workers).
// VmRSS counts shared pages (code of the .so, libc) in full in every worker; Private (from
// smaps_rollup: Private_Clean + Private_Dirty) is what this worker alone adds.

final class FpmRss
{
    private const WARM_UP_REQUESTS = 5;
    /** Pools started per mode; each field is the median (which pages of shared files a worker
     * maps varies a little from start to start). */
    private const SAMPLES = 3;
    private const FIELDS = ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem'];
    private const ROLLUP_FIELDS = ['Pss', 'Private_Clean', 'Private_Dirty'];

    /** Why the measurement cannot run here (null: it can). */
    public static function unavailable(): ?string
    {
        if (self::fpmBinary() === null) {
            return 'no php-fpm binary (PHP_FPM_BIN)';
        }
        return self::which('cgi-fcgi') === null ? 'no cgi-fcgi (package libfcgi-bin)' : null;
    }

    /** @return array<string, array<string, int>> mode => field => kB */
    public static function measure(string $extension, string $workDir): array
    {
        $queueName = 'bench_' . getmypid() . '_fpm';
        file_put_contents("$workDir/warm.php", <<<PHP
            <?php
            if ((\$_GET['use'] ?? '') === '1') {
                \$queue = new SHMQueue('$queueName');
                \$queue->enQueue(['to' => 'a@example.com', 'subject' => 'hi', 'user_id' => 1, 'tries' => 0]);
                \$queue->deQueue();
                unset(\$queue);
            }
            echo extension_loaded('shmqueue') ? 'with' : 'without';
            PHP);
        $modes = [
            'without' => [[], '0', 'without'],
            'loaded' => [['-d', "extension=$extension"], '0', 'with'],
            'used' => [['-d', "extension=$extension"], '1', 'with'],
        ];
        $result = [];
        try {
            // Interleaved, so that a page cache warming up over the measurement favours no mode.
            $samples = [];
            for ($i = 0; $i < self::SAMPLES; $i++) {
                foreach ($modes as $mode => [$ini, $use, $expect]) {
                    $samples[$mode][] = self::worker($ini, $use, $expect, "$workDir/fpm-$mode-$i", "$workDir/warm.php", basename($extension));
                }
            }
            foreach ($samples as $mode => $list) {
                $result[$mode] = self::median($list);
            }
        } finally {
            if (class_exists('SHMQueue')) {
                SHMQueue::remove($queueName);
            }
        }
        return $result;
    }

    private static function worker(array $ini, string $use, string $expect, string $dir, string $script, string $library): array
    {
        @mkdir($dir);
        $scanDir = self::scanDirWithoutShmqueue("$dir/conf.d");
        $asRoot = posix_geteuid() === 0;
        file_put_contents("$dir/fpm.conf", implode("\n", [
            '[global]',
            "error_log = $dir/fpm.log",
            'daemonize = no',
            '[bench]',
            $asRoot ? 'user = root' : '',
            "listen = $dir/fpm.sock",
            'pm = static',
            'pm.max_children = 1',
            '',
        ]));
        $command = [self::fpmBinary(), '-F', '-y', "$dir/fpm.conf", ...($asRoot ? ['-R'] : []), ...$ini];
        $env = ['PHP_INI_SCAN_DIR' => $scanDir] + getenv();
        $fpm = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/out", 'w'], 2 => ['file', "$dir/out", 'a']], $pipes, null, $env);
        if ($fpm === false) {
            throw new RuntimeException('php-fpm: could not start ' . implode(' ', $command));
        }
        try {
            $master = proc_get_status($fpm)['pid'];
            $deadline = microtime(true) + 10;
            while (!file_exists("$dir/fpm.sock") || self::children($master) === []) {
                if (microtime(true) > $deadline || !proc_get_status($fpm)['running']) {
                    throw new RuntimeException("php-fpm did not come up: " . @file_get_contents("$dir/out") . @file_get_contents("$dir/fpm.log"));
                }
                usleep(20_000);
            }
            for ($i = 0; $i < self::WARM_UP_REQUESTS; $i++) {
                $body = self::request("$dir/fpm.sock", $script, "use=$use");
                if (!str_ends_with(trim($body), $expect)) {
                    throw new RuntimeException("php-fpm request: expected a body ending in '$expect', got: " . substr($body, 0, 300));
                }
            }
            $workers = self::children($master);
            if (count($workers) !== 1) {
                throw new RuntimeException('php-fpm: expected 1 worker, found ' . count($workers));
            }
            return self::status($workers[0], $library);
        } finally {
            proc_terminate($fpm, SIGQUIT);
            proc_close($fpm);
        }
    }

    /** @param list<array<string, int>> $samples @return array<string, int> */
    private static function median(array $samples): array
    {
        $median = [];
        foreach (array_keys($samples[0]) as $field) {
            $values = array_column($samples, $field);
            sort($values);
            $median[$field] = $values[intdiv(count($values), 2)];
        }
        return $median;
    }

    /**
     * A copy (symlinks) of php-fpm's conf.d without any file loading shmqueue: an installed
     * copy enabled there would otherwise be in the "without" pool too.
     */
    private static function scanDirWithoutShmqueue(string $target): string
    {
        @mkdir($target);
        $info = (string) shell_exec(escapeshellarg(self::fpmBinary()) . ' -i 2>/dev/null');
        if (preg_match('/^Scan this dir for additional .ini files => (.+)$/m', $info, $m) && is_dir(trim($m[1]))) {
            foreach (glob(trim($m[1]) . '/*.ini') as $ini) {
                if (!preg_match('/^\s*(zend_)?extension\s*=.*shmqueue/m', file_get_contents($ini))) {
                    symlink($ini, "$target/" . basename($ini));
                }
            }
        }
        return $target;
    }

    private static function request(string $socket, string $script, string $query): string
    {
        $env = ['SCRIPT_FILENAME' => $script, 'REQUEST_METHOD' => 'GET', 'QUERY_STRING' => $query, 'PATH' => getenv('PATH')];
        $proc = proc_open(['cgi-fcgi', '-bind', '-connect', $socket], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        proc_close($proc);
        return $out;
    }

    /** @return int[] */
    private static function children(int $pid): array
    {
        $list = trim((string) @file_get_contents("/proc/$pid/task/$pid/children"));
        return $list === '' ? [] : array_map('intval', explode(' ', $list));
    }

    /**
     * @return array<string, int> field => kB: VmRSS, RssAnon, RssFile, RssShmem, Pss, Private, and
     * SoRss (resident pages of the mappings of $library, the extension's own code and data)
     */
    private static function status(int $pid, string $library): array
    {
        $fields = self::kilobytes("/proc/$pid/status", self::FIELDS);
        $rollup = self::kilobytes("/proc/$pid/smaps_rollup", self::ROLLUP_FIELDS);
        $fields['Pss'] = $rollup['Pss'] ?? 0;
        $fields['Private'] = ($rollup['Private_Clean'] ?? 0) + ($rollup['Private_Dirty'] ?? 0);
        $fields['SoRss'] = 0;
        $inLibrary = false;
        foreach (@file("/proc/$pid/smaps") ?: [] as $line) {
            if (preg_match('/^[0-9a-f]+-[0-9a-f]+ /', $line)) {
                $inLibrary = str_ends_with(rtrim($line), '/' . $library);
            } elseif ($inLibrary && preg_match('/^Rss:\s+(\d+) kB/', $line, $m)) {
                $fields['SoRss'] += (int) $m[1];
            }
        }
        return $fields;
    }

    /** @return array<string, int> */
    private static function kilobytes(string $file, array $wanted): array
    {
        $fields = [];
        foreach (@file($file) ?: [] as $line) {
            if (preg_match('/^(\w+):\s+(\d+) kB/', $line, $m) && in_array($m[1], $wanted, true)) {
                $fields[$m[1]] = (int) $m[2];
            }
        }
        return $fields;
    }

    private static function fpmBinary(): ?string
    {
        $named = getenv('PHP_FPM_BIN') ?: 'php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
        return self::which($named) ?? self::which('php-fpm');
    }

    private static function which(string $program): ?string
    {
        if (str_contains($program, '/')) {
            return is_executable($program) ? $program : null;
        }
        foreach (array_merge(explode(':', (string) getenv('PATH')), ['/usr/sbin', '/usr/local/sbin']) as $dir) {
            if ($dir !== '' && is_executable("$dir/$program")) {
                return "$dir/$program";
            }
        }
        return null;
    }
}
