//! The media store's S3 path against a real S3 wire protocol: a local `moto_server` (see
//! `chorus_tenants::testing::s3`). What is checked is what Chorus relies on: bytes round-trip,
//! land under `<prefix>/<tenant>/<media id>` in the bucket, a missing file is S3's "not found",
//! and signed URLs (Chorus's own HMAC, not S3 presigning) do not depend on the backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chorus_tenants::crypto::SecretKey;
use chorus_tenants::ids::TenantId;
use chorus_tenants::media::MediaStore;
use chorus_tenants::testing::s3::MotoServer;
use object_store::ObjectStoreExt;
use uuid::Uuid;

fn key() -> SecretKey {
    SecretKey::new(&[7u8; 32]).unwrap()
}

/// A bucket name of its own (S3 names: lowercase, digits, hyphens).
fn bucket() -> String {
    format!("chorus-media-{}", Uuid::new_v4().simple())
}

#[tokio::test]
async fn files_round_trip_through_s3_under_the_prefix() {
    let moto = MotoServer::start().await;
    let bucket = bucket();
    moto.create_bucket(&bucket).await;
    let url = format!("s3://{bucket}/some/prefix/");
    let store = MediaStore::open_with(&url, &key(), &moto.settings()).unwrap();
    assert_eq!(store.location, url);

    let (tenant, id) = (TenantId(Uuid::now_v7()), Uuid::now_v7());
    let storage_key = MediaStore::storage_key(tenant, id);
    // Every byte value, so nothing is treated as text on the way.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store.put(&storage_key, bytes.clone()).await.unwrap();
    assert_eq!(store.get(&storage_key).await.unwrap(), bytes);

    // It is really in the bucket, under the prefix, and nothing else is.
    let expected = format!("some/prefix/{}/{id}", tenant.0);
    assert_eq!(moto.list_keys(&bucket, "").await, vec![expected.clone()]);
    // And holds those bytes when read without the store's prefix.
    let raw = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&moto.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("raw")
        .with_secret_access_key("raw")
        .with_bucket_name(&bucket)
        .build()
        .unwrap();
    let got = raw
        .get(&object_store::path::Path::from(expected))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.as_ref(), bytes.as_slice());

    // Writing the same key again replaces the file (the worker retries a download this way).
    store.put(&storage_key, b"second".to_vec()).await.unwrap();
    assert_eq!(store.get(&storage_key).await.unwrap(), b"second");
    assert_eq!(moto.list_keys(&bucket, "some/prefix/").await.len(), 1);

    // A file that is not there is an error, and S3's NotFound underneath (what a lost object
    // looks like to the API: its content route answers 500, it never serves something else).
    let missing = MediaStore::storage_key(tenant, Uuid::now_v7());
    let err = store.get(&missing).await.unwrap_err();
    assert!(
        matches!(
            err.downcast_ref::<object_store::Error>(),
            Some(object_store::Error::NotFound { .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_bucket_without_prefix_and_a_missing_bucket() {
    let moto = MotoServer::start().await;
    let bucket = bucket();
    moto.create_bucket(&bucket).await;
    let (tenant, id) = (TenantId(Uuid::now_v7()), Uuid::now_v7());
    let storage_key = MediaStore::storage_key(tenant, id);

    // No prefix: the key is the whole object name.
    let store = MediaStore::open_with(&format!("s3://{bucket}"), &key(), &moto.settings()).unwrap();
    store.put(&storage_key, b"plain".to_vec()).await.unwrap();
    assert_eq!(moto.list_keys(&bucket, "").await, vec![storage_key.clone()]);
    assert_eq!(store.get(&storage_key).await.unwrap(), b"plain");

    // A bucket that does not exist: put fails (nothing is recorded as stored).
    let nowhere = MediaStore::open_with("s3://no-such-bucket/x", &key(), &moto.settings()).unwrap();
    assert!(nowhere.put(&storage_key, b"lost".to_vec()).await.is_err());

    // An s3:// URL must name a bucket.
    assert!(MediaStore::open_with("s3://", &key(), &moto.settings()).is_err());
}

#[tokio::test]
async fn signed_urls_do_not_depend_on_the_backend() {
    let moto = MotoServer::start().await;
    let bucket = bucket();
    moto.create_bucket(&bucket).await;
    let s3 = MediaStore::open_with(&format!("s3://{bucket}/p"), &key(), &moto.settings()).unwrap();
    let dir = std::env::temp_dir().join(format!("chorus-media-{}", Uuid::now_v7()));
    let local = MediaStore::open(dir.to_str().unwrap(), &key()).unwrap();
    let (tenant, id) = (TenantId(Uuid::now_v7()), Uuid::now_v7());
    // Same key, same URL: the signature is Chorus's HMAC, S3 never sees it.
    let url = s3.signed_url(tenant, id);
    assert_eq!(url, local.signed_url(tenant, id));
    assert!(
        url.starts_with(&format!("/api/v1/media/{id}/content?")),
        "{url}"
    );
    let q: std::collections::HashMap<&str, &str> = url
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let expires: i64 = q["e"].parse().unwrap();
    assert!(s3.verify(tenant, id, expires, q["s"]));
    assert!(!s3.verify(tenant, Uuid::now_v7(), expires, q["s"]));
    let _ = std::fs::remove_dir_all(dir);
}
