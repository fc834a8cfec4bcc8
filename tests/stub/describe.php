<?php
// Prints, as JSON, a flat description of an API: one "what" => "how" entry per fact that
// Reflection gives (classes and their kind, modifiers, parent, interfaces, constants, properties,
// methods, parameters with types and defaults; functions; constants). Two descriptions are then
// compared entry by entry (compare.php), so a difference names exactly what drifted.
//
//   php -n describe.php stub FILE        the declarations of a stub file (run WITHOUT the extension)
//   php -n -d extension=SO describe.php extension NAME    what the loaded extension NAME declares

function type_text(?ReflectionType $type): string
{
    return $type === null ? '(none)' : (string) $type;
}

function parameter_facts(string $owner, ReflectionParameter $p): array
{
    $at = sprintf('%s #%d $%s', $owner, $p->getPosition(), $p->getName());
    $facts = [
        "$at type" => type_text($p->getType()),
        "$at mode" => implode(' ', array_filter([
            $p->isOptional() ? 'optional' : 'required',
            $p->isVariadic() ? 'variadic' : null,
            $p->isPassedByReference() ? 'by-reference' : null,
            $p->isPromoted() ? 'promoted' : null,
        ])),
    ];
    if ($p->isDefaultValueAvailable()) {
        $facts["$at default"] = $p->isDefaultValueConstant()
            ? 'constant ' . $p->getDefaultValueConstantName()
            : var_export($p->getDefaultValue(), true);
    }
    return $facts;
}

function function_facts(string $at, ReflectionFunctionAbstract $f): array
{
    $facts = [
        "$at return" => type_text($f->getReturnType()),
        "$at tentative return" => $f->hasTentativeReturnType() ? type_text($f->getTentativeReturnType()) : '(none)',
        "$at by-reference return" => $f->returnsReference() ? 'yes' : 'no',
        "$at parameters" => implode(', ', array_map(fn ($p) => '$' . $p->getName(), $f->getParameters())),
    ];
    foreach ($f->getParameters() as $p) {
        $facts += parameter_facts($at, $p);
    }
    return $facts;
}

function class_facts(ReflectionClass $c): array
{
    $name = $c->getName();
    $kind = $c->isInterface() ? 'interface' : ($c->isTrait() ? 'trait' : ($c->isEnum() ? 'enum' : 'class'));
    $facts = [
        "$name" => $kind,
        "$name modifiers" => implode(' ', array_filter([
            $c->isFinal() ? 'final' : null,
            $c->isAbstract() && !$c->isInterface() ? 'abstract' : null,
            $c->isReadOnly() ? 'readonly' : null,
        ])) ?: '(none)',
        "$name parent" => $c->getParentClass() ? $c->getParentClass()->getName() : '(none)',
        "$name interfaces" => implode(', ', sorted($c->getInterfaceNames())) ?: '(none)',
    ];
    foreach ($c->getReflectionConstants() as $constant) {
        if ($constant->getDeclaringClass()->getName() !== $name) {
            continue;
        }
        $at = "$name::{$constant->getName()}";
        $facts[$at] = implode(' ', Reflection::getModifierNames($constant->getModifiers()))
            . ' = ' . var_export($constant->getValue(), true);
    }
    foreach ($c->getProperties() as $property) {
        if ($property->getDeclaringClass()->getName() !== $name) {
            continue;
        }
        $at = "$name::\${$property->getName()}";
        $facts[$at] = implode(' ', Reflection::getModifierNames($property->getModifiers()));
        $facts["$at type"] = type_text($property->getType());
        $facts["$at default"] = $property->hasDefaultValue()
            ? var_export($property->getDefaultValue(), true) : '(none)';
    }
    foreach ($c->getMethods() as $method) {
        if ($method->getDeclaringClass()->getName() !== $name) {
            continue;
        }
        $at = "$name::{$method->getName()}()";
        $facts[$at] = implode(' ', Reflection::getModifierNames($method->getModifiers()));
        $facts += function_facts($at, $method);
    }
    return $facts;
}

function sorted(array $names): array
{
    sort($names);
    return $names;
}

/** @param string[] $classes @param string[] $functions @param array<string, mixed> $constants */
function describe(array $classes, array $functions, array $constants): array
{
    $facts = [];
    foreach (sorted($classes) as $class) {
        $facts += class_facts(new ReflectionClass($class));
    }
    foreach (sorted($functions) as $function) {
        $f = new ReflectionFunction($function);
        $facts[$f->getName() . '()'] = 'function';
        $facts += function_facts($f->getName() . '()', $f);
    }
    ksort($constants);
    foreach ($constants as $constant => $value) {
        $facts["const $constant"] = var_export($value, true);
    }
    return $facts;
}

[$self, $mode, $what] = $argv + [null, null, null];
if ($mode === 'stub') {
    $classes = fn () => array_merge(get_declared_classes(), get_declared_interfaces(), get_declared_traits());
    $before = [$classes(), get_defined_functions()['user'], get_defined_constants(true)['user'] ?? []];
    require $what;
    $facts = describe(
        array_diff($classes(), $before[0]),
        array_diff(get_defined_functions()['user'], $before[1]),
        array_diff_key(get_defined_constants(true)['user'] ?? [], $before[2]),
    );
} elseif ($mode === 'extension') {
    if (!extension_loaded($what)) {
        fwrite(STDERR, "extension $what is not loaded\n");
        exit(2);
    }
    $extension = new ReflectionExtension($what);
    $facts = describe($extension->getClassNames(), array_keys($extension->getFunctions()), $extension->getConstants());
} else {
    fwrite(STDERR, "usage: php $self stub FILE | extension NAME\n");
    exit(1);
}
echo json_encode($facts, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
