use floodgate_tests::*;

#[tokio::test]
async fn claims_pay_every_leaf_spl_token() {
    let mut f = Fixture::default().await;
    for index in 0..f.tree.num_leaves() {
        f.claim(index).await.expect("claim");
        assert_eq!(f.ata_balance(index).await, f.allocations[index as usize].unlocked);
    }
}
