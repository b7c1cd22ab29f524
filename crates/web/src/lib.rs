//! HTTP shell. For now `GET /health`; the API and the UI come in their own issues.

use axum::{extract::State, routing::get, Json, Router};
use skyndsam_store::Store;
use std::sync::Arc;

pub fn router(store: Arc<Store>) -> Router {
    Router::new().route("/health", get(health)).with_state(store)
}

async fn health(State(store): State<Arc<Store>>) -> Json<serde_json::Value> {
    let (cases, open) = {
        let p = store.projections();
        (p.case_count(), p.open_case_count())
    };
    Json(serde_json::json!({ "status": "ok", "cases": cases, "open_cases": open }))
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(store: Arc<Store>, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "skyndsam serving");
    axum::serve(listener, router(store))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
