//! `floodgate create` on the in-process bank: a crash half way, then a resume.

use crate::common::{Fixture, MINTED};
use floodgate_client::{
    accounts,
    chain::{Chain, ChainError},
    drop::Manifest,
    instructions::DistributorKeys,
    local::token,
};

#[tokio::test]
async fn create_killed_after_half_the_shards_resumes_without_repeating_anything() {
    // 40 leaves, 4 per shard: 10 shards.
    let mut f = Fixture::new(40, 2).await;
    // The "crash": after the distributor and 5 shard transactions every send fails.
    f.chain.fail_after = Some(6);
    let error = f.create().await.unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "shard 5: run create again to resume: RPC request failed: simulated crash (LocalChain::fail_after)"
    );
    assert!(matches!(
        error.root_cause().downcast_ref::<ChainError>(),
        Some(ChainError::Rpc(_))
    ));
    assert_eq!(f.chain.sent.len(), 6);

    f.chain.fail_after = None;
    let report = f.create().await.unwrap();
    assert!(!report.distributor_created);
    assert_eq!(report.shards_already_there, 5);
    assert_eq!(report.shards_created, 5);
    assert_eq!(report.vaults_topped_up, 0);
    assert_eq!(report.transactions, 5);
    assert_eq!(f.chain.sent.len(), 11);

    // Every shard exists once, with its total; every vault funded exactly once.
    let m = Manifest::load(&f.drop).unwrap();
    let address = m
        .distributor
        .expect("create wrote the distributor into the manifest");
    let state =
        accounts::distributor(&f.chain.account(&address).await.unwrap().unwrap().data).unwrap();
    let keys = DistributorKeys::from_state(address, &state);
    assert_eq!(state.open_shards, 10);
    assert_eq!(state.allocated_amount, m.total_amount);
    for info in &m.shards {
        let shard = f
            .chain
            .account(&keys.shard(info.index))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            accounts::shard(&shard.data).unwrap().header.max_total,
            info.total
        );
        assert_eq!(
            f.balance(&keys.vault(info.index)).await,
            info.total,
            "vault {}",
            info.index
        );
    }
    let creator_ata = f.creator_ata;
    assert_eq!(f.balance(&creator_ata).await, MINTED - m.total_amount);

    // A third run finds nothing to do and sends nothing.
    let report = f.create().await.unwrap();
    assert_eq!(
        (
            report.shards_created,
            report.vaults_topped_up,
            report.transactions
        ),
        (0, 0, 0)
    );
    assert_eq!(f.chain.sent.len(), 11);
}

/// With a Token-2022 transfer fee, each vault is sent its total plus the fee, so it
/// holds (at least) what its leaves need and a second run finds nothing to top up.
#[tokio::test]
async fn create_pays_the_transfer_fee_on_top_so_every_vault_holds_its_total() {
    let fee = token::MintExtension::TransferFee {
        basis_points: 250,
        maximum_fee: 3_000_000,
    };
    let mut f = Fixture::with_mint(12, 2, anchor_spl::token_2022::ID, &[fee]).await;
    let report = f.create().await.unwrap();
    assert_eq!(report.shards_created, 3);
    let m = Manifest::load(&f.drop).unwrap();
    let address = m.distributor.unwrap();
    let state =
        accounts::distributor(&f.chain.account(&address).await.unwrap().unwrap().data).unwrap();
    let keys = DistributorKeys::from_state(address, &state);
    let mut sent = 0;
    for info in &m.shards {
        let vault = f.balance(&keys.vault(info.index)).await;
        // 2.5 % capped at 3 tokens, rounded up: never short, at most a unit over.
        assert!(
            (info.total..=info.total + 1).contains(&vault),
            "vault {} holds {vault} for {}",
            info.index,
            info.total
        );
        let expected_fee = (info.total * 250).div_ceil(10_000 - 250).min(3_000_000);
        sent += info.total + expected_fee;
    }
    let creator_ata = f.creator_ata;
    let spent = MINTED - f.balance(&creator_ata).await;
    assert!(spent > m.total_amount, "the fees were paid on top");
    assert!(
        spent.abs_diff(sent) <= m.shards.len() as u64,
        "{spent} vs {sent}"
    );
    let again = f.create().await.unwrap();
    assert_eq!((again.vaults_topped_up, again.transactions), (0, 0));
}

#[tokio::test]
async fn create_refuses_to_start_without_the_tokens_for_the_vaults() {
    let mut f = Fixture::new(8, 2).await;
    // Move the creator's tokens away, keeping one token less than the drop's total.
    let m = Manifest::load(&f.drop).unwrap();
    let sink = floodgate_client::local::token::create_token_account(
        &mut f.chain.bank,
        &f.mint,
        &solana_sdk::pubkey::Pubkey::new_unique(),
        &anchor_spl::token::ID,
    )
    .await
    .unwrap();
    let keep = m.total_amount - 1;
    let creator = f.creator.insecure_clone();
    let ix = floodgate_client::local::token::transfer_instruction(
        &anchor_spl::token::ID,
        &f.creator_ata,
        &f.mint,
        &sink,
        &solana_sdk::signature::Signer::pubkey(&creator),
        MINTED - keep,
        crate::common::DECIMALS,
    );
    f.chain.bank.send(&[ix], &[]).await.unwrap();
    let error = f.create().await.unwrap_err();
    // The distributor is created, then the shard step stops before sending anything.
    assert_eq!(
        error.to_string(),
        format!(
            "the vaults need 36 more tokens but {} (the keypair's token account) holds 35.999999: fund it and run create again",
            f.creator_ata
        )
    );
    assert_eq!(f.chain.sent.len(), 1);
}

#[tokio::test]
async fn verify_checks_the_folder_and_the_chain_and_names_what_differs() {
    use floodgate_cli::{commands::verify, error::CheckFailed};
    let mut f = Fixture::new(8, 2).await;
    f.create().await.unwrap();
    let args = verify::Args {
        drop: f.drop.clone().into(),
    };
    let report = verify::run(&args, &mut f.chain).await.unwrap();
    let address = Manifest::load(&f.drop).unwrap().distributor.unwrap();
    assert_eq!(report.distributor, Some(address.to_string()));
    // 8 leaves in shards of 4: both shards' roots on chain are the manifest's.
    assert_eq!(report.shards_checked, 2);

    // The same manifest with another total: the folder no longer rebuilds to it.
    let mut m = Manifest::load(&f.drop).unwrap();
    m.total_amount += 1;
    m.total_unlocked += 1;
    m.shards[0].total += 1;
    m.save(&f.drop).unwrap();
    let error = verify::run(&args, &mut f.chain).await.unwrap_err();
    assert_eq!(
        error.downcast::<CheckFailed>().unwrap(),
        CheckFailed::Drop(
            "corrupt manifest.json: total_amount is 36000001, expected 36000000".into()
        )
    );

    // The manifest compared field by field with the chain.
    let mut m = Manifest::load(&f.drop).unwrap();
    m.total_amount -= 1;
    m.total_unlocked -= 1;
    m.shards[0].total -= 1;
    let state =
        accounts::distributor(&f.chain.account(&address).await.unwrap().unwrap().data).unwrap();
    let mut other = m.clone();
    other.total_amount -= 1;
    assert_eq!(
        verify::compare(&other, &state),
        vec!["total_amount (manifest 35999999, chain 36000000)".to_string()]
    );
    assert!(verify::compare(&m, &state).is_empty());
}

/// `verify --drop URL` audits exactly the files the host serves claimants: the leaves
/// rebuild the manifest's root and shard roots, and every page is what they give. A
/// host serving one tampered page is refused (exit code 3). `create` needs the folder.
#[tokio::test]
async fn verify_over_a_url_audits_the_files_the_host_serves() {
    use crate::common::serve;
    use floodgate_cli::{
        commands::{Ctx, create, verify},
        error::CheckFailed,
        output::OutputFormat,
    };
    let mut f = Fixture::new(8, 2).await;
    f.create().await.unwrap();
    let url = serve(&f.drop, 32);
    let args = verify::Args {
        drop: url.as_str().into(),
    };
    let report = verify::run(&args, &mut f.chain).await.unwrap();
    assert_eq!(report.num_leaves, 8);
    assert_eq!(report.shards_checked, 2);

    // The same folder with one leaf's amount changed in page 1, served.
    let tampered = f.dir.path().join("tampered");
    std::fs::create_dir_all(tampered.join("pages")).unwrap();
    for entry in [
        "manifest.json",
        "leaves.csv",
        "pages/index",
        "pages/0.bin",
        "pages/1.bin",
    ] {
        std::fs::copy(f.drop.join(entry), tampered.join(entry)).unwrap();
    }
    let mut page = std::fs::read(tampered.join("pages/1.bin")).unwrap();
    page[56 + 32] ^= 1; // the first leaf's unlocked amount
    std::fs::write(tampered.join("pages/1.bin"), page).unwrap();
    let args = verify::Args {
        drop: serve(&tampered, 32).as_str().into(),
    };
    let error = verify::run(&args, &mut f.chain).await.unwrap_err();
    let refused = error.downcast::<CheckFailed>().unwrap();
    assert!(
        matches!(&refused, CheckFailed::Drop(what) if what.contains("pages/1.bin")),
        "{refused}"
    );

    // `create` writes the manifest: a URL is refused before anything is read.
    let mut args = f.create_args();
    args.drop = url.as_str().into();
    let creator = f.creator.insecure_clone();
    let mut ctx = Ctx::new(&mut f.chain, &creator, OutputFormat::Json);
    let error = create::run(&args, &mut ctx).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("`create` needs the drop folder"),
        "{error:#}"
    );
}
