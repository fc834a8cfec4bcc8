--TEST--
Strings come back byte for byte: all 256 byte values, NUL bytes, invalid UTF-8, the empty string
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$q = new SHMQueue(shmq_name(), 65536);
$all_bytes = implode('', array_map('chr', range(0, 255)));
$cases = [
    'all 256 bytes' => $all_bytes,
    'all 256 bytes reversed, twice' => strrev($all_bytes) . strrev($all_bytes),
    'empty' => '',
    'one NUL' => "\0",
    'NUL inside' => "a\0b\0",
    'invalid UTF-8' => "\xC3\x28\xA0\xA1\xE2\x28\xA1\xF0\x28\x8C\xBC\xFF\xFE",
    'UTF-8' => "Grüße, 世界 🙂",
    'serialize look-alike' => 's:3:"abc";',
    'numeric string' => '0123',
    'spaces' => "  \t\n",
];
foreach ($cases as $label => $value) {
    $back = shmq_roundtrip($q, $value);
    printf("%-30s %-6s len %3d %s\n", $label, get_debug_type($back), strlen($back),
        $back === $value ? 'identical' : 'DIFFERENT: ' . bin2hex($back));
}
?>
--EXPECT--
all 256 bytes                  string len 256 identical
all 256 bytes reversed, twice  string len 512 identical
empty                          string len   0 identical
one NUL                        string len   1 identical
NUL inside                     string len   4 identical
invalid UTF-8                  string len  13 identical
UTF-8                          string len  20 identical
serialize look-alike           string len  10 identical
numeric string                 string len   4 identical
spaces                         string len   4 identical
