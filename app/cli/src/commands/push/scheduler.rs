//! The bookkeeping of `floodgate push` without I/O: which batch goes next, which are in
//! flight, which wait for a retry. The rules that keep the tally exact live here, so they
//! are tested with made-up outcomes and clocks:
//!
//! - at most `concurrency` batches are active: in flight, being submitted, or waiting
//!   for a retry (so an unreachable node does not burn through every batch);
//! - a batch is submitted again only once its previous transaction is resolved, after a
//!   backoff, and after its leaves were read again from the chain: a leaf never has two
//!   transactions in flight, and one that landed despite an error is not sent again;
//! - a batch that fails for good (not transient, or out of attempts) stops the run:
//!   nothing new is submitted, what is in flight is still followed to its end.

use solana_sdk::signature::Signature;
use std::time::{Duration, Instant};

/// A batch: its position in the list of batches the scheduler was given.
pub type BatchId = usize;

/// What the caller does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Read the leaves of this batch again from the chain, then call
    /// [`Scheduler::reread`].
    Reread(BatchId),
    /// Submit a transaction for the leaves of this batch, then call
    /// [`Scheduler::submitted`] or [`Scheduler::failed`].
    Submit(BatchId),
    /// Nothing to do until this time (a backoff ends), or until an outcome (`None`).
    Wait(Option<Instant>),
    /// Every batch is resolved, or the run stopped and nothing is in flight.
    Done,
}

/// What [`Scheduler::failed`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The batch waits for a backoff, a re-read and a new transaction.
    Retry,
    /// The batch is given up (not transient, out of attempts, or the run stopped).
    GiveUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Fresh,
    Submitting,
    InFlight(Signature),
    /// Its last transaction failed; it may go again at `at`, re-read first if `reread`.
    Waiting {
        at: Instant,
        reread: bool,
    },
    Resolved,
}

#[derive(Debug)]
struct Batch {
    /// The leaves still to push.
    leaves: Vec<u32>,
    /// Transactions of this batch that failed so far.
    failures: u32,
    state: State,
}

/// The in-flight bookkeeping of one push run.
#[derive(Debug)]
pub struct Scheduler {
    batches: Vec<Batch>,
    /// The first batch never submitted.
    fresh: BatchId,
    /// In flight, in submit order.
    in_flight: Vec<BatchId>,
    /// Waiting for a retry, in failure order.
    waiting: Vec<BatchId>,
    /// Handed out by [`Step::Submit`], not reported yet.
    submitting: Option<BatchId>,
    concurrency: usize,
    max_attempts: u32,
    /// The first retry waits twice this, the next four times, and so on.
    backoff: Duration,
    stopped: bool,
}

impl Scheduler {
    /// `batches` (none empty) in this order, at most `concurrency` active, each given
    /// `max_attempts` transactions.
    pub fn new(
        batches: Vec<Vec<u32>>,
        concurrency: usize,
        max_attempts: u32,
        backoff: Duration,
    ) -> Self {
        assert!(concurrency > 0 && max_attempts > 0);
        assert!(batches.iter().all(|b| !b.is_empty()), "an empty batch");
        Self {
            batches: batches
                .into_iter()
                .map(|leaves| Batch {
                    leaves,
                    failures: 0,
                    state: State::Fresh,
                })
                .collect(),
            fresh: 0,
            in_flight: Vec::new(),
            waiting: Vec::new(),
            submitting: None,
            concurrency,
            max_attempts,
            backoff,
            stopped: false,
        }
    }

    /// The leaves a batch still has to push.
    pub fn leaves(&self, id: BatchId) -> &[u32] {
        &self.batches[id].leaves
    }

    /// The batches in flight and their transactions, in submit order.
    pub fn in_flight(&self) -> Vec<(BatchId, Signature)> {
        self.in_flight
            .iter()
            .map(|&id| match self.batches[id].state {
                State::InFlight(signature) => (id, signature),
                other => unreachable!("batch {id} listed in flight but {other:?}"),
            })
            .collect()
    }

    /// Whether the run stopped on a batch given up.
    #[cfg(test)]
    fn stopped(&self) -> bool {
        self.stopped
    }

    /// Whether a transaction is in flight.
    pub fn has_in_flight(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// Whether every batch is resolved, or the run stopped and nothing is in flight.
    pub fn is_done(&self) -> bool {
        self.submitting.is_none()
            && self.in_flight.is_empty()
            && self.waiting.is_empty()
            && (self.stopped || self.fresh == self.batches.len())
    }

    fn active(&self) -> usize {
        self.in_flight.len() + self.waiting.len() + usize::from(self.submitting.is_some())
    }

    /// What to do at `now`. A [`Step::Submit`] must be answered
    /// ([`Scheduler::submitted`] or [`Scheduler::failed`]) before the next call.
    pub fn next(&mut self, now: Instant) -> Step {
        assert!(
            self.submitting.is_none(),
            "batch {:?} was handed out for submission and not reported",
            self.submitting
        );
        let ready = self.waiting.iter().position(
            |&id| matches!(self.batches[id].state, State::Waiting { at, .. } if at <= now),
        );
        if let Some(position) = ready {
            let id = self.waiting[position];
            if let State::Waiting { reread: true, .. } = self.batches[id].state {
                return Step::Reread(id);
            }
            self.waiting.remove(position);
            return self.hand_out(id);
        }
        if !self.stopped && self.active() < self.concurrency && self.fresh < self.batches.len() {
            let id = self.fresh;
            self.fresh += 1;
            return self.hand_out(id);
        }
        if self.is_done() {
            return Step::Done;
        }
        Step::Wait(
            self.waiting
                .iter()
                .filter_map(|&id| match self.batches[id].state {
                    State::Waiting { at, .. } => Some(at),
                    _ => None,
                })
                .min(),
        )
    }

    fn hand_out(&mut self, id: BatchId) -> Step {
        self.batches[id].state = State::Submitting;
        self.submitting = Some(id);
        Step::Submit(id)
    }

    /// The transaction of a batch handed out by [`Step::Submit`] is on its way.
    pub fn submitted(&mut self, id: BatchId, signature: Signature) {
        assert_eq!(self.submitting, Some(id), "batch {id} was not handed out");
        self.submitting = None;
        self.batches[id].state = State::InFlight(signature);
        self.in_flight.push(id);
    }

    /// The transaction of an in-flight batch landed: its leaves, now claimed.
    pub fn landed(&mut self, id: BatchId) -> &[u32] {
        self.take_in_flight(id);
        self.batches[id].state = State::Resolved;
        &self.batches[id].leaves
    }

    fn take_in_flight(&mut self, id: BatchId) {
        match self.batches[id].state {
            State::InFlight(_) => self.in_flight.retain(|&b| b != id),
            State::Submitting if self.submitting == Some(id) => self.submitting = None,
            other => panic!("batch {id} is not being submitted nor in flight but {other:?}"),
        }
    }

    /// The transaction of a batch failed at `now`, or could not be submitted: retried
    /// if `transient`, attempts are left and the run has not stopped; given up (and the
    /// run stopped) otherwise.
    pub fn failed(&mut self, id: BatchId, transient: bool, now: Instant) -> Verdict {
        self.take_in_flight(id);
        self.retry_or_give_up(id, transient, now)
    }

    /// The re-read asked by [`Step::Reread`] failed at `now`: counted as a failed
    /// attempt of the batch, as in [`Scheduler::failed`].
    pub fn reread_failed(&mut self, id: BatchId, transient: bool, now: Instant) -> Verdict {
        assert!(
            matches!(self.batches[id].state, State::Waiting { reread: true, .. }),
            "batch {id} is not waiting for a re-read"
        );
        self.waiting.retain(|&b| b != id);
        self.retry_or_give_up(id, transient, now)
    }

    fn retry_or_give_up(&mut self, id: BatchId, transient: bool, now: Instant) -> Verdict {
        let batch = &mut self.batches[id];
        batch.failures += 1;
        if self.stopped || !transient || batch.failures >= self.max_attempts {
            batch.state = State::Resolved;
            self.stop();
            return Verdict::GiveUp;
        }
        batch.state = State::Waiting {
            at: now + self.backoff * 2u32.pow(batch.failures),
            reread: true,
        };
        self.waiting.push(id);
        Verdict::Retry
    }

    /// The leaves of a batch waiting for a retry, read again: those still `unclaimed`
    /// go in its next transaction (none: the batch is resolved). Returns how many were
    /// found claimed meanwhile.
    pub fn reread(&mut self, id: BatchId, unclaimed: Vec<u32>) -> usize {
        let batch = &mut self.batches[id];
        let State::Waiting { at, reread: true } = batch.state else {
            panic!(
                "batch {id} is not waiting for a re-read but {:?}",
                batch.state
            );
        };
        debug_assert!(unclaimed.iter().all(|l| batch.leaves.contains(l)));
        let claimed = batch.leaves.len() - unclaimed.len();
        batch.leaves = unclaimed;
        if batch.leaves.is_empty() {
            batch.state = State::Resolved;
            self.waiting.retain(|&b| b != id);
        } else {
            batch.state = State::Waiting { at, reread: false };
        }
        claimed
    }

    /// Stops the run: nothing more is submitted, batches waiting for a retry are
    /// dropped, those in flight are still followed.
    pub fn stop(&mut self) {
        self.stopped = true;
        for id in std::mem::take(&mut self.waiting) {
            self.batches[id].state = State::Resolved;
        }
    }

    /// Batches never submitted or dropped by [`Scheduler::stop`], and not claimed.
    #[cfg(test)]
    fn unresolved(&self) -> usize {
        self.batches
            .iter()
            .filter(|b| b.state != State::Resolved)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const BACKOFF: Duration = Duration::from_millis(100);

    /// Leaves 0..n in batches of 2.
    fn scheduler(n: u32, concurrency: usize) -> Scheduler {
        let leaves: Vec<u32> = (0..n).collect();
        let batches = leaves.chunks(2).map(<[u32]>::to_vec).collect();
        Scheduler::new(batches, concurrency, 3, BACKOFF)
    }

    /// Submits every batch the scheduler hands out at `now`, returning them.
    fn submit_all(s: &mut Scheduler, now: Instant) -> Vec<BatchId> {
        let mut out = Vec::new();
        while let Step::Submit(id) = s.next(now) {
            s.submitted(id, Signature::new_unique());
            out.push(id);
        }
        out
    }

    fn in_flight_ids(s: &Scheduler) -> Vec<BatchId> {
        s.in_flight().into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn batches_go_in_order_at_most_concurrency_in_flight() {
        let now = Instant::now();
        let mut s = scheduler(11, 3);
        assert_eq!(submit_all(&mut s, now), vec![0, 1, 2]);
        assert_eq!(s.next(now), Step::Wait(None), "the window is full");
        assert_eq!(s.leaves(1), &[2, 3]);
        // Batch 1 lands first: one more goes, still in order.
        assert_eq!(s.landed(1), &[2, 3]);
        assert_eq!(submit_all(&mut s, now), vec![3]);
        assert_eq!(in_flight_ids(&s), vec![0, 2, 3]);
        for id in [0, 2, 3] {
            s.landed(id);
        }
        assert_eq!(submit_all(&mut s, now), vec![4, 5]);
        assert_eq!(s.leaves(5), &[10], "the last batch is short");
        assert_eq!(s.next(now), Step::Wait(None));
        s.landed(4);
        s.landed(5);
        assert_eq!(s.next(now), Step::Done);
        assert_eq!(s.unresolved(), 0);
    }

    #[test]
    fn a_failed_batch_waits_is_reread_then_retried_with_what_is_left() {
        let t0 = Instant::now();
        let mut s = scheduler(6, 2);
        assert_eq!(submit_all(&mut s, t0), vec![0, 1]);
        assert_eq!(s.failed(0, true, t0), Verdict::Retry);
        // Waiting for its retry, batch 0 still holds its place: nothing new starts.
        assert_eq!(s.next(t0), Step::Wait(Some(t0 + 2 * BACKOFF)));
        assert_eq!(in_flight_ids(&s), vec![1]);
        let t1 = t0 + 2 * BACKOFF;
        assert_eq!(s.next(t1), Step::Reread(0));
        assert_eq!(
            s.next(t1),
            Step::Reread(0),
            "not submitted before the re-read"
        );
        // Leaf 0 landed despite the error: only leaf 1 goes again.
        assert_eq!(s.reread(0, vec![1]), 1);
        assert_eq!(s.next(t1), Step::Submit(0));
        assert_eq!(s.leaves(0), &[1]);
        s.submitted(0, Signature::new_unique());
        assert_eq!(in_flight_ids(&s), vec![1, 0]);
        // Fails again: the second backoff is twice the first.
        assert_eq!(s.failed(0, true, t1), Verdict::Retry);
        assert_eq!(s.next(t1), Step::Wait(Some(t1 + 4 * BACKOFF)));
        s.landed(1);
        // Batch 1 done: batch 2 starts while batch 0 waits.
        assert_eq!(submit_all(&mut s, t1), vec![2]);
        let t2 = t1 + 4 * BACKOFF;
        assert_eq!(s.next(t2), Step::Reread(0));
        // Someone else claimed leaf 1 meanwhile: batch 0 is done without a transaction.
        assert_eq!(s.reread(0, vec![]), 1);
        assert_eq!(s.next(t2), Step::Wait(None));
        s.landed(2);
        assert_eq!(s.next(t2), Step::Done);
        assert_eq!(s.unresolved(), 0);
    }

    #[test]
    fn an_expired_or_unsubmitted_batch_is_retried_like_a_failed_one() {
        let t0 = Instant::now();
        let mut s = scheduler(4, 2);
        // Batch 0's submission fails outright (an RPC error): never in flight.
        assert_eq!(s.next(t0), Step::Submit(0));
        assert_eq!(s.failed(0, true, t0), Verdict::Retry);
        assert_eq!(submit_all(&mut s, t0), vec![1]);
        // Batch 1 expires (a transient failure).
        assert_eq!(s.failed(1, true, t0), Verdict::Retry);
        let t1 = t0 + 2 * BACKOFF;
        for id in [0, 1] {
            assert_eq!(s.next(t1), Step::Reread(id));
            assert_eq!(s.reread(id, s.leaves(id).to_vec()), 0);
            assert_eq!(s.next(t1), Step::Submit(id));
            s.submitted(id, Signature::new_unique());
        }
        s.landed(1);
        s.landed(0);
        assert_eq!(s.next(t1), Step::Done);
    }

    #[test]
    fn no_leaf_is_submitted_twice_while_in_flight() {
        // A long run driven by made-up outcomes: every third poll fails a batch
        // (transiently), the rest land; some never answer for a while.
        let t0 = Instant::now();
        let leaves: Vec<u32> = (0..200).collect();
        let batches = leaves.chunks(3).map(<[u32]>::to_vec).collect();
        let mut s = Scheduler::new(batches, 5, 10, BACKOFF);
        let mut in_flight_leaves: HashSet<u32> = HashSet::new();
        let mut landed: Vec<u32> = Vec::new();
        let mut failures = 0;
        let mut now = t0;
        for round in 0u32.. {
            assert!(round < 10_000, "the run does not end");
            match s.next(now) {
                Step::Done => break,
                Step::Reread(id) => {
                    let left = s.leaves(id).to_vec();
                    s.reread(id, left);
                }
                Step::Submit(id) => {
                    for &leaf in s.leaves(id) {
                        assert!(in_flight_leaves.insert(leaf), "leaf {leaf} sent twice");
                    }
                    s.submitted(id, Signature::new_unique());
                    assert!(s.in_flight().len() <= 5);
                }
                Step::Wait(until) => {
                    let flights = s.in_flight();
                    if flights.is_empty() {
                        now = until.expect("something to wait for");
                        continue;
                    }
                    // Resolve the oldest unless this round keeps it pending.
                    if round % 7 == 0 {
                        now += BACKOFF;
                        continue;
                    }
                    let (id, _) = flights[0];
                    for leaf in s.leaves(id).to_vec() {
                        in_flight_leaves.remove(&leaf);
                    }
                    if round % 3 == 0 {
                        failures += 1;
                        assert_eq!(s.failed(id, true, now), Verdict::Retry);
                    } else {
                        landed.extend_from_slice(s.landed(id));
                    }
                }
            }
        }
        assert!(failures > 10, "{failures} failures");
        landed.sort_unstable();
        assert_eq!(landed, (0..200).collect::<Vec<u32>>(), "every leaf once");
        assert!(in_flight_leaves.is_empty());
    }

    #[test]
    fn a_batch_given_up_stops_the_run_but_in_flight_ones_are_followed() {
        let t0 = Instant::now();
        let mut s = scheduler(12, 3);
        assert_eq!(submit_all(&mut s, t0), vec![0, 1, 2]);
        assert_eq!(s.failed(0, true, t0), Verdict::Retry);
        // Batch 1 fails for good: the run stops, batch 0's retry is dropped.
        assert_eq!(s.failed(1, false, t0), Verdict::GiveUp);
        assert!(s.stopped());
        assert_eq!(s.next(t0 + Duration::from_secs(60)), Step::Wait(None));
        assert_eq!(in_flight_ids(&s), vec![2]);
        // Batch 2 lands: counted; nothing else starts.
        assert_eq!(s.landed(2), &[4, 5]);
        assert_eq!(s.next(t0), Step::Done);
        // Batches 3, 4, 5 were never submitted.
        assert_eq!(s.unresolved(), 3);
    }

    #[test]
    fn a_failed_reread_counts_as_a_failed_attempt() {
        let t0 = Instant::now();
        let mut s = scheduler(2, 1);
        assert_eq!(submit_all(&mut s, t0), vec![0]);
        assert_eq!(s.failed(0, true, t0), Verdict::Retry);
        let t1 = t0 + 2 * BACKOFF;
        assert_eq!(s.next(t1), Step::Reread(0));
        // The node does not answer the re-read: the second backoff, then a re-read again.
        assert_eq!(s.reread_failed(0, true, t1), Verdict::Retry);
        assert_eq!(s.next(t1), Step::Wait(Some(t1 + 4 * BACKOFF)));
        let t2 = t1 + 4 * BACKOFF;
        assert_eq!(s.next(t2), Step::Reread(0));
        // Third failure: out of attempts.
        assert_eq!(s.reread_failed(0, true, t2), Verdict::GiveUp);
        assert!(s.stopped());
        assert_eq!(s.next(t2), Step::Done);
    }

    #[test]
    fn a_batch_out_of_attempts_is_given_up() {
        let mut now = Instant::now();
        let mut s = scheduler(2, 1);
        for attempt in 1..=3 {
            match s.next(now) {
                Step::Reread(0) => {
                    s.reread(0, vec![0, 1]);
                    assert_eq!(s.next(now), Step::Submit(0));
                }
                step => assert_eq!(step, Step::Submit(0)),
            }
            s.submitted(0, Signature::new_unique());
            let verdict = s.failed(0, true, now);
            if attempt < 3 {
                assert_eq!(verdict, Verdict::Retry);
            } else {
                assert_eq!(verdict, Verdict::GiveUp);
            }
            now += Duration::from_secs(10);
        }
        assert_eq!(s.next(now), Step::Done);
    }
}
