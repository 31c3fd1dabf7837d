//! Signup, verification, login, tokens, refresh rotation, logout, reset, rate limits, switching.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, email, error_code, spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn signup_verify_login_me() {
    let app = spawn_app().await;
    let owner_email = email("owner");
    let res = app
        .post("/api/v1/signup", None, json!({"business_name": "Acme Bakery", "name": "Ana", "email": owner_email, "password": PASSWORD}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["tenant"]["name"], "Acme Bakery");
    assert_eq!(body["user"]["email_verified"], false);

    // Not verified yet: login is refused with a clear code.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::FORBIDDEN, "email_not_verified".into())
    );

    let token = app.mailed_token(&owner_email, "verify-email").await;
    let res = app
        .post("/api/v1/auth/verify-email", None, json!({"token": token}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Single use.
    let res = app
        .post("/api/v1/auth/verify-email", None, json!({"token": token}))
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::BAD_REQUEST, "invalid_token".into())
    );

    let session = app.login(&owner_email, PASSWORD).await;
    let me: Value = app
        .get("/api/v1/me", &session.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["tenant"]["name"], "Acme Bakery");
    assert_eq!(me["membership"]["role"]["name"], "Owner");
    assert_eq!(
        me["membership"]["permissions"].as_array().unwrap().len(),
        16
    );
}

#[tokio::test]
async fn signup_validation_errors() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"business_name": "A", "name": "Ana", "email": email("a"), "password": PASSWORD}),
            "business_name",
        ),
        (
            json!({"business_name": "Acme", "name": "Ana", "email": "not-an-email", "password": PASSWORD}),
            "email",
        ),
        (
            json!({"business_name": "Acme", "name": "Ana", "email": email("a"), "password": "short"}),
            "password",
        ),
        (
            json!({"business_name": "Acme", "name": "Ana", "email": email("a"), "password": "password1234"}),
            "password",
        ),
        (
            json!({"business_name": "Acme", "name": "", "email": email("a"), "password": PASSWORD}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/signup", None, body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    // Duplicate email.
    let e = email("dup");
    let ok = app
        .post(
            "/api/v1/signup",
            None,
            json!({"business_name": "Acme", "name": "Ana", "email": e, "password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    let res = app.post("/api/v1/signup", None, json!({"business_name": "Acme 2", "name": "Ana", "email": e.to_uppercase(), "password": PASSWORD})).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::CONFLICT, "email_taken".into())
    );
    // Malformed JSON, wrong types, oversized.
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res).await,
        (StatusCode::BAD_REQUEST, "invalid_json".into())
    );
    let res = app
        .post("/api/v1/signup", None, json!({"business_name": 5}))
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    let huge = "x".repeat(400 * 1024);
    let res = app
        .post(
            "/api/v1/signup",
            None,
            json!({"business_name": huge, "name": "a", "email": "a@b.co", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Acme", &email("owner")).await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner.email, "password": "not the password at all"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email("nobody"), "password": "not the password at all"}),
        )
        .await;
    let (s1, b1) = (wrong.status(), wrong.text().await.unwrap());
    let (s2, b2) = (unknown.status(), unknown.text().await.unwrap());
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    // Timing: both pay for one argon2 verification; compare medians of a few tries.
    let mut t_wrong = vec![];
    let mut t_unknown = vec![];
    for _ in 0..5 {
        let t = std::time::Instant::now();
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner.email, "password": "not the password at all"}),
        )
        .await;
        t_wrong.push(t.elapsed());
        let t = std::time::Instant::now();
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "not the password at all"}),
        )
        .await;
        t_unknown.push(t.elapsed());
    }
    t_wrong.sort();
    t_unknown.sort();
    let (a, b) = (t_wrong[2].as_secs_f64(), t_unknown[2].as_secs_f64());
    assert!(
        a / b < 3.0 && b / a < 3.0,
        "median wrong-password {a:.3}s vs unknown-email {b:.3}s"
    );
}

#[tokio::test]
async fn tokens_are_checked() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Acme", &email("owner")).await;
    assert_eq!(
        app.get("/api/v1/me", &owner.access_token).await.status(),
        StatusCode::OK
    );
    // No token, garbage, alg none, another key, expired.
    let res = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(error_code(res).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get("/api/v1/me", "garbage").await.status(),
        StatusCode::UNAUTHORIZED
    );
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = owner.access_token.split('.').nth(1).unwrap();
    let none = format!(
        "{}.{}.",
        b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
        payload
    );
    assert_eq!(
        app.get("/api/v1/me", &none).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let other = chorus_tenants::access::AccessTokens::new(
        &chorus_tenants::crypto::SecretKey::new(&[9u8; 32]).unwrap(),
    );
    let claims = app.state.access.verify(&owner.access_token).unwrap();
    let forged = other.issue(claims.sub, claims.tid, claims.mid).unwrap();
    assert_eq!(
        app.get("/api/v1/me", &forged).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let expired = app
        .state
        .access
        .issue_at(
            claims.sub,
            claims.tid,
            claims.mid,
            chrono::Utc::now().timestamp() - 3600,
        )
        .unwrap();
    let res = app.get("/api/v1/me", &expired).await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let owner = app.signup_owner("Acme", &email("owner")).await;
    let first = owner.refresh_token.clone();
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": first}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    let second = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    // Replaying the first token burns the family: the second stops working too.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": first}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": second}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Garbage tokens are 401, not 500.
    for bad in [
        "",
        "x",
        "a.b.c",
        "00000000000000000000000000000000.00000000000000000000000000000000.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        let res = app
            .post("/api/v1/auth/refresh", None, json!({"refresh_token": bad}))
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }
}

#[tokio::test]
async fn refresh_cookie_and_logout() {
    let app = spawn_app().await;
    let owner_email = email("owner");
    app.signup_owner("Acme", &owner_email).await;
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner_email, "password": PASSWORD}),
        )
        .await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("chorus_refresh="));
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let next = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &next)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .header("cookie", &next)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_reset_ends_sessions() {
    let app = spawn_app().await;
    let owner_email = email("owner");
    let owner = app.signup_owner("Acme", &owner_email).await;
    let res = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": owner_email}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // Unknown email answers the same.
    let res = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": email("nobody")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let token = app.mailed_token(&owner_email, "reset-password").await;
    let res = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into())
    );
    let res = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "password": "a brand new long passphrase"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "password": "another brand new passphrase"}),
        )
        .await;
    assert_eq!(
        error_code(res).await,
        (StatusCode::BAD_REQUEST, "invalid_token".into())
    );
    let res = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": owner.refresh_token}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": owner_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.login(&owner_email, "a brand new long passphrase").await;
}

#[tokio::test]
async fn login_is_rate_limited_per_account_with_retry_after() {
    let app = spawn_app_with(|c| {
        c.rate_limits.login_per_account = 3;
        c.rate_limits.login_per_ip = 100;
    })
    .await;
    let target = email("victim");
    let mut statuses = vec![];
    for _ in 0..5 {
        let res = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": target, "password": "wrong wrong wrong"}),
            )
            .await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = res
                .headers()
                .get("retry-after")
                .unwrap()
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry >= 1);
            assert_eq!(error_code(res).await.1, "rate_limited");
            statuses.push(429);
        } else {
            statuses.push(res.status().as_u16());
        }
    }
    assert_eq!(statuses, vec![401, 401, 401, 429, 429]);
    // Another account from the same IP is not affected.
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email("other"), "password": "wrong wrong wrong"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signup_and_reset_are_rate_limited_per_ip() {
    let app = spawn_app_with(|c| {
        c.rate_limits.signup_per_ip = 2;
        c.rate_limits.reset_per_ip = 2;
    })
    .await;
    for expected in [202, 202, 429] {
        let res = app
            .post(
                "/api/v1/auth/forgot-password",
                None,
                json!({"email": email("x")}),
            )
            .await;
        assert_eq!(res.status().as_u16(), expected);
    }
    for expected in [201, 201, 429] {
        let res = app
            .post("/api/v1/signup", None, json!({"business_name": "Acme", "name": "A", "email": email("s"), "password": PASSWORD}))
            .await;
        assert_eq!(res.status().as_u16(), expected);
    }
}

#[tokio::test]
async fn one_person_switches_between_businesses() {
    let app = spawn_app().await;
    let a = app.signup_owner("Alpha", &email("alpha")).await;
    let b = app.signup_owner("Beta", &email("beta")).await;
    // Beta's owner invites Alpha's owner as an agent; Alpha's owner accepts with their password.
    let role = app.role_id(&b, "agent").await;
    let res = app
        .post(
            "/api/v1/invitations",
            Some(&b.access_token),
            json!({"email": a.email, "role_id": role}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let token = app.mailed_token(&a.email, "accept-invitation").await;
    let preview: Value = app
        .client
        .get(app.url(&format!("/api/v1/invitations/lookup?token={token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(preview["tenant_name"], "Beta");
    assert_eq!(preview["account_exists"], true);
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": "wrong password here"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .post(
            "/api/v1/invitations/accept",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = app
        .get("/api/v1/me", &a.access_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["memberships"].as_array().unwrap().len(), 2);
    let res = app
        .post(
            "/api/v1/auth/switch",
            Some(&a.access_token),
            json!({"tenant_id": b.tenant_id}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let switched: Value = res.json().await.unwrap();
    let me: Value = app
        .get("/api/v1/me", switched["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["tenant"]["name"], "Beta");
    assert_eq!(me["membership"]["role"]["name"], "Agent");
    // A business one is not a member of: 404.
    let c = app.signup_owner("Gamma", &email("gamma")).await;
    let res = app
        .post(
            "/api/v1/auth/switch",
            Some(&a.access_token),
            json!({"tenant_id": c.tenant_id}),
        )
        .await;
    assert_eq!(error_code(res).await.0, StatusCode::NOT_FOUND);
}
