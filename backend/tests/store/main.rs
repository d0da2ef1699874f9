//! Store-level tests: the store's own promises, through its traits, with no
//! HTTP in between. Each test gets a fresh database and runs once on SQLite
//! and once on PostgreSQL (`TEST_DATABASE_URL`; required under `CI=true`,
//! else skipped loudly).

use clientele::domain::{
    ModuleName, NewActivity, NewUser, PasswordHash, PermissionSet, PersonName, Role, Timestamp,
    Username,
};
use clientele::store::{ActivityFilter, Store, StoreError, UserFilter, UserSortKey};
use sqlx::Connection;

/// Generate a `sqlite` and a `postgres` test for each named `async fn(Db)`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Db::sqlite().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = super::Db::postgres(concat!(module_path!(), "::postgres")).await {
                    super::$name(db).await
                }
            }
        }
    )* };
}

on_both_stores!(
    creating_many_users_is_one_transaction,
    a_user_its_modules_and_its_entry_are_written_together,
    the_outbox_is_written_with_the_change_and_leased_to_one_instance,
);

/// A fresh database and its store; the database goes when it is dropped.
struct Db {
    store: Store,
    pg_database: Option<String>,
    _dir: tempfile::TempDir,
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl Db {
    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        let store = clientele::store::connect(&url)
            .await
            .expect("the store opens");
        Self {
            store,
            pg_database: None,
            _dir: dir,
        }
    }

    /// On PostgreSQL, or `None` (said loudly) when it is not there outside CI.
    async fn postgres(test: &str) -> Option<Self> {
        let admin = postgres_admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
                panic!("PostgreSQL is required under CI=true but {admin} is unreachable: {e}")
            }
            Err(_) => {
                eprintln!("SKIPPED {test}: PostgreSQL unreachable at {admin}");
                return None;
            }
        };
        let name = format!("clientele_store_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("a test database");
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        let store = clientele::store::connect(&format!("{base}/{name}"))
            .await
            .expect("the store opens");
        Some(Self {
            store,
            pg_database: Some(name),
            _dir: tempfile::tempdir().expect("a temporary directory"),
        })
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let Some(name) = self.pg_database.take() else {
            return;
        };
        // From a fresh runtime: the test's may be ending.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
                    .await
                    .ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

fn new_client(name: &str) -> clientele::domain::NewClient {
    clientele::domain::NewClient {
        company_name: name.into(),
        contact_email: clientele::domain::EmailAddress::parse("owner@outbox.example").unwrap(),
        contact_name: None,
        phone_number: None,
        whatsapp_number: None,
        business_address: None,
        business_type: None,
        gst_number: None,
        website: None,
        lead_status: clientele::domain::LeadStatus::Lead,
        notes: None,
        now: Timestamp::now(),
    }
}

fn hash() -> PasswordHash {
    PasswordHash::from_phc("not-a-real-hash".into())
}

fn new_user(username: &str, company_id: Option<i64>, role: Role) -> NewUser {
    NewUser {
        company_id,
        name: PersonName::parse("T").unwrap(),
        username: Username::parse(username).unwrap(),
        email: None,
        role,
        permissions: PermissionSet::empty(),
        is_active: true,
        must_change_password: true,
        created_by: None,
        modules: None,
        now: Timestamp::now(),
    }
}

async fn user_count(store: &Store) -> i64 {
    let all = UserFilter {
        company_id: None,
        search: None,
        is_active: None,
        role: None,
        permission: None,
        sort: UserSortKey::CreatedAt,
        descending: true,
        limit: 10,
        offset: 0,
    };
    store.users.list_users(&all).await.unwrap().total
}

async fn entries_about(store: &Store, label: &str) -> Vec<clientele::domain::ActivityEntry> {
    let filter = ActivityFilter {
        action: Some("create".into()),
        limit: 100,
        ..ActivityFilter::default()
    };
    let (entries, _) = store.activity.list_activity(&filter).await.unwrap();
    entries
        .into_iter()
        .filter(|e| e.target_label.as_deref() == Some(label))
        .collect()
}

/// The second user breaks a unique rule inside the transaction: the first
/// must go too.
async fn creating_many_users_is_one_transaction(db: Db) {
    let store = &db.store;
    let first = new_user("tx.admin", None, Role::SuperAdmin);
    store
        .users
        .create_user(&first, &hash(), None)
        .await
        .unwrap();
    let before = user_count(store).await;
    let err = store
        .users
        .create_users(&[
            (new_user("tx.first", None, Role::Admin), hash()),
            (new_user("tx.admin", None, Role::Admin), hash()),
        ])
        .await;
    assert!(
        matches!(err, Err(StoreError::Conflict(ref f)) if f == "username"),
        "{err:?}"
    );
    assert_eq!(user_count(store).await, before);
    assert_eq!(
        store
            .users
            .taken_usernames(&["tx.first".into()])
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}

/// A new user, its modules and the entry about it are one write: all of it
/// or, when any part fails, none of it, and the store writes on normally
/// afterwards (no transaction left open on SQLite).
async fn a_user_its_modules_and_its_entry_are_written_together(db: Db) {
    let store = &db.store;
    let owner = new_user("company.owner", None, Role::ClientAdmin);
    let client = clientele::domain::NewClient {
        company_name: "One Write".into(),
        contact_email: clientele::domain::EmailAddress::parse("one@write.example").unwrap(),
        contact_name: None,
        phone_number: None,
        whatsapp_number: None,
        business_address: None,
        business_type: None,
        gst_number: None,
        website: None,
        lead_status: clientele::domain::LeadStatus::Lead,
        notes: None,
        now: Timestamp::now(),
    };
    let (client, _) = store
        .clients
        .create_client(&client, &owner, &hash())
        .await
        .unwrap();
    let company = client.id;
    let modules: Vec<ModuleName> = ["crm", "billing", "reports"]
        .iter()
        .map(|m| ModuleName::parse(m).unwrap())
        .collect();
    store
        .modules
        .set_client_modules(company, &modules, Timestamp::now(), client.updated_at, None)
        .await
        .unwrap();
    let active = store.modules.client_modules(company).await.unwrap();
    assert_eq!(active, ["billing", "crm", "reports"]);
    let user = |u: &str, modules: Option<Vec<ModuleName>>| NewUser {
        modules,
        ..new_user(u, Some(company), Role::User)
    };
    let entry = |label: &str| NewActivity {
        at: Some(Timestamp::now()),
        action: "create".into(),
        target_type: Some("user".into()),
        target_label: Some(label.into()),
        company_id: Some(company),
        ..NewActivity::default()
    };
    let before = user_count(store).await;
    // A module outside the catalogue breaks the write after the user's row.
    for _ in 0..3 {
        let broken = user(
            "one.broken",
            Some(vec![ModuleName::parse("no_such_module").unwrap()]),
        );
        let err = store
            .users
            .create_user(&broken, &hash(), Some(&entry("one.broken")))
            .await;
        assert!(err.is_err(), "{err:?}");
    }
    assert_eq!(user_count(store).await, before);
    assert!(entries_about(store, "one.broken").await.is_empty());
    assert!(store
        .users
        .taken_usernames(&["one.broken".into()])
        .await
        .unwrap()
        .is_empty());
    // A taken username: nothing written either.
    let err = store
        .users
        .create_user(&user("company.owner", None), &hash(), Some(&entry("taken")))
        .await;
    assert!(
        matches!(err, Err(StoreError::Conflict(ref f)) if f == "username"),
        "{err:?}"
    );
    assert!(entries_about(store, "taken").await.is_empty());

    // And then writes go on: a chosen module, the client's modules, none.
    let chosen = vec![active[1].clone()];
    let cases = [
        (
            "one.chosen",
            Some(vec![ModuleName::parse(&active[1]).unwrap()]),
            chosen,
        ),
        ("one.default", None, active.clone()),
        ("one.none", Some(vec![]), vec![]),
    ];
    for (username, modules, expected) in cases {
        let created = store
            .users
            .create_user(&user(username, modules), &hash(), Some(&entry(username)))
            .await
            .unwrap();
        assert_eq!(created.user.username.as_str(), username);
        assert_eq!(created.modules, expected, "{username}");
        let read = store
            .users
            .modules_of_users(&[created.user.id])
            .await
            .unwrap()
            .remove(&created.user.id)
            .unwrap_or_default();
        assert_eq!(read, expected, "{username}");
        let logged = entries_about(store, username).await;
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(logged[0].target_id, Some(created.user.id.to_string()));
    }
    // Without an entry (the command line's first admin), only the user.
    let admin = store
        .users
        .create_user(&new_user("one.staff", None, Role::Admin), &hash(), None)
        .await
        .unwrap();
    assert!(admin.modules.is_empty());
    assert!(entries_about(store, "one.staff").await.is_empty());
    assert_eq!(user_count(store).await, before + 4);
}

/// A client's creation and a user's are each written with their outbox row;
/// one instance at a time holds a client, until its lease lapses or it lets
/// go; a failure puts the next attempt off; completing forgets exactly the
/// rows done (a row committed meanwhile stays).
async fn the_outbox_is_written_with_the_change_and_leased_to_one_instance(db: Db) {
    use clientele::domain::{OutboxKind, SyncStatus};
    let store = &db.store;
    let outbox = &store.outbox;
    let owner = new_user("outbox.owner", None, Role::ClientAdmin);
    let (client, _) = store
        .clients
        .create_client(&new_client("Outbox Co"), &owner, &hash())
        .await
        .unwrap();
    let id = client.id;
    let rows = outbox.pending_rows(id, 100).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, OutboxKind::Provision);
    let state = outbox.sync_state(id).await.unwrap();
    assert_eq!((state.status, state.pending), (SyncStatus::Provisioning, 1));
    let user = store
        .users
        .create_user(
            &new_user("outbox.user", Some(id), Role::User),
            &hash(),
            None,
        )
        .await
        .unwrap();
    let rows = outbox.pending_rows(id, 100).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[1].kind, rows[1].user_id),
        (OutboxKind::User, Some(user.user.id))
    );

    let t0 = Timestamp::now();
    let later = |s: i64| t0.plus_seconds(s);
    assert_eq!(outbox.due_clients(t0, 10).await.unwrap(), vec![id]);
    // Instance A takes the client; B cannot, nor does it see it as due.
    assert!(outbox.lease_client(id, "a", t0, later(30)).await.unwrap());
    assert!(!outbox
        .lease_client(id, "b", later(1), later(31))
        .await
        .unwrap());
    assert!(outbox.due_clients(later(1), 10).await.unwrap().is_empty());
    // A renews its own lease; when A is gone, the lease lapses and B takes over.
    assert!(outbox
        .lease_client(id, "a", later(10), later(40))
        .await
        .unwrap());
    assert!(!outbox
        .lease_client(id, "b", later(35), later(65))
        .await
        .unwrap());
    assert!(outbox
        .lease_client(id, "b", later(41), later(71))
        .await
        .unwrap());
    // B fails: the reason is kept, the lease let go, the next attempt put off.
    outbox
        .fail(id, "the disk is full", later(50))
        .await
        .unwrap();
    let state = outbox.sync_state(id).await.unwrap();
    assert_eq!(state.status, SyncStatus::Failing);
    assert_eq!(state.last_error.as_deref(), Some("the disk is full"));
    assert_eq!(state.failures, 1);
    assert!(outbox.due_clients(later(45), 10).await.unwrap().is_empty());
    assert!(!outbox
        .lease_client(id, "a", later(45), later(75))
        .await
        .unwrap());
    assert_eq!(outbox.due_clients(later(50), 10).await.unwrap(), vec![id]);
    assert!(outbox
        .lease_client(id, "a", later(50), later(80))
        .await
        .unwrap());
    // Done with the first row only: the second stays, the failures are forgotten.
    outbox
        .complete(id, &[rows[0].id], 2, later(51))
        .await
        .unwrap();
    let left = outbox.pending_rows(id, 100).await.unwrap();
    assert_eq!(left, vec![rows[1].clone()]);
    let state = outbox.sync_state(id).await.unwrap();
    assert_eq!((state.status, state.pending), (SyncStatus::Pending, 1));
    assert_eq!((state.failures, state.schema_version), (0, 2));
    assert!(state.last_error.is_none());
    assert_eq!(outbox.backlog().await.unwrap().0, 1);
    assert!(outbox
        .lease_client(id, "b", later(52), later(82))
        .await
        .unwrap());
    outbox
        .complete(id, &[rows[1].id], 2, later(53))
        .await
        .unwrap();
    let state = outbox.sync_state(id).await.unwrap();
    assert_eq!((state.status, state.pending), (SyncStatus::InSync, 0));
    assert!(outbox.due_clients(later(60), 10).await.unwrap().is_empty());
    // What the client's database should hold: its two users.
    let users = outbox.tenant_users(id, None).await.unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].user_name, "outbox.user");
    assert!(outbox
        .tenant_users(id, Some(&[user.user.id + 100]))
        .await
        .unwrap()
        .is_empty());
}
