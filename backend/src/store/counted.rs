//! Decorators around a database's stores: the remembered totals of user lists
//! (so that paging through a million users does not count them all again for
//! every page), forgotten at every change to users made through this process,
//! and the dashboard's figures, remembered for a few seconds.

use super::counts::CountCache;
use super::{
    Batches, ClientFilter, ClientStore, DashboardFigures, StatsStore, StoreResult, UserFilter,
    UserRows, UserStore, SEARCH_COUNT_CAP,
};
use crate::domain::{
    Client, ClientChanges, CreditEntry, CreditOutcome, ManagedUser, NewActivity, NewClient,
    NewUser, PasswordHash, ProfileChanges, Timestamp, User, UserChanges,
};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// What a filter's total depends on (not its order or page).
fn count_key(f: &UserFilter) -> String {
    let term = f.search.as_deref().map(str::trim).filter(|t| !t.is_empty());
    format!(
        "{:?} {:?} {:?} {:?} {:?}",
        f.company_id, term, f.is_active, f.role, f.permission
    )
}

/// The users store, with list totals remembered.
pub struct CountedUsers<S> {
    inner: Arc<S>,
    counts: Arc<CountCache>,
}

impl<S> CountedUsers<S> {
    pub fn new(inner: Arc<S>, counts: Arc<CountCache>) -> Self {
        Self { inner, counts }
    }
}

#[async_trait]
impl<S: UserStore> UserStore for CountedUsers<S> {
    async fn has_super_admin(&self) -> StoreResult<bool> {
        self.inner.has_super_admin().await
    }

    async fn create_user(
        &self,
        new: &NewUser,
        hash: &PasswordHash,
        entry: Option<&NewActivity>,
    ) -> StoreResult<ManagedUser> {
        let done = self.inner.create_user(new, hash, entry).await;
        self.counts.invalidate();
        done
    }

    async fn create_users(&self, users: &[(NewUser, PasswordHash)]) -> StoreResult<Vec<User>> {
        let done = self.inner.create_users(users).await;
        self.counts.invalidate();
        done
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        self.inner.user_by_id(id).await
    }

    async fn password_hash(&self, user_id: i64) -> StoreResult<Option<PasswordHash>> {
        self.inner.password_hash(user_id).await
    }

    async fn update_user(
        &self,
        id: i64,
        changes: &UserChanges,
        now: Timestamp,
        entry: Option<&NewActivity>,
    ) -> StoreResult<User> {
        let done = self.inner.update_user(id, changes, now, entry).await;
        self.counts.invalidate();
        done
    }

    async fn update_profile(
        &self,
        user_id: i64,
        changes: &ProfileChanges,
        now: Timestamp,
    ) -> StoreResult<User> {
        let done = self.inner.update_profile(user_id, changes, now).await;
        self.counts.invalidate();
        done
    }

    async fn set_password(
        &self,
        user_id: i64,
        hash: &PasswordHash,
        must_change: bool,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.inner
            .set_password(user_id, hash, must_change, now)
            .await
    }

    async fn modules_of_users(&self, user_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<String>>> {
        self.inner.modules_of_users(user_ids).await
    }

    async fn taken_usernames(&self, usernames: &[String]) -> StoreResult<Vec<String>> {
        self.inner.taken_usernames(usernames).await
    }

    async fn taken_emails(
        &self,
        company_id: Option<i64>,
        emails: &[String],
    ) -> StoreResult<Vec<String>> {
        self.inner.taken_emails(company_id, emails).await
    }

    /// A search term whose total is remembered past the cap is common: the
    /// database may walk the newest users rather than an index for it.
    async fn user_page(&self, filter: &UserFilter, _common: bool) -> StoreResult<UserRows> {
        let common = self
            .counts
            .peek(&count_key(filter))
            .is_some_and(|t| t > SEARCH_COUNT_CAP);
        self.inner.user_page(filter, common).await
    }

    /// Counted once for everyone asking at the same time, or remembered.
    async fn count_users(&self, filter: &UserFilter) -> StoreResult<i64> {
        let inner = self.inner.clone();
        let f = filter.clone();
        self.counts
            .total(count_key(filter), move || async move {
                inner.count_users(&f).await
            })
            .await
    }

    fn export_users(&self, filter: &UserFilter) -> Batches<User> {
        self.inner.export_users(filter)
    }
}

/// The clients store: creating a client creates its owner, a user.
pub struct CountedClients<S> {
    inner: Arc<S>,
    counts: Arc<CountCache>,
}

impl<S> CountedClients<S> {
    pub fn new(inner: Arc<S>, counts: Arc<CountCache>) -> Self {
        Self { inner, counts }
    }
}

#[async_trait]
impl<S: ClientStore> ClientStore for CountedClients<S> {
    async fn create_client(
        &self,
        client: &NewClient,
        owner: &NewUser,
        hash: &PasswordHash,
    ) -> StoreResult<(Client, User)> {
        let done = self.inner.create_client(client, owner, hash).await;
        self.counts.invalidate();
        done
    }

    async fn client_by_id(&self, id: i64) -> StoreResult<Option<Client>> {
        self.inner.client_by_id(id).await
    }

    async fn list_clients(&self, filter: &ClientFilter) -> StoreResult<(Vec<Client>, i64)> {
        self.inner.list_clients(filter).await
    }

    fn export_clients(&self, filter: &ClientFilter) -> Batches<Client> {
        self.inner.export_clients(filter)
    }

    async fn update_client(
        &self,
        id: i64,
        changes: &ClientChanges,
        now: Timestamp,
    ) -> StoreResult<Client> {
        self.inner.update_client(id, changes, now).await
    }

    async fn set_client_active(
        &self,
        id: i64,
        active: bool,
        now: Timestamp,
    ) -> StoreResult<Client> {
        self.inner.set_client_active(id, active, now).await
    }

    async fn adjust_credits(
        &self,
        client_id: i64,
        delta: i64,
        reason: &str,
        actor_id: i64,
        now: Timestamp,
    ) -> StoreResult<CreditOutcome> {
        self.inner
            .adjust_credits(client_id, delta, reason, actor_id, now)
            .await
    }

    async fn list_credits(
        &self,
        client_id: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<CreditEntry>, i64)> {
        self.inner.list_credits(client_id, limit, offset).await
    }
}

/// How long a scope's dashboard figures are remembered: the dashboard may be
/// this much behind the database.
pub const FIGURES_TTL: Duration = Duration::from_secs(10);
/// Scopes remembered at once (each company a client owner looks at is one).
const SCOPES: u64 = 10_000;

/// Figures this old are counted again in the background while they are
/// still answered: under steady use nobody waits for a count (a million
/// users take a few hundred milliseconds), and nobody is answered figures
/// older than [`FIGURES_TTL`].
const REFRESH_AFTER: Duration = Duration::from_secs(8);

type ScopeKey = (Option<i64>, i64, i64);

/// The dashboard's figures, remembered for [`FIGURES_TTL`] per scope,
/// counted once for everyone asking at the same time, and counted again
/// ahead of time once they are [`REFRESH_AFTER`] old.
pub struct CachedStats<S> {
    inner: Arc<S>,
    cache: moka::future::Cache<ScopeKey, Arc<DashboardFigures>>,
    /// Scopes being counted again in the background.
    refreshing: Arc<std::sync::Mutex<std::collections::HashSet<ScopeKey>>>,
}

impl<S> CachedStats<S> {
    pub fn new(inner: Arc<S>) -> Self {
        Self {
            inner,
            cache: moka::future::Cache::builder()
                .max_capacity(SCOPES)
                .time_to_live(FIGURES_TTL)
                .build(),
            refreshing: Arc::default(),
        }
    }
}

#[async_trait]
impl<S: StatsStore> StatsStore for CachedStats<S> {
    async fn dashboard_figures(
        &self,
        company_id: Option<i64>,
        days_from: Timestamp,
        weeks_from: Timestamp,
    ) -> StoreResult<DashboardFigures> {
        let key = (company_id, days_from.millis(), weeks_from.millis());
        let inner = self.inner.clone();
        let figures = self
            .cache
            .try_get_with(key, async move {
                inner
                    .dashboard_figures(company_id, days_from, weeks_from)
                    .await
                    .map(Arc::new)
            })
            .await
            .map_err(|e| match Arc::try_unwrap(e) {
                Ok(e) => e,
                Err(shared) => super::StoreError::Other(anyhow::anyhow!("{shared}")),
            })?;
        let age = Timestamp::now().millis() - figures.counted_at.millis();
        if age >= REFRESH_AFTER.as_millis() as i64
            && self.refreshing.lock().expect("never poisoned").insert(key)
        {
            let (inner, cache, refreshing) = (
                self.inner.clone(),
                self.cache.clone(),
                self.refreshing.clone(),
            );
            tokio::spawn(async move {
                match inner
                    .dashboard_figures(company_id, days_from, weeks_from)
                    .await
                {
                    Ok(fresh) => cache.insert(key, Arc::new(fresh)).await,
                    Err(e) => tracing::warn!(error = %e, "cannot count the dashboard's figures"),
                }
                refreshing.lock().expect("never poisoned").remove(&key);
            });
        }
        Ok((*figures).clone())
    }
}
