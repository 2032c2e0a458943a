//! [`RpcChain`]: [`Chain`] over Solana JSON-RPC (any cluster), at `confirmed` unless
//! told otherwise.
//!
//! Nodes time out, drop connections, rate-limit and lag behind. Every request is sent
//! again after a transient failure (no answer, a cut-off answer, HTTP 5xx, a node behind
//! the slot asked for or unhealthy), up to [`Retry::attempts`] times with a doubling
//! backoff; the solana client itself waits out HTTP 429 as `Retry-After` says. A
//! transaction is signed once and the same bytes are sent again, so a resend can never
//! land twice: a resend that finds the first one processed is that first one's success.
//!
//! [`Chain::submit`] sends without waiting and remembers the last block height at which
//! the transaction can land; [`Chain::outcomes`] reads the signature statuses and, for a
//! transaction the node has never seen, the block height, so a transaction that can no
//! longer land is reported [`Outcome::Expired`] rather than pending forever.

use super::{Chain, ChainError, Outcome, limits};
use solana_commitment_config::CommitmentConfig;
pub use solana_commitment_config::CommitmentLevel;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::{
    client_error::{Error as ClientError, ErrorKind},
    custom_error,
    request::RpcError,
};
use solana_sdk::transaction::TransactionError;
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Signature, Signer},
    sysvar,
    transaction::Transaction,
};
use std::{collections::HashMap, future::Future, time::Duration};

/// `getMultipleAccounts` takes at most this many addresses.
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
/// `getSignatureStatuses` takes at most this many signatures.
const MAX_SIGNATURE_STATUSES: usize = 256;

/// How often, and after how long, a request that failed transiently is sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Requests in all (the first included); at least 1.
    pub attempts: u32,
    /// The wait before the second request; it doubles for each later one.
    pub backoff: Duration,
}

impl Default for Retry {
    /// 6 requests, 250 ms then 0.5, 1, 2 and 4 s apart: a node that does not answer for
    /// about 8 s fails the request.
    fn default() -> Self {
        Self {
            attempts: 6,
            backoff: Duration::from_millis(250),
        }
    }
}

/// JSON-RPC error codes of a node that may answer differently soon: not caught up with
/// the slot asked for, unhealthy (behind the cluster), a block or its status not there
/// yet.
const TRANSIENT_CODES: [i64; 5] = [
    custom_error::JSON_RPC_SERVER_ERROR_MIN_CONTEXT_SLOT_NOT_REACHED,
    custom_error::JSON_RPC_SERVER_ERROR_NODE_UNHEALTHY,
    custom_error::JSON_RPC_SERVER_ERROR_BLOCK_NOT_AVAILABLE,
    custom_error::JSON_RPC_SERVER_ERROR_BLOCK_STATUS_NOT_AVAILABLE_YET,
    custom_error::JSON_RPC_SERVER_ERROR_SLOT_SKIPPED,
];

/// How long one HTTP request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How often [`Chain::send`] asks whether its transaction landed.
const CONFIRM_POLL: Duration = Duration::from_millis(400);

/// A JSON-RPC endpoint as a [`Chain`].
pub struct RpcChain {
    client: RpcClient,
    retry: Retry,
    /// Transactions submitted through [`Chain::submit`] and not resolved yet: the last
    /// block height at which each can land.
    in_flight: HashMap<Signature, u64>,
}

impl RpcChain {
    /// A client of `url` at `confirmed` commitment.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_commitment(url, CommitmentLevel::Confirmed)
    }

    /// A client of `url` whose reads and confirmations are at `commitment`.
    pub fn with_commitment(url: impl Into<String>, commitment: CommitmentLevel) -> Self {
        Self::with_client(RpcClient::new_with_timeout_and_commitment(
            url.into(),
            REQUEST_TIMEOUT,
            CommitmentConfig { commitment },
        ))
    }

    fn with_client(client: RpcClient) -> Self {
        Self {
            client,
            retry: Retry::default(),
            in_flight: HashMap::new(),
        }
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = Retry {
            attempts: retry.attempts.max(1),
            ..retry
        };
        self
    }

    /// `request` until it succeeds, fails for good, or has been sent
    /// [`Retry::attempts`] times.
    async fn retrying<T, F, Fut>(&self, mut request: F) -> Result<T, ChainError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let mut wait = self.retry.backoff;
        let mut attempt = 1;
        loop {
            match request().await.map_err(rpc) {
                Err(ChainError::Rpc(_)) if attempt < self.retry.attempts => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Sends the signed `tx`, again after a transient failure or a node that does not
    /// know its blockhash yet. A resend refused because the transaction was already
    /// processed, or refused for any reason while the first one has a status, means the
    /// first one reached the cluster: its signature is returned.
    async fn send_signed(&self, tx: &Transaction) -> Result<Signature, ChainError> {
        let signature = tx.signatures[0];
        let mut wait = self.retry.backoff;
        let mut attempt = 1;
        loop {
            let error = match self.client.send_transaction(tx).await.map_err(rpc) {
                Ok(sent) => return Ok(sent),
                Err(ChainError::Transaction(TransactionError::AlreadyProcessed)) if attempt > 1 => {
                    return Ok(signature);
                }
                Err(e) => e,
            };
            if attempt > 1 && self.has_status(&signature).await {
                return Ok(signature);
            }
            if !error.is_transient() || attempt >= self.retry.attempts {
                return Err(error);
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
            attempt += 1;
        }
    }

    /// Whether the node has a status for `signature` (an unanswered request: no).
    async fn has_status(&self, signature: &Signature) -> bool {
        self.statuses(&[*signature])
            .await
            .is_ok_and(|s| s.first().is_some_and(Option::is_some))
    }

    /// The endpoint.
    pub fn url(&self) -> String {
        self.client.url()
    }

    /// The slot the node has reached (at the handle's commitment).
    pub async fn slot(&self) -> Result<u64, ChainError> {
        self.retrying(|| self.client.get_slot()).await
    }

    /// Asks the cluster's faucet (a test validator, devnet, testnet) for `lamports` to
    /// `to`, and waits until they arrived.
    pub async fn request_airdrop(&mut self, to: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let signature = self
            .client
            .request_airdrop(to, lamports)
            .await
            .map_err(rpc)?;
        self.client
            .poll_for_signature_with_commitment(&signature, self.client.commitment())
            .await
            .map_err(rpc)
    }

    /// The transaction signed over the latest blockhash, and the last block height at
    /// which it can land.
    async fn signed(
        &self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<(Transaction, u64), ChainError> {
        limits::check(instructions, &payer.pubkey())?;
        let commitment = self.client.commitment();
        let (blockhash, last_valid) = self
            .retrying(|| self.client.get_latest_blockhash_with_commitment(commitment))
            .await?;
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        tx.try_sign(&all, blockhash)
            .map_err(|e| ChainError::Rpc(format!("signing: {e}")))?;
        Ok((tx, last_valid))
    }

    /// What `getSignatureStatuses` says of each signature now: `None` where the node has
    /// no status (not seen yet, or never will be), [`Outcome::Pending`] where the
    /// transaction is processed but not confirmed.
    async fn statuses(&self, signatures: &[Signature]) -> Result<Vec<Option<Outcome>>, ChainError> {
        let commitment = self.client.commitment();
        let mut out = Vec::with_capacity(signatures.len());
        for chunk in signatures.chunks(MAX_SIGNATURE_STATUSES) {
            let statuses = self
                .retrying(|| self.client.get_signature_statuses(chunk))
                .await?
                .value;
            if statuses.len() != chunk.len() {
                return Err(ChainError::Rpc(format!(
                    "getSignatureStatuses answered {} statuses for {} signatures",
                    statuses.len(),
                    chunk.len()
                )));
            }
            out.extend(statuses.into_iter().map(|status| {
                status.map(|s| match (s.satisfies_commitment(commitment), s.err) {
                    (false, _) => Outcome::Pending,
                    (true, None) => Outcome::Landed,
                    (true, Some(e)) => Outcome::Failed(e),
                })
            }));
        }
        Ok(out)
    }
}

/// A client error as a [`ChainError`]: the transaction's own error, a transient
/// failure ([`ChainError::Rpc`]: no answer, a cut-off or garbled answer, HTTP 5xx or
/// 429, a node behind or unhealthy), or a refusal that asking again will not change.
fn rpc(e: ClientError) -> ChainError {
    if let Some(t) = e.get_transaction_error() {
        return ChainError::Transaction(t);
    }
    let transient = match e.kind() {
        ErrorKind::Io(_) | ErrorKind::SerdeJson(_) | ErrorKind::Middleware(_) => true,
        ErrorKind::Reqwest(r) => r
            .status()
            .is_none_or(|s| s.is_server_error() || matches!(s.as_u16(), 408 | 429)),
        ErrorKind::RpcError(RpcError::RpcResponseError { code, .. }) => {
            TRANSIENT_CODES.contains(code)
        }
        // An answer that did not parse: cut off, most likely.
        ErrorKind::RpcError(RpcError::RpcRequestError(_) | RpcError::ParseError(_)) => true,
        ErrorKind::RpcError(RpcError::ForUser(_))
        | ErrorKind::SigningError(_)
        | ErrorKind::TransactionError(_)
        | ErrorKind::Custom(_) => false,
    };
    if transient {
        ChainError::Rpc(e.to_string())
    } else {
        ChainError::Refused(e.to_string())
    }
}

#[async_trait::async_trait(?Send)]
impl Chain for RpcChain {
    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(MAX_MULTIPLE_ACCOUNTS) {
            out.extend(
                self.retrying(|| self.client.get_multiple_accounts(chunk))
                    .await?,
            );
        }
        Ok(out)
    }

    async fn send(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Signature, ChainError> {
        let (tx, last_valid) = self.signed(payer, instructions, signers).await?;
        let signature = self.send_signed(&tx).await?;
        loop {
            let status = self.statuses(&[signature]).await?.pop().flatten();
            match status {
                Some(Outcome::Landed) => return Ok(signature),
                Some(Outcome::Failed(e)) => return Err(ChainError::Transaction(e)),
                Some(_) => {}
                None => {
                    let height = self.retrying(|| self.client.get_block_height()).await?;
                    if height > last_valid && !self.has_status(&signature).await {
                        return Err(ChainError::Rpc(format!(
                            "transaction {signature} expired (block height {height} past {last_valid}) before it landed"
                        )));
                    }
                }
            }
            tokio::time::sleep(CONFIRM_POLL).await;
        }
    }

    /// Sends with preflight at the handle's commitment (a failed simulation comes back at once as an
    /// error) and does not wait. After an RPC error the transaction may still have
    /// reached the cluster and land; it is not tracked, so callers re-read the chain
    /// before sending its instructions again.
    async fn submit(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Signature, ChainError> {
        let (tx, last_valid) = self.signed(payer, instructions, signers).await?;
        let signature = self.send_signed(&tx).await?;
        self.in_flight.insert(signature, last_valid);
        Ok(signature)
    }

    /// Statuses at the handle's commitment, 256 signatures a request. A signature with no status is
    /// [`Outcome::Expired`] once the block height is past its last valid height (its
    /// status asked again after the height was read, so a transaction that landed between
    /// the two requests is not taken for expired), [`Outcome::Pending`] before. A
    /// signature this handle did not submit, or already reported resolved, is pending
    /// until it has a status.
    async fn outcomes(&mut self, signatures: &[Signature]) -> Result<Vec<Outcome>, ChainError> {
        let mut out = self.statuses(signatures).await?;
        let unseen: Vec<usize> = (0..signatures.len())
            .filter(|&i| out[i].is_none() && self.in_flight.contains_key(&signatures[i]))
            .collect();
        if !unseen.is_empty() {
            let height = self.retrying(|| self.client.get_block_height()).await?;
            let stale: Vec<usize> = unseen
                .into_iter()
                .filter(|&i| self.in_flight[&signatures[i]] < height)
                .collect();
            if !stale.is_empty() {
                let again: Vec<Signature> = stale.iter().map(|&i| signatures[i]).collect();
                let again = self.statuses(&again).await?;
                for (i, outcome) in stale.into_iter().zip(again) {
                    out[i] = Some(outcome.unwrap_or(Outcome::Expired));
                }
            }
        }
        let out: Vec<Outcome> = out
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::Pending))
            .collect();
        for (signature, outcome) in signatures.iter().zip(&out) {
            if *outcome != Outcome::Pending {
                self.in_flight.remove(signature);
            }
        }
        Ok(out)
    }

    async fn simulate(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Option<u64>, ChainError> {
        let (tx, _) = self.signed(payer, instructions, signers).await?;
        let result = self
            .retrying(|| self.client.simulate_transaction(&tx))
            .await?
            .value;
        if let Some(err) = result.err {
            return Err(ChainError::Transaction(err.into()));
        }
        Ok(result.units_consumed)
    }

    /// `getRecentPrioritizationFees` (the node keeps the last 150 slots).
    async fn recent_priority_fees(&mut self, writable: &[Pubkey]) -> Result<Vec<u64>, ChainError> {
        let fees = self
            .retrying(|| self.client.get_recent_prioritization_fees(writable))
            .await?;
        Ok(fees.into_iter().map(|f| f.prioritization_fee).collect())
    }

    async fn now(&mut self) -> Result<i64, ChainError> {
        // Not `get_account` (nor `get_account_with_commitment`): they turn every error, a
        // cut-off answer included, into an "AccountNotFound" message for the user, which
        // would not be retried.
        let clock = self
            .retrying(|| self.client.get_multiple_accounts(&[sysvar::clock::ID]))
            .await?
            .pop()
            .flatten()
            .ok_or_else(|| ChainError::Rpc("the node has no clock sysvar".into()))?;
        // Clock: slot u64, epoch_start_timestamp i64, epoch u64, leader_schedule_epoch
        // u64, unix_timestamp i64.
        clock
            .data
            .get(32..40)
            .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
            .ok_or_else(|| ChainError::Rpc("the clock sysvar is too short".into()))
    }

    async fn minimum_balance(&mut self, space: usize) -> Result<u64, ChainError> {
        self.retrying(|| self.client.get_minimum_balance_for_rent_exemption(space))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use solana_rpc_client::{
        mock_sender::{MockSender, MocksMap},
        rpc_client::RpcClientConfig,
    };
    use solana_rpc_client_api::request::RpcRequest;
    use solana_sdk::{
        instruction::InstructionError, signature::Keypair, transaction::TransactionError,
    };
    use std::{
        future::Future,
        pin::pin,
        task::{Context, Poll, Waker},
    };

    /// Runs a future that never waits (the mock sender answers at once).
    fn block_on<F: Future>(future: F) -> F::Output {
        match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the mock RPC client waited"),
        }
    }

    /// A chain whose node gives `answers` in order per request, and its defaults after
    /// (`getLatestBlockhash`: last valid block height 1234).
    fn chain(answers: Vec<(RpcRequest, Value)>) -> RpcChain {
        let mocks: MocksMap = answers.into_iter().collect();
        RpcChain::with_client(RpcClient::new_sender(
            MockSender::new_with_mocks_map("succeeds", mocks),
            RpcClientConfig::with_commitment(CommitmentConfig::confirmed()),
        ))
    }

    fn statuses(statuses: Vec<Value>) -> (RpcRequest, Value) {
        (
            RpcRequest::GetSignatureStatuses,
            json!({ "context": { "slot": 1 }, "value": statuses }),
        )
    }

    fn height(height: u64) -> (RpcRequest, Value) {
        (RpcRequest::GetBlockHeight, json!(height))
    }

    fn status(confirmation: &str, err: Value) -> Value {
        let legacy = if err.is_null() {
            json!({ "Ok": null })
        } else {
            json!({ "Err": err })
        };
        json!({ "slot": 1, "confirmations": 1, "status": legacy, "err": err,
                "confirmationStatus": confirmation })
    }

    fn landed() -> Value {
        status("confirmed", Value::Null)
    }

    /// `n` transactions submitted through `chain`, all different.
    fn submit(chain: &mut RpcChain, n: u8) -> Vec<Signature> {
        let payer = Keypair::new();
        let program = Pubkey::new_unique();
        (0..n)
            .map(|i| {
                let ix = Instruction::new_with_bytes(program, &[i], vec![]);
                block_on(chain.submit(&payer, &[ix], &[])).unwrap()
            })
            .collect()
    }

    #[test]
    fn outcomes_follow_the_statuses_then_the_block_height() {
        let custom = json!({ "InstructionError": [0, { "Custom": 6001 }] });
        let mut chain = chain(vec![
            // First poll: landed, failed, processed only, unseen, unseen (height 1000,
            // before the last valid height 1234).
            statuses(vec![
                landed(),
                status("confirmed", custom),
                status("processed", Value::Null),
                Value::Null,
                Value::Null,
            ]),
            height(1000),
            // Second poll of the last three: confirmed; unseen past 1234, asked again:
            // still unseen, and landed meanwhile.
            statuses(vec![landed(), Value::Null, Value::Null]),
            height(1235),
            statuses(vec![Value::Null, landed()]),
            // A resolved signature asked again, unseen: not expired, it is not tracked.
            statuses(vec![Value::Null]),
        ]);
        let s = submit(&mut chain, 5);
        assert_eq!(chain.in_flight.len(), 5);

        let first = block_on(chain.outcomes(&s)).unwrap();
        assert_eq!(
            first,
            vec![
                Outcome::Landed,
                Outcome::Failed(TransactionError::InstructionError(
                    0,
                    InstructionError::Custom(6001)
                )),
                Outcome::Pending,
                Outcome::Pending,
                Outcome::Pending,
            ]
        );
        assert_eq!(chain.in_flight.len(), 3, "the resolved ones are forgotten");

        let second = block_on(chain.outcomes(&s[2..])).unwrap();
        assert_eq!(
            second,
            vec![Outcome::Landed, Outcome::Expired, Outcome::Landed]
        );
        assert!(chain.in_flight.is_empty());

        assert_eq!(
            block_on(chain.outcomes(&s[3..4])).unwrap(),
            vec![Outcome::Pending]
        );
    }

    #[test]
    fn outcomes_ask_256_signatures_a_request() {
        let mut chain = chain(vec![
            statuses(vec![landed(); 256]),
            statuses(vec![landed(); 44]),
        ]);
        let mut s = submit(&mut chain, 150);
        s.extend(submit(&mut chain, 150));
        let outcomes = block_on(chain.outcomes(&s)).unwrap();
        assert_eq!(outcomes, vec![Outcome::Landed; 300]);
    }

    #[test]
    fn outcomes_reject_a_short_answer() {
        let mut chain = chain(vec![statuses(vec![landed()])]);
        let s = submit(&mut chain, 2);
        assert!(matches!(
            block_on(chain.outcomes(&s)),
            Err(ChainError::Rpc(_))
        ));
    }
}
