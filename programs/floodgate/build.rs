//! Anchor's `#[program]` emits `entrypoint!(entry)` unless the crate has the
//! `no-entrypoint` feature. Floodgate has its own entrypoint (`src/lean`: a lean claim
//! path in front of Anchor's `entry`), so when the build did not ask for
//! `no-entrypoint`, this turns Anchor's off and `floodgate_entrypoint` on.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(floodgate_entrypoint)");
    if std::env::var_os("CARGO_FEATURE_NO_ENTRYPOINT").is_none() {
        println!("cargo::rustc-cfg=floodgate_entrypoint");
        println!("cargo::rustc-cfg=feature=\"no-entrypoint\"");
    }
}
