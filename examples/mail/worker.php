<?php

/**
 * Sends the queued welcome mails: reserve a job, send it, ack it; on failure release it to be
 * tried again after an exponential backoff (the queue moves it to the dead letters once it has
 * used its attempts). SIGTERM or SIGINT stops it after the current job, even while it waits.
 *
 * php worker.php [--queue mail] [--outbox DIR] [--mailer eml|smtp|flaky] [--smtp HOST:PORT]
 *                [--fail-rate 0.3] [--seed N] [--max-jobs N] [--idle-exit SECONDS] [--from ADDRESS]
 */

declare(strict_types=1);

foreach (['Message', 'Mailer', 'MailerException', 'EmlMailer', 'SmtpMailer', 'FlakyMailer'] as $class) {
    require_once __DIR__ . "/$class.php";
}

const USAGE = "usage: php worker.php [--queue NAME] [--outbox DIR] [--mailer eml|smtp|flaky] [--smtp HOST:PORT]\n"
    . "       [--fail-rate RATE] [--seed N] [--max-jobs N] [--idle-exit SECONDS] [--from ADDRESS]\n";
const WAIT_SECONDS = 5.0;  // one blocking reserve(); a signal ends it early
const MAX_BACKOFF = 5.0;

$options = getopt('', ['queue:', 'outbox:', 'mailer:', 'smtp:', 'fail-rate:', 'seed:', 'max-jobs:',
    'idle-exit:', 'from:', 'help'], $rest);
if (isset($options['help']) || $rest !== count($argv)) {
    fwrite(isset($options['help']) ? STDOUT : STDERR, USAGE);
    exit(isset($options['help']) ? 0 : 2);
}
$queueName = $options['queue'] ?? (getenv('SHMQUEUE_MAIL_QUEUE') ?: 'mail');
$from = $options['from'] ?? 'welcome@example.test';
$maxJobs = (int) ($options['max-jobs'] ?? 0);
$idleExit = (float) ($options['idle-exit'] ?? 0);

try {
    $mailer = makeMailer($options);
} catch (InvalidArgumentException $error) {
    fwrite(STDERR, $error->getMessage() . "\n" . USAGE);
    exit(2);
}

$stopSignal = null;
pcntl_async_signals(true);
foreach ([SIGTERM, SIGINT] as $signal) {
    pcntl_signal($signal, function (int $signal) use (&$stopSignal): void {
        $stopSignal = $signal;
    });
}

$queue = new SHMQueue($queueName);
$maxAttempts = $queue->stats()['max_attempts'];
$me = '[worker ' . getmypid() . ']';
$counts = ['sent' => 0, 'retried' => 0, 'dead-lettered' => 0, 'leases lost' => 0];
$lastJobAt = microtime(true);
echo "$me waiting for mail on queue \"$queueName\"\n";

while ($stopSignal === null) {
    if ($maxJobs > 0 && array_sum($counts) >= $maxJobs) {
        $stopReason = "after $maxJobs jobs";
        break;
    }
    $idleLeft = $idleExit > 0 ? $lastJobAt + $idleExit - microtime(true) : WAIT_SECONDS;
    if ($idleLeft <= 0) {
        $stopReason = "idle for $idleExit s";
        break;
    }
    $job = $queue->reserve(min(WAIT_SECONDS, $idleLeft));
    if ($job === null) {
        continue;  // timed out, or a signal arrived: the loop condition decides
    }
    $lastJobAt = microtime(true);
    $recipient = is_array($job->value) && is_string($job->value['to'] ?? null) ? $job->value['to'] : '?';
    $what = "#{$job->id} to $recipient (attempt {$job->attempts} of $maxAttempts)";
    try {
        $mailer->send(Message::fromJob($job->value, $from));
    } catch (MailerException | InvalidArgumentException $failure) {
        // Released at its last attempt, the queue moves it to the dead letters (a malformed
        // job gets there too, after the same attempts).
        $final = $job->attempts >= $maxAttempts;
        $backoff = min(0.05 * 2 ** ($job->attempts - 1), MAX_BACKOFF);
        $released = $queue->release($job, $final ? 0 : $backoff);
        $outcome = !$released ? 'leases lost' : ($final ? 'dead-lettered' : 'retried');
        $counts[$outcome]++;
        echo "$me failed $what: {$failure->getMessage()}; " . match ($outcome) {
            'leases lost' => 'its lease had run out',
            'dead-lettered' => 'to the dead letters',
            'retried' => "retry in $backoff s",
        } . "\n";
        continue;
    }
    if ($queue->ack($job)) {
        $counts['sent']++;
        echo "$me sent $what\n";
    } else {
        // Sent, but the lease ran out first: someone else got the job and will send it again.
        $counts['leases lost']++;
        echo "$me sent $what, but its lease had run out: it will be sent again\n";
    }
}

$stopReason ??= $stopSignal === SIGINT ? 'SIGINT' : 'SIGTERM';
$summary = implode(', ', array_map(fn ($name, $count) => "$count $name", array_keys($counts), $counts));
echo "$me stopped ($stopReason): $summary\n";

/** The mailer --mailer names: eml (default), flaky (eml failing --fail-rate of the sends), smtp. */
function makeMailer(array $options): Mailer
{
    $outbox = $options['outbox'] ?? sys_get_temp_dir() . '/mail-outbox';
    switch ($options['mailer'] ?? 'eml') {
        case 'eml':
            return new EmlMailer($outbox);
        case 'flaky':
            $rate = (float) ($options['fail-rate'] ?? 0.3);
            return new FlakyMailer(new EmlMailer($outbox), $rate, (int) ($options['seed'] ?? getmypid()));
        case 'smtp':
            [$host, $port] = explode(':', $options['smtp'] ?? '127.0.0.1:25', 2) + [1 => '25'];
            return new SmtpMailer($host, (int) $port);
    }
    throw new InvalidArgumentException("unknown mailer \"{$options['mailer']}\"");
}
