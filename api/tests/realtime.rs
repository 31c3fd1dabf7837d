//! The realtime socket: events reach sockets on another server process, only what the person
//! may see is sent, a reconnect resumes from its cursor, and bad tokens never upgrade.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use common::{Session, TestApp, email, spawn_app};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(address: &str, token: &str, after: Option<&str>) -> (Socket, String) {
    let ws = address.replacen("http://", "ws://", 1);
    let mut url = format!("{ws}/api/v1/realtime?token={token}");
    if let Some(a) = after {
        url.push_str(&format!("&after={a}"));
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    let hello = next_frame(&mut socket, Duration::from_secs(5))
        .await
        .expect("hello");
    assert_eq!(hello["type"], "hello");
    let cursor = hello["cursor"].as_str().unwrap().to_owned();
    (socket, cursor)
}

/// The next JSON frame, or None after `wait`.
async fn next_frame(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).unwrap()),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// Frames until one matches, or None after `wait`.
async fn wait_for(
    socket: &mut Socket,
    wait: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        let frame = next_frame(socket, left).await?;
        if pred(&frame) {
            return Some(frame);
        }
    }
}

/// A customer writes to the business's sandbox number (through the real ingest path).
async fn customer_writes(app: &TestApp, s: &Session, from: &str, text: &str) {
    let res = app
        .post(
            "/api/v1/sandbox/messages",
            Some(&s.access_token),
            json!({"from": from, "name": "Carla", "text": text}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn conversation_of(app: &TestApp, s: &Session) -> String {
    let list: Value = app
        .get("/api/v1/conversations", &s.access_token)
        .await
        .json()
        .await
        .unwrap();
    list["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_event_caused_on_one_server_reaches_a_socket_on_another() {
    let app = spawn_app().await;
    let peer = app.spawn_peer().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let (mut socket, _) = connect(&peer.address, &owner.access_token, None).await;
    customer_writes(&app, &owner, "34600111222", "hola").await;
    let conv = conversation_of(&app, &owner).await;
    let created = wait_for(&mut socket, Duration::from_secs(5), |f| {
        f["kind"] == "message.created"
    })
    .await
    .expect("the message reaches the other server's socket");
    assert_eq!(created["type"], "event");
    assert_eq!(created["conversation_id"], conv.as_str());
    assert!(created["message_id"].is_string());
    // The reply an agent queues, and its status moving, are events too.
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/messages"),
            Some(&owner.access_token),
            json!({"text": "¡Hola!"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let reply: Value = res.json().await.unwrap();
    assert!(
        wait_for(&mut socket, Duration::from_secs(5), |f| f["kind"]
            == "message.created"
            && f["message_id"] == reply["id"])
        .await
        .is_some()
    );
    app.drain_jobs().await;
    assert!(
        wait_for(&mut socket, Duration::from_secs(5), |f| f["kind"]
            == "message.updated"
            && f["message_id"] == reply["id"])
        .await
        .is_some(),
        "the send's status change is published"
    );
    assert_eq!(peer.state.hub.sockets(), 1);
}

#[tokio::test]
async fn sockets_only_carry_what_the_person_may_see() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let agent = app.add_member(&owner, &email("agent"), "agent").await;
    let other = app.signup_owner("Beta", &email("other")).await;
    let (mut owner_socket, _) = connect(&app.address, &owner.access_token, None).await;
    customer_writes(&app, &owner, "34600111222", "hola").await;
    let conv = conversation_of(&app, &owner).await;
    // Once the owner's socket has it, the listener is past the first message.
    assert!(
        wait_for(&mut owner_socket, Duration::from_secs(5), |f| f["kind"]
            == "message.created")
        .await
        .is_some()
    );
    // The owner takes the conversation: the agent (who reads only assigned and unassigned
    // conversations) hears about the change, then nothing more about it.
    let (mut agent_socket, _) = connect(&app.address, &agent.access_token, None).await;
    let (mut other_socket, _) = connect(&app.address, &other.access_token, None).await;
    let res = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/conversations/{conv}"),
            Some(&owner.access_token),
            Some(json!({"assignee_id": owner.membership_id})),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert!(
        wait_for(&mut agent_socket, Duration::from_secs(5), |f| f["kind"]
            == "conversation.updated")
        .await
        .is_some(),
        "the agent learns the conversation was taken"
    );
    customer_writes(&app, &owner, "34600111222", "¿hay alguien?").await;
    assert!(
        wait_for(&mut owner_socket, Duration::from_secs(5), |f| f["kind"]
            == "message.created")
        .await
        .is_some()
    );
    assert!(
        wait_for(&mut agent_socket, Duration::from_secs(2), |f| f["kind"]
            == "message.created")
        .await
        .is_none(),
        "someone else's conversation stays out of the agent's socket"
    );
    // (Its own member's presence is its business's news; nothing about Alpha arrives.)
    assert!(
        wait_for(&mut other_socket, Duration::from_millis(500), |f| f["kind"]
            != "presence"
            || f["data"]["membership_id"] != other.membership_id.as_str())
        .await
        .is_none(),
        "another business hears nothing"
    );
}

#[tokio::test]
async fn a_reconnect_resumes_from_its_cursor() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let (socket, cursor) = connect(&app.address, &owner.access_token, None).await;
    drop(socket);
    customer_writes(&app, &owner, "34600111222", "while you were away").await;
    let (mut socket, _) = connect(&app.address, &owner.access_token, Some(&cursor)).await;
    let missed = wait_for(&mut socket, Duration::from_secs(5), |f| {
        f["kind"] == "message.created"
    })
    .await
    .expect("the missed message is replayed");
    // Resuming after that event replays nothing more of it.
    let after = missed["cursor"].as_str().unwrap().to_owned();
    let (mut again, _) = connect(&app.address, &owner.access_token, Some(&after)).await;
    assert!(
        wait_for(&mut again, Duration::from_millis(700), |f| f["kind"]
            == "message.created")
        .await
        .is_none()
    );
}

#[tokio::test]
async fn bad_tokens_and_cursors_never_upgrade() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ws = app.address.replacen("http://", "ws://", 1);
    for url in [
        format!("{ws}/api/v1/realtime"),
        format!("{ws}/api/v1/realtime?token=not-a-jwt"),
        format!(
            "{ws}/api/v1/realtime?token={}&after=abc",
            owner.access_token
        ),
    ] {
        let err = tokio_tungstenite::connect_async(url.clone())
            .await
            .expect_err("refused");
        let status = match err {
            tokio_tungstenite::tungstenite::Error::Http(r) => r.status().as_u16(),
            e => panic!("{url}: {e}"),
        };
        assert!(status == 401 || status == 422, "{url}: {status}");
    }
    // Plain HTTP without the upgrade is a clear 400.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/realtime?token={}", owner.access_token)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn typing_viewers_presence_and_notifications_reach_the_right_sockets() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Alpha", &email("owner")).await;
    let ana = app.add_member(&owner, &email("ana"), "agent").await;
    let luis = app.add_member(&owner, &email("luis"), "agent").await;
    customer_writes(&app, &owner, "34600555111", "hola").await;
    let conv = conversation_of(&app, &owner).await;
    let (mut owner_socket, _) = connect(&app.address, &owner.access_token, None).await;
    let (mut luis_socket, _) = connect(&app.address, &luis.access_token, None).await;
    // Luis came online: the owner is told.
    let presence = wait_for(&mut owner_socket, Duration::from_secs(5), |f| {
        f["kind"] == "presence" && f["data"]["membership_id"] == luis.membership_id.as_str()
    })
    .await
    .expect("presence frame");
    assert_eq!(presence["data"]["status"], "online");
    assert!(presence["conversation_id"].is_null());
    let agents: Value = app
        .get("/api/v1/agents", &owner.access_token)
        .await
        .json()
        .await
        .unwrap();
    let luis_row = agents["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == luis.membership_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(luis_row["presence"], "online");

    // Ana opens the conversation and starts typing: Luis sees both, with her name.
    let post = |s: &Session, path: String| {
        let app = &app;
        let token = s.access_token.clone();
        async move {
            app.client
                .post(app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(&ana, format!("/api/v1/conversations/{conv}/viewing")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let viewers = wait_for(&mut luis_socket, Duration::from_secs(5), |f| {
        f["kind"] == "viewers"
    })
    .await
    .expect("viewers frame");
    assert_eq!(viewers["conversation_id"], conv.as_str());
    assert_eq!(
        viewers["data"]["viewers"][0]["membership_id"],
        ana.membership_id.as_str()
    );
    let res = post(&ana, format!("/api/v1/conversations/{conv}/typing")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let typing = wait_for(&mut luis_socket, Duration::from_secs(5), |f| {
        f["kind"] == "typing"
    })
    .await
    .expect("typing frame");
    assert_eq!(typing["data"]["typing"], true);
    assert_eq!(typing["data"]["membership_id"], ana.membership_id.as_str());

    // A mention of Luis reaches Luis's socket only.
    let res = app
        .post(
            &format!("/api/v1/conversations/{conv}/notes"),
            Some(&ana.access_token),
            json!({"body": "@Luis look", "mentions": [{"type": "agent", "id": luis.membership_id}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let n = wait_for(&mut luis_socket, Duration::from_secs(5), |f| {
        f["kind"] == "notification.created"
    })
    .await
    .expect("notification frame");
    assert_eq!(n["data"]["kind"], "mention");
    let leaked = wait_for(&mut owner_socket, Duration::from_millis(800), |f| {
        f["kind"] == "notification.created"
    })
    .await;
    assert!(
        leaked.is_none(),
        "another member's notification leaked: {leaked:?}"
    );
}
