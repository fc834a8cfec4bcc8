<?php
// A minimal FastCGI client: request() sends GET requests one after the other over one
// kept-alive connection to php-fpm (cgi-fcgi starts a process and a connection per request, too
// slow for 100,000 of them). Used by memory.php.

const FCGI_BEGIN_REQUEST = 1, FCGI_END_REQUEST = 3, FCGI_PARAMS = 4, FCGI_STDIN = 5, FCGI_STDOUT = 6, FCGI_STDERR = 7;
const FCGI_RESPONDER = 1, FCGI_KEEP_CONN = 1;

function record(int $type, string $content): string
{
    return pack('CCnnCx', 1, $type, 1, strlen($content), 0) . $content;
}

function pair(string $name, string $value): string
{
    $length = fn (string $s) => strlen($s) < 128 ? chr(strlen($s)) : pack('N', strlen($s) | 0x80000000);
    return $length($name) . $length($value) . $name . $value;
}

function read_exactly($socket, int $n): string
{
    $data = '';
    while (strlen($data) < $n) {
        $chunk = fread($socket, $n - strlen($data));
        if ($chunk === false || $chunk === '') {
            throw new RuntimeException('php-fpm closed the connection');
        }
        $data .= $chunk;
    }
    return $data;
}

/** One request; returns the response body (headers removed) and php-fpm's stderr for it. */
function request($socket, string $script, string $query): array
{
    $params = pair('SCRIPT_FILENAME', $script) . pair('SCRIPT_NAME', '/' . basename($script))
        . pair('REQUEST_METHOD', 'GET') . pair('QUERY_STRING', $query) . pair('SERVER_PROTOCOL', 'HTTP/1.1');
    fwrite($socket, record(FCGI_BEGIN_REQUEST, pack('nCx5', FCGI_RESPONDER, FCGI_KEEP_CONN))
        . record(FCGI_PARAMS, $params) . record(FCGI_PARAMS, '') . record(FCGI_STDIN, ''));
    $stdout = $stderr = '';
    for (;;) {
        $header = unpack('Cversion/Ctype/nid/nlength/Cpadding', read_exactly($socket, 8));
        $content = read_exactly($socket, $header['length'] + $header['padding']);
        $content = substr($content, 0, $header['length']);
        if ($header['type'] === FCGI_STDOUT) {
            $stdout .= $content;
        } elseif ($header['type'] === FCGI_STDERR) {
            $stderr .= $content;
        } elseif ($header['type'] === FCGI_END_REQUEST) {
            break;
        }
    }
    $body = ($at = strpos($stdout, "\r\n\r\n")) === false ? $stdout : substr($stdout, $at + 4);
    return [$body, $stderr];
}
