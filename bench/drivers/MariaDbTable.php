<?php
// The article's design, with the durability users pick it for: a MariaDB (InnoDB) table that
// producers INSERT into (autocommit: each insert is a transaction, on disk when it returns, as
// innodb_flush_log_at_trx_commit=1, the default, makes it), polled by workers. A worker takes the
// oldest row nobody holds with SELECT ... FOR UPDATE SKIP LOCKED, runs the job while it holds the
// row (a worker that dies rolls back: the row is taken again), and deletes it in the same
// transaction once the job succeeded; a failed job counts an attempt, and the row is deleted at
// MAX_ATTEMPTS. The job here is decoding the payload (serialize()d into a BLOB by the producer).
// The server is private to the run (run.sh starts it: own datadir and socket, BENCH_MARIADB_SOCKET).
// The workers' sessions read committed, so that an empty table's gap lock never holds up an insert.

final class MariaDbTable extends Driver
{
    private const MAX_ATTEMPTS = 3;
    /** How long a worker that found the table empty sleeps before it polls again. */
    private const POLL_US = 1_000;

    private ?PDO $db = null;
    private ?PDOStatement $insert = null;
    private ?PDOStatement $take = null;
    private ?PDOStatement $delete = null;
    private ?PDOStatement $fail = null;

    public function __construct(private ?string $socket)
    {
    }

    public function name(): string
    {
        return 'mariadb';
    }

    public function unsupported(mixed $value, int $batch): ?string
    {
        if (!extension_loaded('pdo_mysql')) {
            return 'pdo_mysql not loaded (php8.2-mysql)';
        }
        return $this->socket === null ? 'no mariadbd (BENCH_MARIADB_SOCKET unset)' : null;
    }

    private function connect(): PDO
    {
        $db = new PDO("mysql:unix_socket={$this->socket}", 'root', '', [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false]);
        $db->exec('CREATE DATABASE IF NOT EXISTS shmq_bench');
        $db->exec('USE shmq_bench');
        return $db;
    }

    public function prepare(): void
    {
        $db = $this->connect();
        $db->exec('DROP TABLE IF EXISTS jobs');
        $db->exec('CREATE TABLE jobs (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, payload MEDIUMBLOB NOT NULL,'
            . ' attempts INT UNSIGNED NOT NULL DEFAULT 0) ENGINE=InnoDB');
    }

    public function attach(): void
    {
        $db = $this->db = $this->connect();
        $db->exec('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        $this->insert = $db->prepare('INSERT INTO jobs (payload) VALUES (?)');
        $this->take = $db->prepare('SELECT id, payload, attempts FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED');
        $this->delete = $db->prepare('DELETE FROM jobs WHERE id = ?');
        $this->fail = $db->prepare('UPDATE jobs SET attempts = attempts + 1 WHERE id = ?');
    }

    public function batch(mixed $value, int $n): mixed
    {
        throw new LogicException('mariadb runs in the forked shapes only');
    }

    public function send(mixed $value): void
    {
        $this->insert->execute([serialize($value)]);
    }

    public function receive(float $timeout): mixed
    {
        $deadline = hrtime(true) + (int) ($timeout * 1e9);
        do {
            $this->db->beginTransaction();
            $this->take->execute();
            $row = $this->take->fetch(PDO::FETCH_NUM);
            $this->take->closeCursor();
            if ($row === false) {
                $this->db->commit();
                usleep(self::POLL_US);
                continue;
            }
            [$id, $payload, $attempts] = $row;
            $value = @unserialize($payload, ['allowed_classes' => false]);
            $failed = $value === false; // the benchmark never sends false
            ($failed && $attempts + 1 < self::MAX_ATTEMPTS ? $this->fail : $this->delete)->execute([$id]);
            $this->db->commit();
            if (!$failed) {
                return $value;
            }
        } while (hrtime(true) < $deadline);
        return null;
    }

    public function detach(): void
    {
        $this->db = $this->insert = $this->take = $this->delete = $this->fail = null;
    }

    public function leftover(): int
    {
        return (int) $this->connect()->query('SELECT COUNT(*) FROM jobs')->fetchColumn();
    }

    public function cleanup(): void
    {
        $this->detach();
        if ($this->socket !== null && extension_loaded('pdo_mysql')) {
            $this->connect()->exec('DROP TABLE IF EXISTS jobs');
        }
    }
}
