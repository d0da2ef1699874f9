//! How many argon2id hashes per second this machine can compute at the
//! product's cost (`Argon2Cost::OWASP`, the parameters `PasswordService` uses):
//! the ceiling for logins and user creation. Used by tests/load/bench.py.
//!
//!     cargo run --release -p clientele --example argon2_rate -- [threads] [seconds]
//!
//! `threads` defaults to the number of cores, `seconds` to 5. Prints one JSON line.

use argon2::password_hash::{rand_core::OsRng, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use clientele::config::Argon2Cost;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get()),
        |a| a.parse().expect("threads must be a number"),
    );
    let seconds: f64 = args
        .next()
        .map_or(5.0, |a| a.parse().expect("seconds must be a number"));
    let cost = Argon2Cost::OWASP;
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .expect("valid argon2 parameters");
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);

    let count = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (argon, count, stop) = (argon.clone(), count.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let salt = SaltString::generate(&mut OsRng);
                    argon
                        .hash_password(b"B3nch-Passw0rd!x", &salt)
                        .expect("argon2 hashes");
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().expect("worker finished");
    }
    // Hashes still running when the time was up finish (and count) before the
    // clock stops, so the rate is hashes over the time they really took.
    let elapsed = start.elapsed().as_secs_f64();
    let hashes = count.load(Ordering::Relaxed);
    println!(
        "{{\"threads\": {threads}, \"memory_kib\": {}, \"iterations\": {}, \"parallelism\": {}, \
         \"hashes\": {hashes}, \"seconds\": {elapsed:.3}, \"hashes_per_second\": {:.2}}}",
        cost.memory_kib,
        cost.iterations,
        cost.parallelism,
        hashes as f64 / elapsed
    );
}
