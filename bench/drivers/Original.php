<?php
// The original userland class (shmop + sysvsem, 100 blocks of 256 bytes, head/tail in
// ./shmq.ptr). It is loaded from a copy in the bench's working directory, renamed to
// OriginalSHMQueue so that it can sit beside the extension's SHMQueue; its System V key comes
// from ftok() of that copy, so it never touches the queue of a real installation.
// Its pointer file goes where the driver is told ($ptrDir; the driver chdir()s there before
// using the class): on disk as in a php-fpm application directory, or on tmpfs, its best case.

abstract class Original extends Driver
{
    /** Blocks of the original ring (25600 / 256): one stays empty, so 99 messages fit. */
    private const BLOCKS = 100;
    private const BLOCK_SIZE = 256;

    private static ?string $copy = null;

    public function __construct(protected string $ptrDir)
    {
    }

    /** Loads the class; returns why it cannot (null: loaded). */
    public static function load(string $reference, string $workDir): ?string
    {
        if (self::$copy !== null) {
            return null;
        }
        if (!is_file($reference)) {
            return "$reference not found";
        }
        foreach (['shmop_open', 'sem_get', 'ftok'] as $function) {
            if (!function_exists($function)) {
                return "$function() missing (shmop/sysvsem)";
            }
        }
        $source = preg_replace('/^class SHMQueue\b/m', 'class OriginalSHMQueue', file_get_contents($reference), 1, $renamed);
        if ($renamed !== 1) {
            return "no 'class SHMQueue' in $reference";
        }
        self::$copy = "$workDir/original_shmqueue.php";
        file_put_contents(self::$copy, $source);
        require self::$copy;
        return null;
    }

    public static function available(): bool
    {
        return self::$copy !== null;
    }

    public function unsupported(mixed $value, int $batch): ?string
    {
        if (!self::available()) {
            return 'original class not loaded';
        }
        $encoded = strlen(serialize($value) . '__eof');
        if ($encoded > self::BLOCK_SIZE - 1) {
            return "$encoded bytes > its 255-byte block";
        }
        if ($batch > self::BLOCKS - 1) {
            return "batch $batch > its 99 messages";
        }
        return null;
    }

    public function prepare(): void
    {
        $this->cleanup();
    }

    public function attach(): void
    {
        chdir($this->ptrDir);
    }

    public function leftover(): int
    {
        chdir($this->ptrDir);
        $queue = new OriginalSHMQueue();
        $length = $queue->getLength();
        unset($queue);
        return $length;
    }

    /** Removes the shared memory, the semaphore and the pointer file. */
    public function cleanup(): void
    {
        if (!self::available()) {
            return;
        }
        $key = ftok(self::$copy, 't');
        $shm = @shmop_open($key, 'w', 0, 0);
        if ($shm !== false) {
            shmop_delete($shm);
        }
        $sem = sem_get($key, 1);
        if ($sem !== false) {
            @sem_remove($sem);
        }
        @unlink("{$this->ptrDir}/shmq.ptr");
    }
}
