//! Writing the send path's two records — the attempt (`sending`, before the call to Meta) and
//! Meta's acceptance (the wamid, `sent`) — for many concurrently running `send_message` jobs at
//! once.
//!
//! Each job hands its write to one recorder task per process and waits for the answer, so the
//! semantics of a single send are unchanged: the attempt is committed before the Graph call and
//! the wamid is committed before the job is deleted. What changes is the cost: the recorder takes
//! whatever requests are waiting, groups them by business and writes each business's share in
//! ONE tenant transaction (one read and one update for the attempts, one `UPDATE .. FROM
//! unnest(..)` for the acceptances), instead of a transaction of its own per write. Under load
//! the batches grow by themselves (requests pile up while the writers are busy); when idle a
//! request is written alone, at once. Every write still goes through the tenant door (RLS).
//!
//! A batch that fails as a whole is retried one request at a time, each in its own transaction,
//! so one bad row (say, a duplicate wamid) never fails its neighbours: an acceptance that could
//! not be recorded would make its job retry and send the message again.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tokio::sync::{Semaphore, mpsc, oneshot};
use uuid::Uuid;

use chorus_tenants::db::{Store, TenantTx};
use chorus_tenants::ids::TenantId;
use chorus_tenants::messages::{self, Outgoing};

/// Requests written in one go, at most.
const MAX_BATCH: usize = 512;
/// Batches in flight at once. Few on purpose: while they are busy the next batch fills up.
const WRITERS: usize = 2;

#[derive(Clone)]
enum Write {
    Begin(Uuid),
    Accept(Uuid, String),
}

enum Answer {
    Begun(Box<Option<Outgoing>>),
    Accepted,
}

type Reply = oneshot::Sender<Result<Answer, chorus_tenants::Error>>;

struct Request {
    tenant: TenantId,
    write: Write,
    reply: Reply,
}

/// The process's recorder. Cheap to share; the task behind it starts with the first request
/// and ends when the recorder is dropped.
#[derive(Default)]
pub struct SendRecords {
    queue: OnceLock<mpsc::UnboundedSender<Request>>,
}

impl SendRecords {
    fn queue(&self, store: &Store) -> &mpsc::UnboundedSender<Request> {
        self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(record(store.clone(), rx));
            tx
        })
    }

    async fn ask(
        &self,
        store: &Store,
        tenant: TenantId,
        write: Write,
    ) -> Result<Answer, chorus_tenants::Error> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            tenant,
            write: write.clone(),
            reply,
        };
        if self.queue(store).send(request).is_ok()
            && let Ok(answer) = answer.await
        {
            return answer;
        }
        // The recorder is gone (shutting down, or its writer failed mid-way): write alone. Both
        // writes may be repeated safely (an attempt re-reads the message; an acceptance sets the
        // same wamid again).
        write_alone(store, tenant, write).await
    }

    /// [`messages::begin_send`], written together with other jobs' writes of this business.
    pub async fn begin(
        &self,
        store: &Store,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Option<Outgoing>, chorus_tenants::Error> {
        match self.ask(store, tenant, Write::Begin(id)).await? {
            Answer::Begun(out) => Ok(*out),
            Answer::Accepted => Err(unexpected()),
        }
    }

    /// [`messages::mark_accepted`], written together with other jobs' writes of this business.
    /// Returns once the wamid is committed.
    pub async fn accepted(
        &self,
        store: &Store,
        tenant: TenantId,
        id: Uuid,
        wamid: &str,
    ) -> Result<(), chorus_tenants::Error> {
        match self
            .ask(store, tenant, Write::Accept(id, wamid.to_owned()))
            .await?
        {
            Answer::Accepted => Ok(()),
            Answer::Begun(_) => Err(unexpected()),
        }
    }
}

fn unexpected() -> chorus_tenants::Error {
    chorus_tenants::Error::Internal(anyhow::anyhow!("the send recorder answered the wrong kind"))
}

/// The recorder task: take what is waiting, write it per business, repeat.
async fn record(store: Store, mut queue: mpsc::UnboundedReceiver<Request>) {
    let writers = Arc::new(Semaphore::new(WRITERS));
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    loop {
        // Wait for a free writer first: meanwhile requests pile up into the next batch.
        let Ok(permit) = writers.clone().acquire_owned().await else {
            return;
        };
        if queue.recv_many(&mut waiting, MAX_BATCH).await == 0 {
            return;
        }
        let batch = std::mem::take(&mut waiting);
        metrics::histogram!("chorus_send_record_batch_size").record(batch.len() as f64);
        let store = store.clone();
        tokio::spawn(async move {
            let mut by_tenant: HashMap<TenantId, Vec<Request>> = HashMap::new();
            for r in batch {
                by_tenant.entry(r.tenant).or_default().push(r);
            }
            futures_util::future::join_all(
                by_tenant
                    .into_iter()
                    .map(|(tenant, requests)| write_batch(&store, tenant, requests)),
            )
            .await;
            drop(permit);
        });
    }
}

/// One business's requests in one tenant transaction; one by one if that fails.
async fn write_batch(store: &Store, tenant: TenantId, requests: Vec<Request>) {
    let mut begins = Vec::new();
    let mut accepts = Vec::new();
    for r in &requests {
        match &r.write {
            Write::Begin(id) => begins.push(*id),
            Write::Accept(id, wamid) => accepts.push((*id, wamid.clone())),
        }
    }
    let written = store
        .tenant(tenant, async |tx: &mut TenantTx| {
            messages::mark_accepted_many(tx, &accepts).await?;
            if begins.is_empty() {
                Ok(HashMap::new())
            } else {
                messages::begin_sends(tx, &begins).await
            }
        })
        .await;
    match written {
        Ok(mut begun) => {
            for r in requests {
                let answer = match r.write {
                    // An id asked for twice is sent once: the first asker takes it.
                    Write::Begin(id) => match begun.get_mut(&id) {
                        Some(slot) => Ok(Answer::Begun(Box::new(slot.take()))),
                        None => Err(chorus_tenants::Error::NotFound("message")),
                    },
                    Write::Accept(..) => Ok(Answer::Accepted),
                };
                let _ = r.reply.send(answer);
            }
        }
        Err(e) if requests.len() == 1 => {
            if let Some(r) = requests.into_iter().next() {
                let _ = r.reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, requests = requests.len(), "writing a batch of send records failed; writing them one by one");
            for r in requests {
                let answer = write_alone(store, tenant, r.write).await;
                let _ = r.reply.send(answer);
            }
        }
    }
}

/// One request in a transaction of its own.
async fn write_alone(
    store: &Store,
    tenant: TenantId,
    write: Write,
) -> Result<Answer, chorus_tenants::Error> {
    match write {
        Write::Begin(id) => store
            .tenant(tenant, async |tx: &mut TenantTx| {
                messages::begin_send(tx, id).await
            })
            .await
            .map(|out| Answer::Begun(Box::new(out))),
        Write::Accept(id, wamid) => store
            .tenant(tenant, async |tx: &mut TenantTx| {
                messages::mark_accepted(tx, id, &wamid).await
            })
            .await
            .map(|()| Answer::Accepted),
    }
}
