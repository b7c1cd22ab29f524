//! HTTP shell: the JSON API (axum). Identity in `auth`, need-to-know in `scope`, what is
//! sent in `views`, every route in `routes` (the table the router, the OpenAPI document and
//! the authorisation tests are generated from).

pub mod app;
pub mod auth;
pub mod cache;
pub mod delegation_api;
pub mod error;
pub mod file_audit_api;
pub mod indicator_api;
pub mod mail;
pub mod openapi;
pub mod quality;
pub mod reports;
pub mod routes;
pub mod scope;
pub mod self_inspection_api;
pub mod ui;
pub mod views;
pub mod wire;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;

pub use app::{App, AppState, Clock, SystemClock};
pub use error::ApiError;

/// The router: only routes from the table, a fallback that answers like a missing record,
/// a body limit, and the correlation middleware around everything.
pub fn router(app: AppState) -> Router {
    let mut r: Router<AppState> = Router::new();
    for (spec, handler) in routes::routes() {
        r = r.route(spec.path, handler);
    }
    for (spec, handler) in ui::routes() {
        r = r.route(spec.path, handler);
    }
    r.fallback(unknown_route)
        .layer(DefaultBodyLimit::max(app::BODY_LIMIT))
        .layer(axum::middleware::from_fn(ui::security_headers))
        .layer(axum::middleware::from_fn(app::correlate))
        .with_state(app)
}

/// An unknown address: JSON for the API, the UI's page for a browser.
async fn unknown_route(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::response::IntoResponse;
    let browser =
        headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if browser {
        ui::pages::error_page(axum::http::StatusCode::NOT_FOUND, "Sidan finns inte.")
    } else {
        ApiError::new(axum::http::StatusCode::NOT_FOUND, "UNKNOWN_ROUTE", "Adressen finns inte.").into_response()
    }
}

/// Serves on a bound listener until Ctrl-C / SIGTERM.
pub async fn serve_on(app: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    tracing::info!(addr = %listener.local_addr()?, "skyndsam serving");
    axum::serve(listener, router(app).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// Opens the identity store beside the journal and serves at `addr`.
pub async fn serve(app: Arc<App>, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(app, listener).await
}
