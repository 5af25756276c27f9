//! kept's server: the HTTP layer (public form, staff pages, API), and the background workers
//! that deliver notifications and watch deadlines.

mod charts;
mod connections;
pub mod dto;
pub mod http;
mod i18n;
pub mod imap;
pub mod insight_tables;
pub mod notify;
mod spreadsheet;
pub mod state;
pub mod workers;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use kept_app::{App, Settings};
pub use state::AppState;

/// A running server and its workers.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Running {
    /// Stops taking requests, lets the workers finish what they hold, and returns.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }

    /// Waits until the server stops by itself (it does not, unless it fails).
    pub async fn wait(mut self) {
        let _ = self.tasks.join_next().await;
        self.stop().await;
    }
}

/// Serves `app` (its settings, clock and store) on `listener` (tests bind port 0).
pub async fn launch(listener: TcpListener, app: App) -> Result<Running, String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mut settings = Settings::clone(&app.settings());
    if settings.listen.port() == 0 && settings.base_url == format!("http://{}", settings.listen) {
        // No base URL configured and a port the system picks: links in e-mails point at the
        // port it picked.
        settings.base_url = format!("http://{addr}");
    }
    if settings.demo {
        // The demo's chat is answered by kept's own sink (see `http::demo_channel`): in force
        // now and in the settings document the owner sees and saves.
        let sink = format!("{}/demo/channel", settings.base_url);
        settings
            .channel_webhooks
            .entry("chat".into())
            .or_insert_with(|| sink.clone());
        settings
            .business_settings
            .channel_webhooks
            .entry("chat".into())
            .or_insert(sink);
    }
    app.replace_settings(settings);
    let state = AppState::new(app)?;
    kept_app::load_saved_settings(&state).await.map_err(|e| e.to_string())?;
    match kept_app::timers::repair_claims(&state).await {
        Ok(0) => {}
        Ok(freed) => tracing::warn!(freed, "freed claims on staff time that no appointment held"),
        Err(error) => tracing::warn!(%error, "could not check the claims on staff time"),
    }
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();

    let app = http::router(state.clone());
    let limits = connections::Limits {
        header_read_timeout: state.settings().header_read_timeout,
        max_connections_per_address: (state.settings().trusted_proxies == 0)
            .then_some(state.settings().max_connections_per_address),
        max_connections: state.settings().max_connections,
        http2: state.settings().http2,
    };
    let mut http_stop = stopped.clone();
    tasks.spawn(async move {
        let shutdown = async move {
            let _ = http_stop.wait_for(|stop| *stop).await;
        };
        connections::serve(listener, app, limits, shutdown).await;
    });
    tasks.spawn(workers::run_outbox(state.clone(), stopped.clone()));
    if let Some(imap) = state.settings().imap.clone() {
        tasks.spawn(imap::run_imap(state.clone(), imap, stopped.clone()));
    }
    tasks.spawn(workers::follow_settings(state.clone(), stopped.clone()));
    tasks.spawn(workers::forget_idle_rate_keys(state.clone(), stopped.clone()));
    tasks.spawn(workers::run_timers(state.clone(), stopped));
    tracing::info!(%addr, "kept is listening");
    Ok(Running {
        addr,
        state,
        stop,
        tasks,
    })
}
