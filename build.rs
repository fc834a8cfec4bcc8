// ext-php-rs finds PHP through `php-config` on its own; this only makes cargo rebuild
// the extension when the PHP it builds against changes.
fn main() {
    println!("cargo:rerun-if-env-changed=PHP");
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
}
