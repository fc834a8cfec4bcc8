<?php
// PHPUnit bootstrap of the framework suites (and of laravel/worker.php): Debian's autoloaders
// of Laravel's queue and Symfony Messenger, and PSR-4 for the two packages and the tests,
// as their composer.json files declare it (Composer itself is not used here).

if (!extension_loaded('shmqueue')) {
    fwrite(STDERR, "the shmqueue extension is not loaded: run with php -d extension=/path/to/libshmqueue.so\n");
    exit(1);
}

foreach ([
    'Illuminate/Queue/autoload.php',
    'Illuminate/Events/autoload.php',
    'Illuminate/Bus/autoload.php',
    'Symfony/Component/Messenger/autoload.php',
    'Symfony/Component/EventDispatcher/autoload.php',
    'Symfony/Component/Console/autoload.php',
] as $autoload) {
    require_once $autoload; // found through include_path (/usr/share/php)
}
// Laravel's cache, where installed: queue:pause / queue:resume keep their state there (Laravel 11+).
if (stream_resolve_include_path('Illuminate/Cache/autoload.php')) {
    require_once 'Illuminate/Cache/autoload.php';
}

spl_autoload_register(function (string $class): void {
    $roots = [
        'ShmQueue\\Laravel\\' => __DIR__ . '/../../frameworks/laravel/src/',
        'ShmQueue\\Symfony\\' => __DIR__ . '/../../frameworks/symfony/src/',
        'ShmQueue\\Tests\\Laravel\\' => __DIR__ . '/laravel/',
        'ShmQueue\\Tests\\Symfony\\' => __DIR__ . '/symfony/',
        'ShmQueue\\Tests\\' => __DIR__ . '/support/',
    ];
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
