//! What every request handler shares: the store, the authentication machinery,
//! the metrics and the settings.

use crate::auth::password::PasswordService;
use crate::auth::tokens::TokenService;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::store::tenants::{self, TenantSettings, TenantStore};
use crate::store::{self, RedisThrottle, Store, ThrottleStore};
use secrecy::ExposeSecret;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub struct AppState {
    pub store: Store,
    /// Throttle counters: the store's, or Redis's when `CLIENTELE_REDIS_URL` is set.
    pub throttle: Arc<dyn ThrottleStore>,
    pub passwords: PasswordService,
    pub tokens: TokenService,
    pub metrics: Metrics,
    pub settings: Arc<Settings>,
    /// Each client's own database.
    pub tenants: Arc<dyn TenantStore>,
    /// This process, as the leases on clients' outboxes name it.
    pub instance: String,
    /// Set on SIGTERM: readiness answers 503 and every response closes its
    /// connection, so a proxy's kept-alive connections drain at once.
    pub draining: AtomicBool,
}

impl AppState {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = store::connect_with(
            &settings.database_url,
            store::PoolSettings {
                connections: settings.database_pool,
                timeout: settings.database_timeout,
                background: settings.client_connections as u32 + 1,
            },
        )
        .await?;
        let throttle: Arc<dyn ThrottleStore> = match &settings.redis_url {
            Some(url) => Arc::new(RedisThrottle::new(
                url.expose_secret(),
                &settings.redis_prefix,
                settings.throttle.window,
                settings.throttle.max_lock,
                store.throttle.clone(),
            )?),
            None => store.throttle.clone(),
        };
        let instance = uuid::Uuid::new_v4().to_string();
        let tenants = tenants::connect(
            &settings.database_url,
            &TenantSettings {
                data_dir: settings.data_dir.clone(),
                url_template: settings
                    .client_database_url_template
                    .as_ref()
                    .map(|t| t.expose_secret().to_owned()),
                max_connections: settings.client_connections,
                application_name: format!("clientele/{instance}"),
            },
        )?;
        Ok(Self {
            store,
            tenants,
            instance,
            draining: AtomicBool::new(false),
            throttle,
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
