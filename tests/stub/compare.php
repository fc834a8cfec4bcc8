<?php
// Compares two API descriptions made by describe.php, both ways: what the extension declares and
// the stub lacks, what the stub declares and the extension lacks, and every fact that differs.
// Prints one "ok SUBJECT" / "not ok SUBJECT" line per class, function or constant, with the
// differences under it; exits 1 when anything differs.
//
//   php compare.php EXTENSION.json STUB.json

[$self, $extensionFile, $stubFile] = $argv + [null, null, null];
if ($stubFile === null) {
    fwrite(STDERR, "usage: php $self EXTENSION.json STUB.json\n");
    exit(2);
}
$read = fn (string $file) => json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
$extension = $read($extensionFile);
$stub = $read($stubFile);

/** The class, function or constant a fact is about: "SHMQueue::enQueue() #1 ..." -> "SHMQueue". */
function subject(string $fact): string
{
    if (str_starts_with($fact, 'const ')) {
        return $fact;
    }
    return preg_split('/::| /', $fact, 2)[0];
}

$problems = [];
foreach ($extension as $fact => $value) {
    if (!array_key_exists($fact, $stub)) {
        $problems[subject($fact)][] = "missing in stub: $fact (extension: $value)";
    } elseif ($stub[$fact] !== $value) {
        $problems[subject($fact)][] = "differs: $fact (extension: $value, stub: {$stub[$fact]})";
    }
}
foreach ($stub as $fact => $value) {
    if (!array_key_exists($fact, $extension)) {
        $problems[subject($fact)][] = "extra in stub: $fact (stub: $value)";
    }
}
$subjects = array_unique(array_map('subject', array_keys($extension + $stub)));
sort($subjects);
foreach ($subjects as $subject) {
    if (empty($problems[$subject])) {
        echo "ok $subject\n";
        continue;
    }
    echo "not ok $subject\n";
    foreach ($problems[$subject] as $problem) {
        echo "    $problem\n";
    }
}
exit($problems ? 1 : 0);
