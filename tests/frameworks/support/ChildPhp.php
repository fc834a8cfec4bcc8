<?php

namespace ShmQueue\Tests;

/** The command line of a PHP child process (a worker) that runs as this one does. */
final class ChildPhp
{
    /** @return list<string> PHP with the extension under test and this process's include path, then $script and $args */
    public static function command(string $script, string ...$args): array
    {
        $command = [PHP_BINARY];
        if ($so = getenv('SHMQUEUE_SO')) {
            array_push($command, '-d', 'extension=' . $so);
        }
        array_push($command, '-d', 'include_path=' . get_include_path(), $script);

        return [...$command, ...$args];
    }
}
