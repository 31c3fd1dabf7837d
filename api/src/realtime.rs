//! Realtime fan-out: `/api/v1/realtime` WebSockets, fed by one listener per process.
//!
//! The listener reads each final window of events every 50 ms, at once after a request of this
//! process committed a change (`Hub::wake`, from the request middleware), and early when
//! something NOTIFYs `chorus_realtime` (`chorus_tenants::realtime`), so an event caused through
//! any `chorus serve` process reaches sockets held by every other one, within 50 ms, and those
//! caused here without waiting for the tick. The hub
//! hands each event to the sockets of its business that may see it, through bounded queues: a
//! client that does not keep up is told to resync and dropped; it never slows the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, get, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use chorus_tenants::db::{Store, TenantTx};
use chorus_tenants::ids::TenantId;
use chorus_tenants::permissions::Permission;
use chorus_tenants::realtime::{self, Audience, Event};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Frames queued per socket before it counts as too slow.
const QUEUE: usize = 256;
/// Events replayed on resume before asking the client to refetch instead.
const REPLAY_LIMIT: i64 = 500;
const PING_EVERY: Duration = Duration::from_secs(20);
const PONG_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the listener reads the next final window of events. Writers do not NOTIFY (that
/// would serialise their commits on PostgreSQL's notify lock); a NOTIFY from elsewhere still
/// wakes the listener early.
const READ_EVERY: Duration = Duration::from_millis(50);
/// Input activity is recorded at most this often per socket.
const ACTIVE_EVERY: Duration = Duration::from_secs(30);

/// What a socket is sent.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Frame {
    Hello {
        cursor: String,
    },
    Event {
        cursor: String,
        kind: String,
        conversation_id: Option<Uuid>,
        message_id: Option<Uuid>,
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<serde_json::Value>,
    },
    Resync,
}

impl Frame {
    fn of(e: &Event) -> Self {
        // The resume point after this event: events of later transactions.
        let next = e
            .xid
            .parse::<u64>()
            .map(|x| (x + 1).to_string())
            .unwrap_or_else(|_| e.xid.clone());
        Frame::Event {
            cursor: next,
            kind: e.kind.clone(),
            conversation_id: e.conversation_id,
            message_id: e.message_id,
            data: e.data.clone(),
        }
    }
}

struct Subscriber {
    id: u64,
    audience: Audience,
    tx: mpsc::Sender<Frame>,
}

/// Live sockets by business.
#[derive(Clone, Default)]
pub struct Hub {
    subscribers: Arc<Mutex<HashMap<TenantId, Vec<Subscriber>>>>,
    next: Arc<AtomicU64>,
    /// Wakes this process's listener at once after a request here committed a change.
    wake: Arc<tokio::sync::Notify>,
    /// When this process last renewed each member's presence (seen, active): a person's two
    /// sockets share one heartbeat write instead of one each.
    beats: Arc<Mutex<HashMap<Uuid, (Instant, Instant)>>>,
}

impl Hub {
    fn subscribe(&self, tenant: TenantId, audience: Audience) -> (u64, mpsc::Receiver<Frame>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(tenant)
            .or_default()
            .push(Subscriber { id, audience, tx });
        metrics::gauge!("chorus_realtime_sockets").increment(1.0);
        (id, rx)
    }

    fn unsubscribe(&self, tenant: TenantId, id: u64) {
        let mut map = self.lock();
        if let Some(subs) = map.get_mut(&tenant) {
            let before = subs.len();
            subs.retain(|s| s.id != id);
            if subs.len() < before {
                metrics::gauge!("chorus_realtime_sockets").decrement(1.0);
            }
            if subs.is_empty() {
                map.remove(&tenant);
            }
        }
    }

    /// Whether a socket of `member` should write a heartbeat now, and if so note it. A renewal
    /// by another socket of the same person in the last half interval makes this one redundant:
    /// the stored time is then at most 1.5 intervals old, well inside the 60 s presence life.
    fn claim_beat(&self, member: Uuid, active: bool) -> bool {
        let now = Instant::now();
        let mut beats = self.beats.lock().unwrap_or_else(|e| e.into_inner());
        if beats.len() > 4096 {
            beats.retain(|_, (seen, _)| now.duration_since(*seen) < PONG_TIMEOUT);
        }
        let far = now.checked_sub(PONG_TIMEOUT).unwrap_or(now);
        let entry = beats.entry(member).or_insert((far, far));
        let fresh = if active {
            now.duration_since(entry.1) < ACTIVE_EVERY / 2
        } else {
            now.duration_since(entry.0) < PING_EVERY / 2
        };
        if fresh {
            return false;
        }
        entry.0 = now;
        if active {
            entry.1 = now;
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, Vec<Subscriber>>> {
        self.subscribers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hand events to the sockets that may see them. A full queue drops that socket (its
    /// handler then tells the client to resync).
    pub fn publish(&self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let mut map = self.lock();
        for e in events {
            let Some(subs) = map.get_mut(&e.tenant()) else {
                continue;
            };
            let frame = Frame::of(e);
            subs.retain(|s| {
                if !e.visible_to(&s.audience) {
                    return true;
                }
                match s.tx.try_send(frame.clone()) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        metrics::counter!("chorus_realtime_slow_clients_total").increment(1);
                        metrics::gauge!("chorus_realtime_sockets").decrement(1.0);
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {
                        metrics::gauge!("chorus_realtime_sockets").decrement(1.0);
                        false
                    }
                }
            });
        }
        metrics::counter!("chorus_realtime_events_total").increment(events.len() as u64);
    }

    /// Read the events now instead of at the next tick: a request of this process committed
    /// something. Wake-ups while a read runs fold into one more read.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn sockets(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}

/// Follow the database's events until `stop`: every [`READ_EVERY`] (or at a NOTIFY), read the
/// next final window and publish it.
pub async fn listen(hub: Hub, store: Store, url: String, stop: CancellationToken) {
    let mut floor = loop {
        match realtime::horizon(&store).await {
            Ok(h) => break h,
            Err(e) => {
                tracing::warn!(error = %e, "realtime: cannot read the horizon; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.cancelled() => return,
                }
            }
        }
    };
    let mut last_prune = std::time::Instant::now();
    'connect: loop {
        let mut conn = match realtime::listen(&url).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "realtime: cannot LISTEN; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue 'connect,
                    _ = stop.cancelled() => return,
                }
            }
        };
        let mut notifications = std::pin::pin!(conn.notifications_stream());
        loop {
            let mut lost = false;
            tokio::select! {
                n = notifications.next() => {
                    lost = !matches!(n, Some(Ok(_)));
                }
                _ = tokio::time::sleep(READ_EVERY) => {}
                _ = hub.wake.notified() => {}
                _ = stop.cancelled() => return,
            }
            match realtime::read_window(&store, &floor).await {
                Ok((events, next)) => {
                    hub.publish(&events);
                    floor = next;
                }
                Err(e) => tracing::warn!(error = %e, "realtime: reading events failed"),
            }
            if last_prune.elapsed() > Duration::from_secs(600) {
                last_prune = std::time::Instant::now();
                if let Err(e) = realtime::prune(&store).await {
                    tracing::warn!(error = %e, "realtime: pruning old events failed");
                }
            }
            if lost {
                tracing::warn!("realtime: the LISTEN connection ended; reconnecting");
                continue 'connect;
            }
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Connect {
    /// An access token (browsers cannot set headers on WebSockets).
    pub token: Option<String>,
    /// Resume from this cursor (the `cursor` of the last event handled, or of `hello`).
    pub after: Option<String>,
}

/// The realtime socket: `hello`, then `event` frames about conversations the person may see,
/// `resync` when they fell behind. Pings every 20 s.
#[utoipa::path(tag = "inbox", params(Connect),
    responses((status = 101, description = "switching to the WebSocket protocol"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
#[get("/realtime")]
pub async fn socket(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
    q: web::Query<Connect>,
) -> ApiResult<HttpResponse> {
    let token = q
        .token
        .as_deref()
        .ok_or_else(|| ApiError::unauthorized("Connect with ?token=<access token>."))?;
    let claims = state.access.verify(token.trim())?;
    let tenant = claims.tid;
    let actor = state
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::people::actor::load(tx, claims.sub, claims.mid).await
        })
        .await?;
    actor.require_any(&[
        Permission::ConversationsReadAll,
        Permission::ConversationsReadAssigned,
    ])?;
    let after = match q.after.as_deref() {
        Some(a) if !realtime::is_cursor(a) => {
            return Err(chorus_tenants::Error::invalid("after", "Not a cursor.").into());
        }
        other => other.map(str::to_owned),
    };
    let read_all = actor.permissions.contains(Permission::ConversationsReadAll);
    let membership = actor.membership_id.0;
    let teams = state
        .store
        .tenant(tenant, async |tx: &mut TenantTx| {
            chorus_tenants::people::teams::of_member(tx, membership).await
        })
        .await?;
    let audience = Audience {
        membership,
        read_all,
        teams,
    };
    let (response, mut session, mut incoming) = actix_ws::handle(&req, body).map_err(|_| {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "not_a_websocket",
            "Open this path as a WebSocket.",
        )
    })?;
    // Subscribe before reading the horizon and replaying, so nothing falls in between.
    let hub = state.hub.clone();
    let (id, mut rx) = hub.subscribe(tenant, audience.clone());
    let store = state.store.clone();
    actix_web::rt::spawn(async move {
        let visible = |e: &Event| e.visible_to(&audience);
        let send = async |session: &mut actix_ws::Session, frame: &Frame| {
            let text = serde_json::to_string(frame).unwrap_or_default();
            session.text(text).await.is_ok()
        };
        let hello = realtime::horizon(&store).await.unwrap_or_default();
        let mut ok = send(&mut session, &Frame::Hello { cursor: hello }).await;
        let mut replayed_below: Option<u64> = None;
        if ok && let Some(after) = after {
            match realtime::replay(&store, tenant, &after, REPLAY_LIMIT).await {
                Ok(Some(events)) => {
                    // Live events of transactions the replay already covered are not sent twice.
                    replayed_below = events
                        .iter()
                        .filter_map(|e| e.xid.parse::<u64>().ok())
                        .max()
                        .map(|x| x + 1)
                        .max(after.parse().ok());
                    for e in events.iter().filter(|e| visible(e)) {
                        if !send(&mut session, &Frame::of(e)).await {
                            ok = false;
                            break;
                        }
                    }
                }
                _ => {
                    let _ = send(&mut session, &Frame::Resync).await;
                    ok = false;
                }
            }
        }
        // Presence: this socket keeps its member online; `{"type":"active"}` frames from the
        // client (input activity, at most every 30 s) keep them from going away.
        let beat = async |active: bool| {
            if !hub.claim_beat(membership, active) {
                return;
            }
            let r = store
                .tenant(tenant, async |tx: &mut TenantTx| {
                    chorus_tenants::presence::heartbeat(tx, membership, active).await
                })
                .await;
            if let Err(e) = r {
                tracing::debug!(error = %e, "realtime: presence heartbeat failed");
            }
        };
        if ok {
            beat(true).await;
        }
        let mut last_active = std::time::Instant::now();
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        let mut last_seen = std::time::Instant::now();
        while ok {
            tokio::select! {
                frame = rx.recv() => match frame {
                    Some(Frame::Event { cursor, .. })
                        if replayed_below.is_some_and(|below| {
                            cursor.parse::<u64>().is_ok_and(|c| c <= below)
                        }) => {}
                    Some(f) => ok = send(&mut session, &f).await,
                    None => {
                        // Dropped by the hub for being too slow.
                        let _ = send(&mut session, &Frame::Resync).await;
                        ok = false;
                    }
                },
                msg = incoming.next() => match msg {
                    Some(Ok(actix_ws::Message::Ping(p))) => {
                        last_seen = std::time::Instant::now();
                        ok = session.pong(&p).await.is_ok();
                    }
                    Some(Ok(actix_ws::Message::Close(_))) | None | Some(Err(_)) => ok = false,
                    Some(Ok(actix_ws::Message::Text(text))) => {
                        last_seen = std::time::Instant::now();
                        if text.contains("\"active\"") && last_active.elapsed() > ACTIVE_EVERY {
                            last_active = std::time::Instant::now();
                            beat(true).await;
                        }
                    }
                    Some(Ok(_)) => last_seen = std::time::Instant::now(),
                },
                _ = ping.tick() => {
                    if last_seen.elapsed() > PONG_TIMEOUT {
                        ok = false;
                    } else {
                        ok = session.ping(b"").await.is_ok();
                        beat(false).await;
                    }
                }
            }
        }
        hub.unsubscribe(tenant, id);
        let _ = session.close(None).await;
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_second_socket_shares_the_first_ones_heartbeat() {
        let hub = Hub::default();
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(hub.claim_beat(alice, true), "the first beat writes");
        assert!(
            !hub.claim_beat(alice, false),
            "her other socket's ping is redundant"
        );
        assert!(!hub.claim_beat(alice, true), "and so is its activity");
        assert!(hub.claim_beat(bob, false), "another person writes his own");
        assert!(
            hub.claim_beat(bob, true),
            "activity after a plain ping still writes"
        );
    }
}
