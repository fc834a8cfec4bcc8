<?php
// Check results of the model test, one line per property: "ok - what (n times)" or
// "FAIL - what: detail" (run.sh counts both). A property checked many times is one line, so a
// known failure shows once, with the first details that reproduce it.

final class Report
{
    /** @var array<string, array{0: int, 1: list<string>}> property => [times passed, failure details] */
    private array $checks = [];

    public function ok(string $what): void
    {
        $this->checks[$what] ??= [0, []];
        $this->checks[$what][0]++;
    }

    public function fail(string $what, string $detail): void
    {
        $this->checks[$what] ??= [0, []];
        $this->checks[$what][1][] = $detail;
    }

    /** Records $what as passed when $true, else failed with $detail; returns $true. */
    public function check(string $what, bool $true, string $detail = ''): bool
    {
        $true ? $this->ok($what) : $this->fail($what, $detail);
        return $true;
    }

    public function print(string $prefix): void
    {
        foreach ($this->checks as $what => [$passed, $failed]) {
            if ($failed === []) {
                echo "ok - $prefix: $what ($passed times)\n";
                continue;
            }
            $times = count($failed);
            echo "FAIL - $prefix: $what: failed $times times (passed $passed)\n";
            foreach (array_slice($failed, 0, 3) as $detail) {
                echo '       ' . str_replace("\n", "\n       ", rtrim($detail)) . "\n";
            }
        }
    }
}

/** A short printable form of a value (for failure details). */
function show(mixed $v, int $max = 160): string
{
    try {
        $s = is_string($v) && !preg_match('/[^\x20-\x7e]/', $v) ? var_export($v, true) : serialize($v);
    } catch (Throwable $e) {
        $s = get_debug_type($v);
    }
    $s = preg_replace_callback('/[^\x20-\x7e]/', fn ($m) => sprintf('\\x%02x', ord($m[0])), $s);
    return strlen($s) > $max ? substr($s, 0, $max) . '...(' . strlen($s) . ' chars)' : $s;
}

function describe_error(Throwable $e): string
{
    return get_class($e) . ': ' . $e->getMessage();
}
