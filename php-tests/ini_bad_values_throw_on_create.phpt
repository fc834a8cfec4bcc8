--TEST--
Bad ini values (shmqueue.default_capacity "1x", permissions "abc"/"0400"/"01777"/"9", max_attempts "x", lease "x") make queue creation throw, naming the setting
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/shmq.inc';
$name = shmq_name();
$bad = [
    'shmqueue.default_capacity' => ['1x', 'lots', '-1M', '1K'],
    'shmqueue.permissions' => ['abc', '0400', '0200', '01777', '9', '-600'],
    'shmqueue.max_attempts' => ['x', '0', '300', ''],
    'shmqueue.lease' => ['x', '0', '-5', ''],
];
foreach ($bad as $setting => $values) {
    $default = ini_get($setting);
    foreach ($values as $value) {
        ini_set($setting, $value);
        echo "$setting=", json_encode($value), ": ";
        shmq_try(fn() => new SHMQueue($name));
        clearstatcache();
        if (file_exists(shmq_path($name))) {
            echo "  a segment was created anyway\n";
            SHMQueue::remove($name);
        }
    }
    ini_set($setting, $default);
}
// The settings back to their defaults: creation works again.
$q = new SHMQueue($name);
var_dump($q->stats()['capacity']);
?>
--EXPECTF--
shmqueue.default_capacity="1x": SHMQueueException: invalid shmqueue.default_capacity: "1x"%s
shmqueue.default_capacity="lots": SHMQueueException: invalid shmqueue.default_capacity: "lots"%s
shmqueue.default_capacity="-1M": SHMQueueException: invalid %s
shmqueue.default_capacity="1K": SHMQueueException: invalid capacity: 1024 bytes is outside 4096..=%d
shmqueue.permissions="abc": SHMQueueException: invalid shmqueue.permissions: "abc"%s
shmqueue.permissions="0400": SHMQueueException: invalid %Apermissions: 0400 %s
shmqueue.permissions="0200": SHMQueueException: invalid %Apermissions: 0200 %s
shmqueue.permissions="01777": SHMQueueException: invalid %Apermissions: 01777 %s
shmqueue.permissions="9": SHMQueueException: invalid shmqueue.permissions: "9"%s
shmqueue.permissions="-600": SHMQueueException: invalid shmqueue.permissions: "-600"%s
shmqueue.max_attempts="x": SHMQueueException: invalid shmqueue.max_attempts: "x"%s
shmqueue.max_attempts="0": SHMQueueException: invalid %Amax%sttempts: 0 is outside 1..=255
shmqueue.max_attempts="300": SHMQueueException: invalid %Amax%sttempts: 300 is outside 1..=255
shmqueue.max_attempts="": SHMQueueException: invalid shmqueue.max_attempts: ""%s
shmqueue.lease="x": SHMQueueException: invalid shmqueue.lease: "x"%s
shmqueue.lease="0": SHMQueueException: invalid %Alease: 0 seconds%s
shmqueue.lease="-5": SHMQueueException: invalid %Alease: -5 seconds%s
shmqueue.lease="": SHMQueueException: invalid shmqueue.lease: ""%s
int(1048576)
