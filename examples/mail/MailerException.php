<?php

declare(strict_types=1);

/** A send that failed and may succeed when tried again. */
final class MailerException extends RuntimeException
{
}
