use std::{fs::File, io::Write, time::Instant};
use anchor_lang::prelude::Pubkey;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

fn main() {
    let n = 1_000_000u32;
    let key = Pubkey::new_from_array([5; 32]);
    let t = Instant::now();
    let mut acc = 0u8;
    for i in 0..n { acc ^= floodgate::merkle::leaf_hash(i, &key, 1, 2)[0]; }
    println!("1M leaf_hash 1 thread: {:?} {acc}", t.elapsed());
    let t = Instant::now();
    let mut acc = 0u8;
    let a = [1u8; 32];
    for _ in 0..n { acc ^= floodgate::merkle::node_hash(&a, &a)[0]; }
    println!("1M node_hash 1 thread: {:?} {acc}", t.elapsed());
    let t = Instant::now();
    let mut acc = 0u8;
    let msg = [3u8; 53];
    for _ in 0..n { acc ^= Sha256::digest(msg)[0]; }
    println!("1M sha2 digest 53B: {:?} {acc}", t.elapsed());
    let big = vec![7u8; 90 << 20];
    let t = Instant::now();
    let d = Sha256::digest(&big);
    println!("sha256 90MiB: {:?} {}", t.elapsed(), d[0]);

    let page = vec![9u8; 24_952];
    for mode in ["nosync", "sync-inline", "sync-after-32threads"] {
        let dir = tempfile::tempdir_in("/work/main/target").unwrap();
        let t = Instant::now();
        (0..1954u32).into_par_iter().for_each(|p| {
            let mut f = File::create(dir.path().join(format!("{p}.bin"))).unwrap();
            f.write_all(&page).unwrap();
            if mode == "sync-inline" { f.sync_all().unwrap(); }
        });
        let w = t.elapsed();
        if mode == "sync-after-32threads" {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(32).build().unwrap();
            pool.install(|| (0..1954u32).into_par_iter().for_each(|p| {
                File::open(dir.path().join(format!("{p}.bin"))).unwrap().sync_all().unwrap();
            }));
        }
        println!("{mode}: write {:?} total {:?}", w, t.elapsed());
    }
    let dir = tempfile::tempdir_in("/work/main/target").unwrap();
    let t = Instant::now();
    let mut f = File::create(dir.path().join("big")).unwrap();
    f.write_all(&big).unwrap();
    let w = t.elapsed();
    f.sync_all().unwrap();
    println!("90MiB file write {:?} +sync {:?}", w, t.elapsed());
    let keys: Vec<Pubkey> = (0..n).map(|i| Pubkey::new_from_array(Sha256::digest(i.to_le_bytes()).into())).collect();
    let t = Instant::now();
    let mut len = 0;
    let mut s = String::new();
    for k in &keys { use std::fmt::Write; s.clear(); write!(s, "{k}").unwrap(); len += s.len(); }
    println!("1M base58 display 1 thread {:?} {len}", t.elapsed());
    let t = Instant::now();
    for i in 0..n as u64 { use std::fmt::Write; s.clear(); write!(s, "{},{},{}", i, i * 1_000_000_007, i).unwrap(); len += s.len(); }
    println!("1M 3x u64 fmt 1 thread {:?} {len}", t.elapsed());
}
