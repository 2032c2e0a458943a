//! Times the creator's side of a drop for N allocations (default 1,000,000):
//! sort, tree build, page writing, leaves.csv writing, then a full `DropFolder::write`
//! and a few lookups.
//!
//! ```text
//! cargo run --release -p floodgate-client --example bench_drop [-- N]
//! ```
//!
//! Allocations are deterministic: claimant `i` is `sha256(i as u64 LE)`.

use std::{
    fs::File,
    io::BufWriter,
    time::{Duration, Instant},
};

use anchor_lang::prelude::Pubkey;
use floodgate_client::{
    allocation::{Allocation, canonical},
    drop::{
        DEFAULT_PAGE_BITS, DropFolder, DropParams, PageShape, encode_page, write_leaves,
        write_pages,
    },
    tree::MerkleTree,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.replace('_', "").parse()?,
        None => 1_000_000,
    };
    println!(
        "bench_drop: {n} allocations, {} threads",
        rayon::current_num_threads()
    );

    let t = Instant::now();
    let allocations: Vec<Allocation> = (0..n as u64)
        .into_par_iter()
        .map(|i| {
            let key: [u8; 32] = Sha256::digest(i.to_le_bytes()).into();
            let locked = if i.is_multiple_of(4) { 250_000 } else { 0 };
            Allocation::new(
                Pubkey::new_from_array(key),
                1 + (i % 1000) * 1_000_000,
                locked,
            )
        })
        .collect();
    report("generate", t.elapsed());

    let t = Instant::now();
    let sorted = canonical(allocations.clone());
    let sort = t.elapsed();
    report("sort", sort);

    let t = Instant::now();
    let tree = MerkleTree::build(&sorted)?;
    let build = t.elapsed();
    report("tree build", build);
    println!(
        "  depth {}, root {}",
        tree.depth(),
        hex::encode(tree.root())
    );

    // The shard size of `DropParams::new` below.
    let shape = PageShape {
        page_bits: DEFAULT_PAGE_BITS,
        shard_bits: 16,
    };
    let t = Instant::now();
    let encoded: usize = (0..index_pages(n))
        .into_par_iter()
        .map(|p| encode_page(&sorted, &tree, shape, p).map(|b| b.len()))
        .sum::<Result<usize, _>>()?;
    report("page encoding (in memory, no I/O)", t.elapsed());
    println!("  {:.1} MiB of pages", encoded as f64 / (1 << 20) as f64);

    let scratch = tempfile::tempdir()?;
    let t = Instant::now();
    let index = write_pages(scratch.path(), &sorted, &tree, shape)?;
    let pages = t.elapsed();
    report("page writing (encode + create files)", pages);
    println!(
        "  {} pages of up to {} leaves",
        index.page_count(),
        1 << DEFAULT_PAGE_BITS
    );

    let t = Instant::now();
    let mut out = BufWriter::new(File::create(scratch.path().join("leaves.csv"))?);
    write_leaves(&mut out, &sorted)?;
    drop(out.into_inner()?);
    report("leaves.csv writing", t.elapsed());
    println!(
        "  tree build + page writing: {:.3} s",
        (build + pages).as_secs_f64()
    );

    let program_id = floodgate_client::floodgate::ID;
    let params = DropParams::new(
        program_id,
        Pubkey::new_from_array([7; 32]),
        6,
        shape.shard_bits,
    );
    let target = scratch.path().join("drop");
    let t = Instant::now();
    let (manifest, _) = DropFolder::write(&target, &allocations, params)?;
    report(
        "DropFolder::write (unsorted input, all + fsync)",
        t.elapsed(),
    );
    assert_eq!(manifest.root, tree.root());

    let t = Instant::now();
    let folder = DropFolder::open(&target)?;
    let samples = 1000.min(n);
    for a in allocations.iter().step_by((n / samples).max(1)) {
        let found = folder.lookup(&a.claimant)?;
        assert_eq!(found.unlocked, a.unlocked);
    }
    let lookups = t.elapsed();
    println!(
        "{:<48} {:>9.3} ms per lookup ({samples} lookups, page read + verify)",
        "lookup",
        lookups.as_secs_f64() * 1e3 / samples as f64
    );
    Ok(())
}

fn index_pages(n: usize) -> u32 {
    n.div_ceil(1 << DEFAULT_PAGE_BITS) as u32
}

fn report(what: &str, took: Duration) {
    println!("{what:<48} {:>9.3} s", took.as_secs_f64());
}
