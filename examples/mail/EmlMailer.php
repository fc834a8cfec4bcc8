<?php

declare(strict_types=1);

/**
 * "Sends" by writing each message as an .eml file into a directory (an outbox to look at, or
 * a pickup directory of a real MTA). Files appear whole: written under a hidden name, synced,
 * then renamed.
 */
final class EmlMailer implements Mailer
{
    public function __construct(private readonly string $directory)
    {
        if (!is_dir($directory) && !@mkdir($directory, 0775, true) && !is_dir($directory)) {
            throw new MailerException("cannot create the outbox $directory");
        }
    }

    public function send(Message $message): void
    {
        $name = sprintf('%s-%d-%s', gmdate('Ymd\THis'), getmypid(), bin2hex(random_bytes(4)));
        $temporary = "{$this->directory}/.$name.tmp";
        $file = @fopen($temporary, 'xb');
        if ($file === false) {
            throw new MailerException("cannot create $temporary");
        }
        $text = $message->render();
        $written = fwrite($file, $text);
        $synced = fsync($file);
        fclose($file);
        if ($written !== strlen($text) || !$synced || !rename($temporary, "{$this->directory}/$name.eml")) {
            @unlink($temporary);
            throw new MailerException("cannot write {$this->directory}/$name.eml");
        }
    }
}
