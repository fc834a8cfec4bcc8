<?php

namespace ShmQueue\Tests\Symfony;

use Symfony\Contracts\Service\ServiceProviderInterface;

/** The service locators Messenger's listeners and commands take (FrameworkBundle passes ServiceLocators). */
final class ArrayLocator implements ServiceProviderInterface
{
    public function __construct(private array $services)
    {
    }

    public function get(string $id): mixed
    {
        return $this->services[$id];
    }

    public function has(string $id): bool
    {
        return isset($this->services[$id]);
    }

    public function getProvidedServices(): array
    {
        return array_map(fn ($service) => get_debug_type($service), $this->services);
    }
}
