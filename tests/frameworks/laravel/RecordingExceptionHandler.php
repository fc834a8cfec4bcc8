<?php

namespace ShmQueue\Tests\Laravel;

use Illuminate\Contracts\Debug\ExceptionHandler;
use Throwable;

/** Keeps what the worker reports (Laravel's handler would log it). */
final class RecordingExceptionHandler implements ExceptionHandler
{
    /** @var list<Throwable> */
    public array $reported = [];

    public function report(Throwable $e)
    {
        $this->reported[] = $e;
    }

    public function shouldReport(Throwable $e)
    {
        return true;
    }

    public function render($request, Throwable $e)
    {
        throw $e;
    }

    public function renderForConsole($output, Throwable $e)
    {
    }
}
