//! Serves the built portal (React, `portal/dist`): embedded into release binaries with
//! rust-embed; read from disk in debug builds or from `CHORUS_PORTAL_DIR`. Unknown paths get
//! `index.html` so the portal's client-side routes work on reload.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "../portal/dist"]
#[allow_missing = true]
struct Assets;

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn load(state: &AppState, path: &str) -> Option<Vec<u8>> {
    if path.contains("..") {
        return None;
    }
    if let Some(dir) = &state.config.portal_dir {
        return std::fs::read(dir.join(path)).ok();
    }
    Assets::get(path).map(|f| f.data.into_owned())
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Chorus</title>\
<body style=\"font-family:system-ui;margin:4rem\"><h1>Chorus</h1>\
<p>The portal has not been built. Run <code>make run</code>, which builds it, or \
<code>npm --prefix portal ci && npm --prefix portal run build</code>.</p>\
<p>The API is up: see <a href=\"/api/docs\">/api/docs</a>.</p></body>";

pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    if path.starts_with("api/") || path.starts_with("webhooks/") {
        return crate::error::ApiError::not_found().into_response();
    }
    if !path.is_empty()
        && let Some(body) = load(&state, path)
    {
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return HttpResponse::Ok()
            .content_type(content_type(path))
            .insert_header((header::CACHE_CONTROL, cache))
            .body(body);
    }
    match load(&state, "index.html") {
        Some(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(body),
        None => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(NOT_BUILT),
    }
}

trait IntoResponse {
    fn into_response(self) -> HttpResponse;
}

impl IntoResponse for crate::error::ApiError {
    fn into_response(self) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}
