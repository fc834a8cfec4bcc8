<?php
// What the figures were measured on: CPU model, cores, kernel, PHP, machine load. Printed at the
// top of every report, since no figure holds beyond the CPU it was measured on.

final class Machine
{
    /** @return array{cpu: string, cpus: int, kernel: string, php: string, load: array{float, float, float}} */
    public static function describe(): array
    {
        $cpu = 'unknown CPU';
        foreach (@file('/proc/cpuinfo', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
            if (preg_match('/^model name\s*:\s*(.+)$/', $line, $m)) {
                $cpu = trim($m[1]);
                break;
            }
        }
        $mhz = self::firstField('/proc/cpuinfo', '/^cpu MHz\s*:\s*([\d.]+)/');
        $uname = posix_uname();
        return [
            'cpu' => $cpu . ($mhz === null ? '' : sprintf(' (%.0f MHz)', $mhz)),
            'cpus' => (int) trim((string) shell_exec('nproc')),
            'kernel' => $uname['sysname'] . ' ' . $uname['release'] . ' ' . $uname['machine'],
            'php' => PHP_VERSION . (PHP_ZTS ? ' ZTS' : ' NTS'),
            'load' => sys_getloadavg(),
        ];
    }

    /** One line for the report's header. */
    public static function line(array $machine): string
    {
        return sprintf(
            'CPU: %s, %d CPUs; kernel %s; PHP %s; load average at start %.2f %.2f %.2f (1, 5, 15 min)',
            $machine['cpu'], $machine['cpus'], $machine['kernel'], $machine['php'], ...$machine['load'],
        );
    }

    private static function firstField(string $file, string $pattern): ?float
    {
        foreach (@file($file, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
            if (preg_match($pattern, $line, $m)) {
                return (float) $m[1];
            }
        }
        return null;
    }
}
