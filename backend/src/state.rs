//! What every request handler shares.

use crate::auth::password::PasswordService;
use crate::auth::tokens::TokenService;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::store::{self, Store};
use std::sync::Arc;

pub struct AppState {
    pub store: Arc<dyn Store>,
    pub passwords: PasswordService,
    pub tokens: TokenService,
    pub metrics: Metrics,
    pub settings: Arc<Settings>,
}

impl AppState {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = store::connect(&settings.database_url).await?;
        Ok(Self {
            store,
            passwords: PasswordService::new(settings.argon2)?,
            tokens: TokenService::new(
                &settings.jwt_secret,
                settings.access_token_ttl,
                settings.refresh_token_ttl,
            ),
            metrics: Metrics::default(),
            settings: Arc::new(settings),
        })
    }
}
