//! A local S3 for tests: moto's `moto_server`, started as a child process on a free port and
//! killed when the [`MotoServer`] is dropped. S3 itself is a third party the tests cannot reach;
//! moto speaks its wire format (path-style buckets, SigV4 accepted with any key), which is what
//! the media store's S3 path needs to be exercised for real.
//!
//! A missing `moto_server` is a failure, never a skip: `make test` installs it
//! (`infra/install-deps.sh --s3`), and [`MotoServer::start`] panics saying how. The binary is
//! `CHORUS_MOTO_SERVER` when set, else `moto_server` on `PATH`, else the virtualenv the install
//! script falls back to where pip may not install system-wide (`target/moto-venv`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::media::{S3Credentials, S3Settings};

/// How long moto may take to answer its first request (it imports all of moto: ~1–2 s).
const STARTUP: Duration = Duration::from_secs(30);

/// A running `moto_server`; dropping it kills the process.
pub struct MotoServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    log: PathBuf,
}

impl MotoServer {
    /// Start one on a free port and wait until it answers. Panics with what to do when
    /// `moto_server` is missing or does not come up.
    pub async fn start() -> Self {
        crate::install_tls_provider();
        let program = program();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("finding a free port for moto_server: {e}"))
            .port();
        // moto logs every request; a file, not a pipe nobody drains (a full pipe would stall it).
        let log =
            std::env::temp_dir().join(format!("chorus-moto-{}-{port}.log", std::process::id()));
        let out = std::fs::File::create(&log)
            .unwrap_or_else(|e| panic!("creating {}: {e}", log.display()));
        let err = out
            .try_clone()
            .unwrap_or_else(|e| panic!("opening {}: {e}", log.display()));
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {program:?} ({e}): the S3 media-store tests need moto's S3 \
                     server. Install it with `infra/install-deps.sh --s3` (what `make test` runs) \
                     or `python3 -m pip install 'moto[server]'`, or point CHORUS_MOTO_SERVER at it."
                )
            });
        let mut server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_until_up().await;
        server
    }

    async fn wait_until_up(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "moto_server exited ({status}) before answering:\n{}",
                    self.log_text()
                );
            }
            if let Ok(res) = client.get(format!("{}/", self.endpoint)).send().await
                && res.status().is_success()
            {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "moto_server did not answer on {} within {STARTUP:?}:\n{}",
                    self.endpoint,
                    self.log_text()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What moto wrote so far (its request log).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Settings that point the media store here (moto accepts any key pair).
    pub fn settings(&self) -> S3Settings {
        S3Settings {
            endpoint: Some(self.endpoint.clone()),
            allow_http: true,
            region: Some("us-east-1".into()),
            credentials: Some(S3Credentials {
                access_key_id: "chorus-test".into(),
                secret_access_key: "chorus-test-secret".into(),
            }),
        }
    }

    /// Create a bucket (a plain `PUT /<bucket>`, as S3's CreateBucket in us-east-1).
    pub async fn create_bucket(&self, bucket: &str) {
        let res = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap_or_else(|e| panic!("creating bucket {bucket}: {e}"));
        assert!(
            res.status().is_success(),
            "creating bucket {bucket}: {}",
            res.status()
        );
    }

    /// The keys in `bucket` under `prefix`, straight from S3's ListObjectsV2 (not through
    /// `object_store`, so a prefix mix-up in the store cannot hide itself).
    pub async fn list_keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let res = reqwest::Client::new()
            .get(format!("{}/{bucket}", self.endpoint))
            .query(&[("list-type", "2"), ("prefix", prefix)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("listing {bucket}: {e}"));
        assert!(
            res.status().is_success(),
            "listing {bucket}: {}",
            res.status()
        );
        let xml = res
            .text()
            .await
            .unwrap_or_else(|e| panic!("listing {bucket}: {e}"));
        xml.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(k, _)| k.to_owned()))
            .collect()
    }
}

/// Which `moto_server` to run (see the module docs).
fn program() -> PathBuf {
    if let Some(p) = std::env::var_os("CHORUS_MOTO_SERVER").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("moto_server"))
            .find(|p| p.is_file())
    });
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/moto-venv/bin/moto_server");
    on_path
        .or_else(|| venv.is_file().then_some(venv))
        .unwrap_or_else(|| PathBuf::from("moto_server"))
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
