//! The scheduler: background work of a server on a period — today the deadline tick (lifecycle.md
//! §2: moving the platform's clock applies every deadline due), later the outbox dispatcher.
//! Several servers on one database may all run it: each tick is one transaction, and a tick that
//! finds the work done does nothing.

use std::time::Duration;

use kmo_app::platform::CommandError;

use crate::AppState;

/// Runs the periodic work every `server.tick_interval_seconds` until `stop` changes.
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let period = Duration::from_secs(state.settings.server.tick_interval_seconds);
    loop {
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            _ = stop.changed() => return,
        }
        tick_once(&state).await;
    }
}

/// One deadline tick at today's date.
pub async fn tick_once(state: &AppState) {
    let today = state.clock.today();
    // Answers kept under idempotency keys are forgotten once they expire.
    let before = state.settings.limits.idempotency_not_before(today);
    if let Err(e) = state.platform.purge_idempotent_answers(before).await {
        tracing::warn!(error = %e, "purging expired idempotency answers failed; retried at the next tick");
    }
    match state.platform.advance_clock(today).await {
        Ok(n) => {
            state.metrics.observe_tick(n);
            if n > 0 {
                tracing::info!(date = %today, transitions = n, "deadline tick");
            }
        }
        // Another server's clock is a day ahead (midnight): nothing to do here.
        Err(CommandError::DateBeforeClock { .. }) => state.metrics.observe_tick(0),
        Err(e) => {
            tracing::warn!(date = %today, error = %e, "deadline tick failed; retried at the next one")
        }
    }
}
