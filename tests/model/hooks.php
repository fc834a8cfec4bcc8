<?php
// Classes whose serialization hooks do what user code may do inside the extension's calls:
// exit(), run out of memory or time, warn, throw, or use the queue again. They act only when
// MODEL_HOOK is set in the environment, so the process that stores them is not affected.

function hook_on(): bool
{
    return getenv('MODEL_HOOK') === '1';
}

/** What the hook does, from MODEL_HOOK_DO: exit, memory, time, warning, throw, reenter-*, remove. */
function run_hook(): void
{
    if (!hook_on()) {
        return;
    }
    switch (getenv('MODEL_HOOK_DO')) {
        case 'exit':
            exit(7);
        case 'memory':
            $GLOBALS['hog'] = str_repeat('m', 512 << 20);
            break;
        case 'time':
            for (;;) {
                $GLOBALS['spin'] = ($GLOBALS['spin'] ?? 0) + 1;
            }
        case 'warning':
            trigger_error('model-hook-warning', E_USER_WARNING);
            echo @$undefined_variable_in_hook;     // a silenced one must stay silent
            break;
        case 'throw':
            throw new RuntimeException('model-hook-throws');
        case 'reenter-enqueue':
            $GLOBALS['inner'] = $GLOBALS['q']->enQueue('inner value');
            break;
        case 'reenter-dequeue':
            $GLOBALS['inner'] = $GLOBALS['q']->deQueue();
            break;
        case 'reenter-stats':
            $GLOBALS['inner'] = $GLOBALS['q']->stats()['length'];
            break;
        case 'remove':
            $GLOBALS['inner'] = SHMQueue::remove($GLOBALS['q_name']);
            break;
    }
}

class HookWakeup
{
    public $payload = 'wakeup';

    public function __wakeup(): void
    {
        run_hook();
    }
}

class HookUnserialize
{
    public $payload = 'unserialize';

    public function __serialize(): array
    {
        return ['p' => $this->payload];
    }

    public function __unserialize(array $a): void
    {
        $this->payload = $a['p'];
        run_hook();
    }
}

class HookSerialize
{
    public $payload = 'serialize';

    public function __serialize(): array
    {
        run_hook();
        return ['p' => $this->payload];
    }

    public function __unserialize(array $a): void
    {
        $this->payload = $a['p'];
    }
}

class HookSleep
{
    public $payload = 'sleep';

    public function __sleep(): array
    {
        run_hook();
        return ['payload'];
    }
}
