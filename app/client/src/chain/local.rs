//! [`LocalChain`]: [`Chain`] on the in-process bank, counting what it sends so tests
//! can assert that nothing was. Like a node, it refuses a transaction larger than a
//! packet or with more account locks than a node allows ([`limits::check`]), which the
//! bank alone would run; the bank enforces the compute limit itself (on the SBF
//! builds; natively a program's own instructions are not metered). It keeps the default [`Chain::submit`] (which is
//! [`Chain::send`], so a transaction has landed or failed when it returns) and
//! [`Chain::outcomes`] (every submitted transaction landed), so its counters and
//! [`LocalChain::fail_after`] cover both, unless a test sets [`LocalChain::latency`]: then
//! submitted transactions reach the bank a few polls later, or never, as on a cluster.

// solana-program-test 3.x marks its whole API for the future `agave-unstable-api` gate.
#![allow(deprecated)]

use super::{Chain, ChainError, Outcome, limits};
use crate::local::LocalBank;
use solana_program_test::BanksClientError;
use solana_sdk::{
    account::Account,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Signature, Signer},
    transaction::Transaction,
};
use std::collections::{HashMap, HashSet};

/// The in-process bank as a [`Chain`].
pub struct LocalChain {
    /// The bank (tests move its clock, mint tokens, fund accounts).
    pub bank: LocalBank,
    /// Signatures of every transaction sent through [`Chain::send`] or [`Chain::submit`]
    /// that succeeded on the bank.
    pub sent: Vec<Signature>,
    /// Transactions attempted through [`Chain::send`] or [`Chain::submit`] (failed and
    /// lost ones included).
    pub attempts: usize,
    /// Test hook: after this many successful sends, every send (and submit) fails with a
    /// transient error (a crash, or a lost connection) without reaching the bank.
    pub fail_after: Option<usize>,
    /// Test hook: a transaction handed to [`Chain::submit`] reaches the bank only at the
    /// `latency + 1`-th call of [`Chain::outcomes`] after it (whatever signatures that
    /// call asks about) and is [`Outcome::Pending`] until then, so callers keep several
    /// in flight, and a caller dropped meanwhile leaves them to land later. With 0 (the
    /// default) `submit` is `send`.
    pub latency: usize,
    /// Test hook (with `latency`): the submissions (1 for the first [`Chain::submit`] on
    /// this chain) lost on the way: they never reach the bank and end
    /// [`Outcome::Expired`].
    pub lose: Vec<usize>,
    /// Most transactions submitted under `latency` and not reported resolved at once.
    pub max_in_flight: usize,
    /// Test hook: what [`Chain::recent_priority_fees`] answers (the bank keeps no fee
    /// history).
    pub priority_fees: Vec<u64>,
    /// The accounts of every [`Chain::recent_priority_fees`] call, in order.
    pub priority_fee_queries: Vec<Vec<Pubkey>>,
    /// Test hook: [`Chain::recent_priority_fees`] is refused, as by a node that does not
    /// serve the method.
    pub refuse_priority_fees: bool,
    submissions: usize,
    /// Submitted under `latency`, not processed yet, in submit order.
    deferred: Vec<Deferred>,
    /// Processed under `latency`, not reported yet.
    resolved: HashMap<Signature, Outcome>,
    /// Signatures of the transactions submitted under `latency`.
    signed: HashSet<Signature>,
}

/// A transaction submitted under [`LocalChain::latency`], not processed yet.
struct Deferred {
    signature: Signature,
    /// `None`: lost on the way.
    tx: Option<Transaction>,
    /// Calls of [`Chain::outcomes`] before the bank processes it.
    polls_left: usize,
}

impl LocalChain {
    pub fn new(bank: LocalBank) -> Self {
        Self {
            bank,
            sent: Vec::new(),
            attempts: 0,
            fail_after: None,
            latency: 0,
            lose: Vec::new(),
            max_in_flight: 0,
            priority_fees: Vec::new(),
            priority_fee_queries: Vec::new(),
            refuse_priority_fees: false,
            submissions: 0,
            deferred: Vec::new(),
            resolved: HashMap::new(),
            signed: HashSet::new(),
        }
    }

    /// Transactions submitted under [`LocalChain::latency`] that the bank has not
    /// processed yet (lost ones excluded).
    pub fn unprocessed(&self) -> usize {
        self.deferred.iter().filter(|d| d.tx.is_some()).count()
    }

    /// `instructions` signed over a blockhash under which no transaction was submitted
    /// with the same message (the bank would take it for a duplicate).
    async fn sign_new(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Transaction, ChainError> {
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let context = self.bank.context();
        let mut blockhash = context
            .banks_client
            .get_latest_blockhash()
            .await
            .map_err(convert)?;
        loop {
            let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
            tx.try_sign(&all, blockhash)
                .map_err(|e| ChainError::Rpc(e.to_string()))?;
            if self.signed.insert(tx.signatures[0]) {
                return Ok(tx);
            }
            let context = self.bank.context();
            context.last_blockhash = blockhash;
            blockhash = context
                .get_new_latest_blockhash()
                .await
                .map_err(|e| ChainError::Rpc(e.to_string()))?;
        }
    }
}

fn convert(e: BanksClientError) -> ChainError {
    match e {
        BanksClientError::TransactionError(t) => ChainError::Transaction(t),
        BanksClientError::SimulationError { err, .. } => ChainError::Transaction(err),
        other => ChainError::Rpc(other.to_string()),
    }
}

#[async_trait::async_trait(?Send)]
impl Chain for LocalChain {
    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(addresses.len());
        for address in addresses {
            out.push(self.bank.account(address).await);
        }
        Ok(out)
    }

    async fn send(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Signature, ChainError> {
        self.attempts += 1;
        if self.fail_after.is_some_and(|n| self.sent.len() >= n) {
            return Err(ChainError::Rpc(
                "simulated crash (LocalChain::fail_after)".into(),
            ));
        }
        limits::check(instructions, &payer.pubkey())?;
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let sent = self
            .bank
            .send_signed_by(&payer.pubkey(), instructions, &all)
            .await
            .map_err(convert)?;
        self.sent.push(sent.signature);
        Ok(sent.signature)
    }

    async fn submit(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Signature, ChainError> {
        if self.latency == 0 {
            return self.send(payer, instructions, signers).await;
        }
        self.submissions += 1;
        self.attempts += 1;
        if self.fail_after.is_some_and(|n| self.sent.len() >= n) {
            return Err(ChainError::Rpc(
                "simulated crash (LocalChain::fail_after)".into(),
            ));
        }
        limits::check(instructions, &payer.pubkey())?;
        let tx = self.sign_new(payer, instructions, signers).await?;
        let signature = tx.signatures[0];
        let lost = self.lose.contains(&self.submissions);
        self.deferred.push(Deferred {
            signature,
            tx: (!lost).then_some(tx),
            polls_left: self.latency,
        });
        self.max_in_flight = self
            .max_in_flight
            .max(self.deferred.len() + self.resolved.len());
        Ok(signature)
    }

    /// Processes the submitted transactions that are due, in submit order, then reports.
    /// A signature not submitted under `latency` was sent by `send`: landed.
    async fn outcomes(&mut self, signatures: &[Signature]) -> Result<Vec<Outcome>, ChainError> {
        let mut waiting = Vec::new();
        for mut d in std::mem::take(&mut self.deferred) {
            if d.polls_left > 0 {
                d.polls_left -= 1;
                waiting.push(d);
                continue;
            }
            let outcome = match d.tx {
                None => Outcome::Expired,
                Some(tx) => {
                    let client = &mut self.bank.context().banks_client;
                    match client.process_transaction(tx).await.map_err(convert) {
                        Ok(()) => {
                            self.sent.push(d.signature);
                            Outcome::Landed
                        }
                        Err(ChainError::Transaction(e)) => Outcome::Failed(e),
                        Err(e) => panic!("the bank did not process a transaction: {e}"),
                    }
                }
            };
            self.resolved.insert(d.signature, outcome);
        }
        self.deferred = waiting;
        Ok(signatures
            .iter()
            .map(|s| match self.resolved.remove(s) {
                Some(outcome) => outcome,
                None if self.deferred.iter().any(|d| d.signature == *s) => Outcome::Pending,
                None => Outcome::Landed,
            })
            .collect())
    }

    async fn simulate(
        &mut self,
        payer: &dyn Signer,
        instructions: &[Instruction],
        signers: &[&dyn Signer],
    ) -> Result<Option<u64>, ChainError> {
        limits::check(instructions, &payer.pubkey())?;
        let client = &mut self.bank.context().banks_client;
        let blockhash = client.get_latest_blockhash().await.map_err(convert)?;
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let mut tx = Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
        tx.try_sign(&all, blockhash)
            .map_err(|e| ChainError::Rpc(e.to_string()))?;
        let outcome = client.simulate_transaction(tx).await.map_err(convert)?;
        if let Err(e) = outcome.result.unwrap_or(Ok(())) {
            return Err(ChainError::Transaction(e));
        }
        Ok(outcome.simulation_details.map(|d| d.units_consumed))
    }

    async fn recent_priority_fees(&mut self, writable: &[Pubkey]) -> Result<Vec<u64>, ChainError> {
        self.priority_fee_queries.push(writable.to_vec());
        if self.refuse_priority_fees {
            return Err(ChainError::Refused(
                "Method not found (LocalChain::refuse_priority_fees)".into(),
            ));
        }
        Ok(self.priority_fees.clone())
    }

    async fn now(&mut self) -> Result<i64, ChainError> {
        Ok(self.bank.now().await)
    }

    async fn minimum_balance(&mut self, space: usize) -> Result<u64, ChainError> {
        Ok(self.bank.minimum_balance(space).await)
    }
}
