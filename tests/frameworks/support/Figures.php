<?php

namespace ShmQueue\Tests;

/** Measured figures, printed next to PHPUnit's progress so that run.sh's output keeps them. */
final class Figures
{
    public static function print(string $what, string $value): void
    {
        fwrite(STDERR, sprintf("  figure: %s: %s\n", $what, $value));
    }
}
