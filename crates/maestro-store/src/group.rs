//! Group commit: inventory writes that arrive while others are being applied are applied
//! together, in one transaction whose multi-row statements carry all of them, so many clients
//! creating one entity each share the statements and the commit instead of queueing for the
//! writer one by one. A group that fails is rolled back and its writes are applied again one by
//! one, so every caller gets its own answer: one write's conflict never fails another's.

use std::collections::HashSet;
use std::sync::Arc;

use maestro_core::ports::{RelationEdit, StoreError, StoreResult, WriteBatch};
use maestro_model::EntityId;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::db::Pools;

/// Most entities one group carries; a larger write is applied alone.
const MAX_GROUP_ENTITIES: usize = 500;
/// Writes waiting for a writer before callers wait to enqueue.
const QUEUE: usize = 1024;

struct Job {
    batch: WriteBatch,
    /// The answer, with the batch handed back: the caller frees its documents on its own task,
    /// not the writer between two groups (a discovered page's batch took a millisecond or two).
    reply: oneshot::Sender<(StoreResult<()>, WriteBatch)>,
}

/// The entry to the writer tasks.
#[derive(Debug, Clone)]
pub(crate) struct GroupWriter {
    queue: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts `workers` writer tasks (one for SQLite, whose writes are serial anyway; a few on
    /// PostgreSQL so writes still run side by side).
    pub(crate) fn start(pools: Pools, workers: usize) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..workers.max(1) {
            tokio::spawn(run(pools.clone(), rx.clone()));
        }
        Self { queue }
    }

    /// Applies `batch` atomically, possibly in the same transaction as concurrent writes.
    pub(crate) async fn write(&self, pools: &Pools, batch: WriteBatch) -> StoreResult<WriteBatch> {
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError(job)) = self.queue.send(Job { batch, reply }).await {
            // The writers are gone (their runtime shut down): write directly.
            apply(pools, &[&job.batch]).await?;
            return Ok(job.batch);
        }
        let (result, batch) = answer
            .await
            .map_err(|_| StoreError::Unavailable("the database writer stopped".into()))?;
        result.map(|()| batch)
    }
}

async fn run(pools: Pools, rx: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut carry = None;
    loop {
        let group = match carry.take() {
            // A write left over from the last group goes first, without waiting for the queue:
            // another writer may hold it, idle, until new writes arrive.
            Some(job) => {
                let mut group = Group::new(job);
                if let Ok(mut rx) = rx.try_lock() {
                    carry = group.fill(&mut rx);
                }
                group
            }
            None => {
                let mut rx = rx.lock().await;
                let Some(first) = rx.recv().await else {
                    return;
                };
                let mut group = Group::new(first);
                carry = group.fill(&mut rx);
                group
            }
        };
        commit(&pools, group.jobs).await;
    }
}

/// Writes applied together: they never touch the same entity, so their rows can share
/// statements in any order.
struct Group {
    jobs: Vec<Job>,
    ids: HashSet<EntityId>,
    entities: usize,
}

impl Group {
    fn new(first: Job) -> Self {
        let mut ids = HashSet::new();
        touches(&first.batch, |id| {
            ids.insert(id);
        });
        Self {
            entities: first.batch.entities.len(),
            jobs: vec![first],
            ids,
        }
    }

    /// Adds the writes already waiting, up to the first that cannot join (returned).
    fn fill(&mut self, rx: &mut mpsc::Receiver<Job>) -> Option<Job> {
        while self.entities < MAX_GROUP_ENTITIES {
            let Ok(job) = rx.try_recv() else { break };
            if let Some(job) = self.add(job) {
                return Some(job);
            }
        }
        None
    }

    /// Adds `job` unless it writes an entity of the group or makes the group too large (then
    /// gives it back).
    fn add(&mut self, job: Job) -> Option<Job> {
        let mut shared = false;
        touches(&job.batch, |id| shared |= self.ids.contains(&id));
        if shared || self.entities + job.batch.entities.len() > MAX_GROUP_ENTITIES {
            return Some(job);
        }
        touches(&job.batch, |id| {
            self.ids.insert(id);
        });
        self.entities += job.batch.entities.len();
        self.jobs.push(job);
        None
    }
}

/// Every entity a batch writes or whose relations it edits.
fn touches(b: &WriteBatch, mut f: impl FnMut(EntityId)) {
    b.entities.iter().for_each(|w| f(w.record.id));
    b.touched.iter().for_each(|(id, _)| f(*id));
    b.acl.iter().for_each(|(id, _)| f(*id));
    b.secrets.iter().for_each(|(id, _)| f(*id));
    b.pending.iter().for_each(|(id, _)| f(*id));
    b.resolved.iter().for_each(|(id, _, _)| f(*id));
    for edit in &b.relations {
        match edit {
            RelationEdit::Upsert { src, dst, .. } | RelationEdit::Remove { src, dst, .. } => {
                f(*src);
                f(*dst);
            }
            RelationEdit::DetachAll { entity } => f(*entity),
        }
    }
}

async fn commit(pools: &Pools, jobs: Vec<Job>) {
    if jobs.len() > 1 {
        let batches: Vec<&WriteBatch> = jobs.iter().map(|j| &j.batch).collect();
        if apply(pools, &batches).await.is_ok() {
            for job in jobs {
                let _ = job.reply.send((Ok(()), job.batch));
            }
            return;
        }
        // Rolled back: each write again on its own, for its own answer.
    }
    for job in jobs {
        let result = apply(pools, &[&job.batch]).await;
        let _ = job.reply.send((result, job.batch));
    }
}

async fn apply(pools: &Pools, batches: &[&WriteBatch]) -> StoreResult<()> {
    let mut tx = pools.begin().await?;
    match crate::write::apply_all(&mut tx, batches).await {
        Ok(()) => tx.commit().await,
        Err(e) => {
            // Released before the group's writes are retried one by one: a retry waiting for
            // a row this transaction still locked would wait forever.
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(ids: &[EntityId]) -> Job {
        let batch = WriteBatch {
            touched: ids.iter().map(|id| (*id, chrono::Utc::now())).collect(),
            ..Default::default()
        };
        Job {
            batch,
            reply: oneshot::channel().0,
        }
    }

    #[tokio::test]
    async fn a_group_stops_at_the_first_write_of_an_entity_it_holds() {
        let (a, b, c) = (EntityId::new(), EntityId::new(), EntityId::new());
        let (tx, mut rx) = mpsc::channel(8);
        for ids in [vec![b], vec![c, a], vec![b]] {
            assert!(tx.send(job(&ids)).await.is_ok());
        }
        let mut group = Group::new(job(&[a]));
        let left = group.fill(&mut rx).expect("the write of `a` waits");
        assert_eq!(group.jobs.len(), 2, "a, then b");
        assert_eq!(left.batch.touched.len(), 2);
        let mut next = Group::new(left);
        assert!(next.fill(&mut rx).is_none(), "b joins c and a");
        assert_eq!(next.jobs.len(), 2);
    }
}
