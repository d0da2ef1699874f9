//! Each client's own database (seed 000, issue 27): provisioned when the
//! client is created, kept in step through the outbox, reconciled and
//! repaired; a client's database that fails never fails the API. What the
//! client's database holds is read with SQL of the tests' own, and what it
//! should hold is read from the API.

use crate::helpers::process::{bin, Server};
use crate::helpers::*;
use clientele::domain::{AccountNumber, OutboxRow, Timestamp};
use clientele::services::client_stores;
use clientele::store::tenants::{self, TenantSettings, TenantStore};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_stores!(
    seed_000_flow_reaches_the_clients_database,
    every_change_to_users_and_modules_follows,
    reconcile_reports_drift_row_by_row_and_repairs_it,
    an_unreachable_client_database_keeps_the_changes_until_it_returns,
    a_lost_client_database_is_created_again,
    a_killed_server_applies_the_changes_after_restart,
    applying_rows_twice_and_out_of_order_ends_where_in_order_does,
    the_open_client_connections_stay_within_the_bound,
    old_client_databases_are_brought_up_to_date,
);

/// What the client's own database should hold, as the API tells it: every
/// user of the client, active only while the client is, with one module row
/// per module active for the client.
async fn expected(app: &TestApp, token: &str, client_id: i64) -> Vec<ClientDbUser> {
    let client = json_of(app.get_client(token, client_id).await, StatusCode::OK).await;
    let active = client["client"]["isActive"] == true;
    let modules = json_of(
        app.get_client_modules(token, client_id).await,
        StatusCode::OK,
    )
    .await;
    let mut modules: Vec<String> = serde_json::from_value(modules["modules"].clone()).unwrap();
    modules.sort();
    let list = json_of(
        app.list_client_users(token, client_id, "limit=100").await,
        StatusCode::OK,
    )
    .await;
    let mut users: Vec<ClientDbUser> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let own: Vec<String> = serde_json::from_value(u["modules"].clone()).unwrap();
            ClientDbUser {
                user_id: u["id"].as_i64().unwrap(),
                user_name: u["username"].as_str().unwrap().to_owned(),
                role: u["role"].as_str().unwrap().to_owned(),
                is_active: u["isActive"] == true && active,
                modules: modules
                    .iter()
                    .map(|m| (m.clone(), own.contains(m)))
                    .collect(),
            }
        })
        .collect();
    users.sort_by_key(|u| u.user_id);
    users
}

/// Wait until the client's database is in step, and check it holds what the
/// API says, with no drift.
async fn assert_in_step(app: &TestApp, token: &str, client_id: i64) -> Vec<ClientDbUser> {
    app.wait_for_sync(token, client_id, "in_sync").await;
    let want = expected(app, token, client_id).await;
    let have = app
        .db
        .client_db_users(client_id)
        .await
        .expect("the client's database exists");
    assert_eq!(have, want, "client {client_id}'s database");
    assert_eq!(app.drift_of(token, client_id).await, Vec::<Value>::new());
    have
}

async fn add_user(app: &TestApp, token: &str, client_id: i64, name: &str, role: &str) -> i64 {
    let email = format!(
        "{}@c{client_id}.example",
        name.to_lowercase().replace(' ', ".")
    );
    let body = json_of(
        app.add_client_user(
            token,
            client_id,
            &json!({"name": name, "email": email, "role": role}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    body["user"]["id"].as_i64().unwrap()
}

async fn seed_000_flow_reaches_the_clients_database(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let (client, owner, created) = app.client(&token, "Abc Store").await;
    // The create answered at once; the database follows.
    let sync = app.wait_for_sync(&token, client, "in_sync").await;
    assert_eq!(sync["pending"], 0);
    assert!(sync["lastError"].is_null());
    assert!(sync["lastAppliedAt"].is_string(), "{sync}");
    assert_eq!(sync["schemaVersion"], 2);
    match backend {
        Backend::Sqlite => assert!(app.db.client_db_file(client).is_file()),
        Backend::Postgres => {
            let name = app.db.client_db_name(client);
            assert!(name.ends_with(&format!("_acc{client:03}")), "{name}");
        }
    }
    json_of(
        app.set_client_modules(&token, client, &json!({"modules": ["crm", "billing"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    // Seed 000: the user in the main database with a one-time password …
    let added = json_of(
        app.add_client_user(
            &token,
            client,
            &json!({"name": "Ravi Kumar", "email": "ravi@abc.example", "role": "user"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["user"]["mustChangePassword"], true);
    assert!(added["credentials"]["password"].as_str().unwrap().len() >= 12);
    let user = added["user"]["id"].as_i64().unwrap();
    // … e-mail unique per client, and never a staff role …
    let again = app
        .add_client_user(
            &token,
            client,
            &json!({"name": "Ravi Again", "email": "ravi@abc.example", "role": "user"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    for role in ["admin", "technician", "super_admin"] {
        let staff = app
            .add_client_user(
                &token,
                client,
                &json!({"name": "Staff Person", "email": "staff@abc.example", "role": role}),
            )
            .await;
        assert_eq!(staff.status(), StatusCode::BAD_REQUEST, "role {role}");
    }
    // … then, through the outbox, its row in `core.users` and one enabled
    // `core.user_modules` row per module active for the client.
    let rows = assert_in_step(&app, &token, client).await;
    let both = vec![("billing".to_owned(), true), ("crm".to_owned(), true)];
    assert_eq!(
        rows,
        vec![
            ClientDbUser {
                user_id: owner,
                user_name: created["client"]["username"].as_str().unwrap().to_owned(),
                role: "client_admin".into(),
                is_active: true,
                modules: both.clone(),
            },
            ClientDbUser {
                user_id: user,
                user_name: added["user"]["username"].as_str().unwrap().to_owned(),
                role: "user".into(),
                is_active: true,
                modules: both,
            },
        ]
    );
}

async fn every_change_to_users_and_modules_follows(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let (client, _, _) = app.client(&token, "Follow Co").await;
    let (other, _, _) = app.client(&token, "Other Co").await;
    json_of(
        app.set_client_modules(
            &token,
            client,
            &json!({"modules": ["crm", "billing", "reports"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let user = add_user(&app, &token, client, "Meera Shah", "user").await;
    let second = add_user(&app, &token, client, "Arjun Rao", "user").await;
    assert_in_step(&app, &token, client).await;
    let changes = [
        json!({"username": "meera_s"}),
        json!({"role": "client_admin"}),
        json!({"modules": ["crm"]}),
        json!({"isActive": false}),
        json!({"isActive": true}),
        json!({"modules": null}),
    ];
    for change in changes {
        json_of(app.update_user(&token, user, &change).await, StatusCode::OK).await;
        let rows = assert_in_step(&app, &token, client).await;
        let row = rows.iter().find(|r| r.user_id == user).unwrap();
        match change.as_object().unwrap().keys().next().unwrap().as_str() {
            "username" => assert_eq!(row.user_name, "meera_s"),
            "role" => assert_eq!(row.role, "client_admin"),
            "isActive" => assert_eq!(row.is_active, change["isActive"] == true),
            "modules" if change["modules"].is_null() => {
                assert!(row.modules.iter().all(|(_, on)| *on), "{row:?}")
            }
            "modules" => assert_eq!(
                row.modules,
                vec![
                    ("billing".to_owned(), false),
                    ("crm".to_owned(), true),
                    ("reports".to_owned(), false)
                ]
            ),
            _ => unreachable!(),
        }
    }
    // The client's modules: every user's rows follow.
    json_of(
        app.set_client_modules(&token, client, &json!({"modules": ["crm", "inventory"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    let rows = assert_in_step(&app, &token, client).await;
    assert!(rows.iter().all(|r| r.modules.len() == 2), "{rows:?}");
    // The client deactivated: its users are inactive in its database; and back.
    json_of(
        app.toggle_client_status(&token, client).await,
        StatusCode::OK,
    )
    .await;
    let rows = assert_in_step(&app, &token, client).await;
    assert!(rows.iter().all(|r| !r.is_active), "{rows:?}");
    json_of(
        app.toggle_client_status(&token, client).await,
        StatusCode::OK,
    )
    .await;
    let rows = assert_in_step(&app, &token, client).await;
    assert!(rows.iter().all(|r| r.is_active), "{rows:?}");
    // A user moved to another client leaves the first's database for the other's.
    json_of(
        app.update_user(&token, second, &json!({"companyId": other}))
            .await,
        StatusCode::OK,
    )
    .await;
    let rows = assert_in_step(&app, &token, client).await;
    assert!(rows.iter().all(|r| r.user_id != second));
    let rows = assert_in_step(&app, &token, other).await;
    assert!(rows.iter().any(|r| r.user_id == second));
}

async fn reconcile_reports_drift_row_by_row_and_repairs_it(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let (client, owner, _) = app.client(&token, "Drift Co").await;
    let user = add_user(&app, &token, client, "Kiran Das", "user").await;
    let before = assert_in_step(&app, &token, client).await;
    app.db
        .client_db_exec(
            client,
            &format!(
                "DELETE FROM user_modules WHERE user_id = {user}; \
                 DELETE FROM users WHERE user_id = {user}; \
                 UPDATE users SET role = 'user', is_active = false WHERE user_id = {owner}; \
                 INSERT INTO users VALUES (999999, 'ghost', 'user', true, 1, 1);"
            ),
        )
        .await;
    let report = json_of(
        app.reconcile_client(&token, client, "").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        report,
        json!({
            "accountNumber": AccountNumber::of(client).as_str(),
            "drift": [
                {"userId": owner, "kind": "different", "fields": ["role", "isActive"]},
                {"userId": user, "kind": "missing", "fields": []},
                {"userId": 999999, "kind": "extra", "fields": []},
            ],
            "repaired": false,
            "pending": 0,
        })
    );
    // Reporting changed nothing, and logged nothing.
    assert_ne!(app.db.client_db_users(client).await.unwrap(), before);
    let log = json_of(
        app.list_activity(&token, "action=reconcile").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 0);
    // A repair writes it away, and is logged.
    let repaired = json_of(
        app.reconcile_client(&token, client, "repair=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(repaired["repaired"], true);
    assert_eq!(repaired["drift"], report["drift"]);
    assert_eq!(app.db.client_db_users(client).await.unwrap(), before);
    assert_eq!(app.drift_of(&token, client).await, Vec::<Value>::new());
    let log = json_of(
        app.list_activity(&token, "action=reconcile").await,
        StatusCode::OK,
    )
    .await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["actorUsername"], ADMIN_USERNAME);
    assert_eq!(entries[0]["companyId"], client);
    assert_eq!(
        entries[0]["targetLabel"],
        AccountNumber::of(client).as_str()
    );
    // Who may: operator staff with permission 22.
    let (_, owner_token) = {
        let reset = json_of(
            app.reset_client_password(&token, client).await,
            StatusCode::OK,
        )
        .await;
        let username = reset["credentials"]["username"]
            .as_str()
            .unwrap()
            .to_owned();
        let password = reset["credentials"]["password"]
            .as_str()
            .unwrap()
            .to_owned();
        ((), app.first_login(&username, &password).await)
    };
    let res = app.reconcile_client(&owner_token, client, "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, viewer) = app
        .user_with_token(
            &token,
            json!({"name": "Viewer", "username": "viewer", "role": "admin", "permissions": [20]}),
        )
        .await;
    let res = app.reconcile_client(&viewer, client, "repair=true").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.reconcile_client(&token, 424242, "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.reconcile_client(&token, client, "repair=maybe").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The sync state is the operator's: a client's own admin reads its client without it.
    let own = json_of(app.get_client(&owner_token, client).await, StatusCode::OK).await;
    assert!(own.get("sync").is_none(), "{own}");
}

async fn an_unreachable_client_database_keeps_the_changes_until_it_returns(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let (client, owner, _) = app.client(&token, "Fragile Co").await;
    assert_in_step(&app, &token, client).await;
    app.db.break_client_db(client).await;
    // The API never waits for the client's database, nor fails because of it.
    let mut added = Vec::new();
    for name in [
        "Asha One",
        "Bala Two",
        "Chitra Three",
        "Dev Four",
        "Esha Five",
    ] {
        added.push(add_user(&app, &token, client, name, "user").await);
    }
    json_of(
        app.update_user(&token, owner, &json!({"isActive": false}))
            .await,
        StatusCode::OK,
    )
    .await;
    let sync = app.wait_for_sync(&token, client, "failing").await;
    assert!(sync["pending"].as_i64().unwrap() >= 6, "{sync}");
    let reason = sync["lastError"].as_str().unwrap();
    match backend {
        Backend::Sqlite => assert!(reason.contains(&format!("ACC{client:03}.db")), "{reason}"),
        Backend::Postgres => assert!(
            reason.contains("not currently accepting connections"),
            "{reason}"
        ),
    }
    let metrics = app.metrics().await.text().await.unwrap();
    let figure = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
            .parse()
            .unwrap()
    };
    assert!(figure("clientele_client_outbox_failures_total") >= 1.0);
    assert!(figure("clientele_client_outbox_backlog") >= 6.0);
    assert!(figure("clientele_client_outbox_oldest_age_seconds") > 0.0);
    // Back: every change lands, once.
    app.db.mend_client_db(client).await;
    let rows = assert_in_step(&app, &token, client).await;
    let ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let mut want = vec![owner];
    want.extend(&added);
    want.sort();
    assert_eq!(ids, want);
    assert!(!rows.iter().find(|r| r.user_id == owner).unwrap().is_active);
    let sync = app.sync_of(&token, client).await;
    assert!(sync["lastError"].is_null(), "{sync}");
    let metrics = app.metrics().await.text().await.unwrap();
    assert!(
        metrics.contains("clientele_client_outbox_backlog 0\n"),
        "{metrics}"
    );
}

async fn a_lost_client_database_is_created_again(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let (client, owner, _) = app.client(&token, "Lost Co").await;
    let user = add_user(&app, &token, client, "Lata Mehta", "user").await;
    assert_in_step(&app, &token, client).await;
    // Gone: every user is missing from it; the next change creates it again
    // and writes every user, not only the one changed.
    app.db.drop_client_db(client).await;
    let drift = app.drift_of(&token, client).await;
    assert_eq!(
        drift,
        vec![
            json!({"userId": owner, "kind": "missing", "fields": []}),
            json!({"userId": user, "kind": "missing", "fields": []}),
        ]
    );
    add_user(&app, &token, client, "Mohan Iyer", "user").await;
    let rows = assert_in_step(&app, &token, client).await;
    assert_eq!(rows.len(), 3);
    // Gone again, with nothing waiting: a repair creates it again.
    app.db.drop_client_db(client).await;
    let repaired = json_of(
        app.reconcile_client(&token, client, "repair=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(repaired["repaired"], true);
    assert_eq!(repaired["drift"].as_array().unwrap().len(), 3);
    assert_eq!(app.db.client_db_users(client).await.unwrap(), rows);
}

/// A `clientele serve` of its own on `db`, its client databases retried
/// within a second.
fn serve(db: &TestDb) -> (Server, String) {
    let (server, port) = Server::start(
        db.dir.path(),
        &[
            ("CLIENTELE_DATABASE_URL", db.url.as_str()),
            ("CLIENTELE_ADMIN_EMAIL", "admin@example.com"),
            ("CLIENTELE_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("CLIENTELE_CLIENT_RETRY_MAX", "1"),
            ("CLIENTELE_LOG", "info"),
        ],
    );
    (server, format!("http://127.0.0.1:{port}"))
}

async fn call(method: reqwest::Method, url: String, token: &str, body: Option<Value>) -> Value {
    let mut req = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.expect("json")
}

async fn wait_for(base: &str, token: &str, client: i64, status: &str) -> Value {
    let started = Instant::now();
    loop {
        let body = call(
            reqwest::Method::GET,
            format!("{base}/api/clients/{client}"),
            token,
            None,
        )
        .await;
        if body["sync"]["status"] == status {
            return body["sync"].clone();
        }
        // (A pass cut short by the kill holds the client for its lease's 30 s.)
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn a_killed_server_applies_the_changes_after_restart(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (mut server, base) = serve(&db);
    let login = |base: String| async move {
        let res: Value = reqwest::Client::new()
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        res["accessToken"].as_str().unwrap().to_owned()
    };
    let token = login(base.clone()).await;
    let created = call(
        reqwest::Method::POST,
        format!("{base}/api/clients"),
        &token,
        Some(json!({"companyName": "Killed Co", "contactEmail": "owner@killed.example"})),
    )
    .await;
    let client = created["client"]["id"].as_i64().unwrap();
    wait_for(&base, &token, client, "in_sync").await;
    // Changes committed in the main database that cannot reach the client's …
    db.break_client_db(client).await;
    let mut added = Vec::new();
    for n in 0..3 {
        let user = call(
            reqwest::Method::POST,
            format!("{base}/api/clients/{client}/users"),
            &token,
            Some(json!({"name": format!("Killed User {n}"), "email": format!("k{n}@killed.example"), "role": "user"})),
        )
        .await;
        added.push(user["user"]["id"].as_i64().unwrap());
    }
    let sync = wait_for(&base, &token, client, "failing").await;
    assert_eq!(sync["pending"], 3, "{sync}");
    // … and the process dies without a word.
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("it ends");
    db.mend_client_db(client).await;
    let (mut server, base) = serve(&db);
    let token = login(base.clone()).await;
    wait_for(&base, &token, client, "in_sync").await;
    let rows = db
        .client_db_users(client)
        .await
        .expect("the client's database");
    // Each change landed, once.
    assert_eq!(rows.len(), 4, "{rows:?}");
    for id in &added {
        assert_eq!(
            rows.iter().filter(|r| r.user_id == *id).count(),
            1,
            "{rows:?}"
        );
    }
    let _ = server.child.kill();
    let _ = server.child.wait();
    // `clientele reconcile` finds both sides alike.
    let out = bin()
        .env("CLIENTELE_DATA_DIR", db.dir.path())
        .env("CLIENTELE_DATABASE_URL", &db.url)
        .arg("reconcile")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("{}: in line", AccountNumber::of(client).as_str())),
        "{stdout}"
    );
    // Drift is reported (exit 1) and, with --repair, written away.
    db.client_db_exec(client, "DELETE FROM user_modules; DELETE FROM users;")
        .await;
    let account = AccountNumber::of(client).as_str().to_lowercase();
    let out = bin()
        .env("CLIENTELE_DATA_DIR", db.dir.path())
        .env("CLIENTELE_DATABASE_URL", &db.url)
        .args(["reconcile", "--client", &account])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("4 rows differ (not repaired)"), "{stdout}");
    assert!(stdout.contains(": missing"), "{stdout}");
    let out = bin()
        .env("CLIENTELE_DATA_DIR", db.dir.path())
        .env("CLIENTELE_DATABASE_URL", &db.url)
        .args(["reconcile", "--client", &account, "--repair"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.client_db_users(client).await.unwrap(), rows);
    let out = bin()
        .env("CLIENTELE_DATA_DIR", db.dir.path())
        .env("CLIENTELE_DATABASE_URL", &db.url)
        .args(["reconcile", "--client", "ACC999"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no client has account number ACC999"));
}

/// The clients' databases of a second, separate set (another folder, or
/// other database names), written only by the test.
fn other_set(app: &TestApp, name: &str) -> Arc<dyn TenantStore> {
    let dir = app.db.dir.path().join(name);
    let main = app.database_url.rsplit('/').next().unwrap();
    let base = app.database_url.rsplit_once('/').unwrap().0;
    tenants::connect(
        &app.database_url,
        &TenantSettings {
            data_dir: dir,
            url_template: Some(format!("{base}/{main}_{name}_{{account}}")),
            max_connections: 2,
            application_name: format!("clientele-test/{name}"),
        },
    )
    .unwrap()
}

/// One random change through the API to one of `clients` (each with its
/// users, the owner first): a user added, re-roled, (de)activated, its
/// modules chosen, moved to another client; a client's modules or status.
async fn random_change(
    app: &TestApp,
    token: &str,
    rng: &mut StdRng,
    clients: &mut [(i64, Vec<i64>)],
    step: usize,
) {
    let modules = ["crm", "billing", "inventory", "reports"];
    let c = rng.gen_range(0..clients.len());
    let client = clients[c].0;
    match rng.gen_range(0..8) {
        0 | 1 => {
            let id = add_user(app, token, client, &format!("Prop User {step}"), "user").await;
            clients[c].1.push(id);
        }
        2 => {
            let user = *clients[c].1.choose(rng).unwrap();
            let role = if rng.gen_bool(0.5) {
                "user"
            } else {
                "client_admin"
            };
            let _ = app.update_user(token, user, &json!({"role": role})).await;
        }
        3 => {
            let user = *clients[c].1.choose(rng).unwrap();
            let active = rng.gen_bool(0.5);
            let _ = app
                .update_user(token, user, &json!({"isActive": active}))
                .await;
        }
        4 => {
            let user = *clients[c].1.choose(rng).unwrap();
            let own: Vec<&str> = modules
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.5))
                .collect();
            let _ = app.update_user(token, user, &json!({"modules": own})).await;
        }
        5 => {
            let active: Vec<&str> = modules
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.6))
                .collect();
            json_of(
                app.set_client_modules(token, client, &json!({"modules": active}))
                    .await,
                StatusCode::OK,
            )
            .await;
        }
        6 => {
            json_of(
                app.toggle_client_status(token, client).await,
                StatusCode::OK,
            )
            .await;
        }
        _ => {
            // Move a user (not the owner) to another client.
            if clients[c].1.len() > 1 {
                let at = rng.gen_range(1..clients[c].1.len());
                let user = clients[c].1.remove(at);
                let to = (c + 1 + rng.gen_range(0..clients.len() - 1)) % clients.len();
                json_of(
                    app.update_user(token, user, &json!({"companyId": clients[to].0}))
                        .await,
                    StatusCode::OK,
                )
                .await;
                clients[to].1.push(user);
            }
        }
    }
}

async fn applying_rows_twice_and_out_of_order_ends_where_in_order_does(backend: Backend) {
    let seed: u64 = std::env::var("PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("outbox property test: PROPERTY_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let store = &app.state.store;
    let mut clients = Vec::new();
    for name in ["Prop One", "Prop Two", "Prop Three"] {
        let (id, owner, _) = app.client(&token, name).await;
        app.wait_for_sync(&token, id, "in_sync").await;
        clients.push((id, vec![owner]));
    }
    // The test holds every client, so the server's own worker leaves their
    // rows alone until the end.
    let hold = Timestamp::now().plus(Duration::from_secs(3600));
    for (id, _) in &clients {
        assert!(store
            .outbox
            .lease_client(*id, "property-test", Timestamp::now(), hold, true)
            .await
            .unwrap());
    }
    let early = other_set(&app, "early");
    let mut early_versions: BTreeMap<i64, i64> = BTreeMap::new();
    for step in 0..60 {
        random_change(&app, &token, &mut rng, &mut clients, step).await;
        // Now and then, some rows written so far reach the early set: a few
        // at random, repeated, in any order, while changes go on.
        if rng.gen_bool(0.5) {
            let (client, _) = clients[rng.gen_range(0..clients.len())];
            let rows = store.outbox.pending_rows(client, 10_000).await.unwrap();
            if rows.is_empty() {
                continue;
            }
            let picked: Vec<OutboxRow> = (0..rng.gen_range(1..4))
                .map(|_| rows.choose(&mut rng).unwrap().clone())
                .collect();
            let version = early_versions.get(&client).copied().unwrap_or(0);
            let version =
                client_stores::apply_rows(store, early.as_ref(), client, &picked, version)
                    .await
                    .unwrap();
            early_versions.insert(client, version);
        }
    }
    // In order, once each: the reference.
    let in_order = other_set(&app, "inorder");
    let mut all: Vec<OutboxRow> = Vec::new();
    for (client, _) in &clients {
        let rows = store.outbox.pending_rows(*client, 10_000).await.unwrap();
        let mut version = 0;
        for row in &rows {
            version = client_stores::apply_rows(
                store,
                in_order.as_ref(),
                *client,
                std::slice::from_ref(row),
                version,
            )
            .await
            .unwrap();
        }
        all.extend(rows);
    }
    // Every row twice, shuffled across clients, onto the early set.
    let mut twice: Vec<OutboxRow> = all.iter().chain(all.iter()).cloned().collect();
    twice.shuffle(&mut rng);
    for row in &twice {
        let version = early_versions.get(&row.client_id).copied().unwrap_or(0);
        let version = client_stores::apply_rows(
            store,
            early.as_ref(),
            row.client_id,
            std::slice::from_ref(row),
            version,
        )
        .await
        .unwrap();
        early_versions.insert(row.client_id, version);
    }
    // And the server's own worker, let go.
    app.exec_sql("UPDATE client_stores SET lease_owner = NULL, lease_until = 0")
        .await;
    store.outbox.signal().notify_one();
    for (client, _) in &clients {
        let served = assert_in_step(&app, &token, *client).await;
        let account = AccountNumber::of(*client);
        let reference = in_order.read_all(&account).await.unwrap();
        let shuffled = early.read_all(&account).await.unwrap();
        assert_eq!(shuffled, reference, "PROPERTY_SEED={seed}: client {client}");
        let served: Vec<i64> = served.iter().map(|u| u.user_id).collect();
        let reference: Vec<i64> = reference.iter().map(|u| u.user_id).collect();
        assert_eq!(served, reference, "PROPERTY_SEED={seed}: client {client}");
        assert!(
            clientele::domain::drift(
                &store.outbox.tenant_users(*client, None).await.unwrap(),
                &shuffled
            )
            .is_empty(),
            "PROPERTY_SEED={seed}: client {client}"
        );
    }
    // Then more changes while three instances race to apply them: the
    // server's own worker and two more passes, under names of their own,
    // over every client again and again. No change may be lost.
    let stop = Arc::new(AtomicBool::new(false));
    let mut racers = Vec::new();
    for owner in ["instance-b", "instance-c"] {
        let (state, stop) = (app.state.clone(), stop.clone());
        let ids: Vec<i64> = clients.iter().map(|c| c.0).collect();
        racers.push(tokio::spawn(async move {
            let mut applied = 0;
            while !stop.load(Ordering::SeqCst) {
                for id in &ids {
                    if let Ok(client_stores::Pass::Applied { rows, .. }) =
                        client_stores::sync_client(&state, owner, *id).await
                    {
                        applied += rows;
                    }
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            applied
        }));
    }
    for step in 60..120 {
        random_change(&app, &token, &mut rng, &mut clients, step).await;
    }
    for (client, _) in &clients {
        assert_in_step(&app, &token, *client).await;
    }
    stop.store(true, Ordering::SeqCst);
    let mut raced = Vec::new();
    for r in racers {
        raced.push(r.await.unwrap());
    }
    eprintln!("rows applied by the two racing instances: {raced:?}");
}

/// The connections open to clients' databases right now, counted from
/// outside the store: on SQLite the process's open files under `clients/`,
/// on PostgreSQL the server's sessions on the clients' databases.
async fn open_client_connections(app: &TestApp) -> usize {
    match app.backend {
        Backend::Sqlite => {
            // Files open on clients' databases, by descriptor. Reading
            // /proc/self/fd is not one snapshot: a descriptor closed after it
            // was listed and reused for another client's file while the list
            // goes on counts twice. Only what two readings in a row agree on
            // counts (a connection is open for milliseconds, a reading takes
            // microseconds).
            let dir = app.db.dir.path().join("clients");
            let open_files =
                || -> std::collections::HashSet<(std::ffi::OsString, std::path::PathBuf)> {
                    std::fs::read_dir("/proc/self/fd")
                        .map(|fds| {
                            fds.filter_map(Result::ok)
                                .filter_map(|fd| {
                                    let target = std::fs::read_link(fd.path()).ok()?;
                                    (target.starts_with(&dir)
                                        && target.extension().is_some_and(|e| e == "db"))
                                    .then(|| (fd.file_name(), target))
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                };
            let (first, second) = (open_files(), open_files());
            first.intersection(&second).count()
        }
        Backend::Postgres => {
            // Every connection the app opened for them, its `postgres` ones
            // (creating databases) included: they carry its instance's name.
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&postgres_admin_url())
                .await
                .unwrap();
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
            )
            .bind(format!("clientele/{}", app.state.instance))
            .fetch_one(&mut c)
            .await
            .unwrap();
            n as usize
        }
    }
}

async fn the_open_client_connections_stay_within_the_bound(backend: Backend) {
    // A thousand clients on SQLite. On PostgreSQL each client is a database
    // of its own, and the server takes about a second of checkpoint to drop
    // each one again: fifty show the same bound at a fraction of the time.
    let count = match backend {
        Backend::Sqlite => 1_000,
        Backend::Postgres => 50,
    };
    const BOUND: usize = 3;
    let app = spawn_with(backend, |s| s.client_connections = BOUND).await;
    let token = app.admin_token().await;
    let app = Arc::new(app);
    let most_seen = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (app, most_seen, stop) = (app.clone(), most_seen.clone(), stop.clone());
        tokio::spawn(async move {
            let mut samples = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let open = open_client_connections(&app).await;
                most_seen.fetch_max(open, Ordering::SeqCst);
                samples += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            samples
        })
    };
    let started = Instant::now();
    for n in 0..count {
        json_of(
            app.create_client(
                &token,
                &json!({"companyName": format!("Bound {n}"), "contactEmail": format!("o{n}@bound.example")}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    loop {
        let (waiting, _) = app.state.store.outbox.backlog().await.unwrap();
        if waiting == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{waiting} changes still waiting"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let samples = sampler.await.unwrap();
    let (open_now, most) = app.state.tenants.connections();
    eprintln!(
        "{count} clients provisioned in {:?}; at most {} connections seen in {samples} samples, {most} counted",
        started.elapsed(),
        most_seen.load(Ordering::SeqCst)
    );
    assert!(most_seen.load(Ordering::SeqCst) <= BOUND);
    assert!((1..=BOUND).contains(&most), "{most}");
    assert_eq!(open_now, 0);
    // (A closed session leaves pg_stat_activity a moment later.)
    let started = Instant::now();
    while open_client_connections(&app).await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "client connections left open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every client has its database, in step.
    if backend == Backend::Sqlite {
        let files = std::fs::read_dir(app.db.dir.path().join("clients"))
            .unwrap()
            .filter(|f| {
                f.as_ref()
                    .is_ok_and(|f| f.path().extension().is_some_and(|e| e == "db"))
            })
            .count();
        assert_eq!(files, count);
    }
    for id in [1, count as i64 / 2, count as i64] {
        assert_in_step(&app, &token, id).await;
    }
}

/// The client database's last migration, and whether the newest one's index is there.
async fn schema_of(app: &TestApp, client: i64) -> (i64, bool) {
    match app.backend {
        Backend::Sqlite => {
            let file = app.db.client_db_file(client);
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
                "sqlite://{}",
                file.display()
            ))
            .await
            .unwrap();
            let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_one(&mut c)
                .await
                .unwrap();
            let index: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'user_modules_module_idx'",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            (version, index == 1)
        }
        Backend::Postgres => {
            let base = app.database_url.rsplit_once('/').unwrap().0;
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&format!(
                "{base}/{}",
                app.db.client_db_name(client)
            ))
            .await
            .unwrap();
            let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_one(&mut c)
                .await
                .unwrap();
            let index: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'user_modules_module_idx'",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            (version, index == 1)
        }
    }
}

/// Take the newest migration back out of a client's database, as if it had
/// been provisioned by the release before.
async fn downgrade(app: &TestApp, client: i64) {
    let drop_index = match app.backend {
        Backend::Sqlite => "DROP INDEX user_modules_module_idx;",
        Backend::Postgres => "DROP INDEX core.user_modules_module_idx;",
    };
    app.db
        .client_db_exec(
            client,
            &format!("{drop_index} DELETE FROM _sqlx_migrations WHERE version = 2;"),
        )
        .await;
    app.exec_sql(&format!(
        "UPDATE client_stores SET schema_version = 1 WHERE client_id = {client}"
    ))
    .await;
    assert_eq!(schema_of(app, client).await, (1, false));
}

async fn old_client_databases_are_brought_up_to_date(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.admin_token().await;
    let (quiet, _, _) = app.client(&token, "Quiet Co").await;
    let (busy, _, _) = app.client(&token, "Busy Co").await;
    for c in [quiet, busy] {
        app.wait_for_sync(&token, c, "in_sync").await;
        assert_eq!(schema_of(&app, c).await, (2, true));
        downgrade(&app, c).await;
    }
    // A client with a change waiting is migrated before the change is applied.
    add_user(&app, &token, busy, "Busy User", "user").await;
    assert_in_step(&app, &token, busy).await;
    assert_eq!(schema_of(&app, busy).await, (2, true));
    assert_eq!(app.sync_of(&token, busy).await["schemaVersion"], 2);
    // One with nothing waiting is reached by the background pass (run here
    // rather than waited for: the worker looks once a minute, and may have
    // just done it); one up to date is skipped.
    let started = Instant::now();
    while schema_of(&app, quiet).await != (2, true) {
        client_stores::migrate_stale(&app.state, 50).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(30), "not migrated");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.sync_of(&token, quiet).await["schemaVersion"], 2);
    assert_eq!(
        client_stores::migrate_stale(&app.state, 50).await.unwrap(),
        0
    );
}

/// PostgreSQL: a role that may not create databases gets a clear sync error
/// on the client, never a failed API call; `CLIENTELE_CLIENT_DATABASE_URL_TEMPLATE`
/// places the clients' databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_without_createdb_gets_a_clear_sync_error() {
    if !postgres_available("client_stores::a_role_without_createdb_gets_a_clear_sync_error") {
        return;
    }
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let role = format!("clientele_nocreate_{unique}");
    let admin = postgres_admin_url();
    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE ROLE \"{role}\" LOGIN NOCREATEDB"))
        .execute(&mut c)
        .await
        .unwrap();
    let server = admin
        .rsplit_once('/')
        .unwrap()
        .0
        .replace("postgres@", &format!("{role}@"));
    let template = format!("{server}/clientele_placed_{unique}_{{account}}");
    let app = spawn_with(Backend::Postgres, |s| {
        s.client_database_url_template = Some(template.into());
    })
    .await;
    let token = app.admin_token().await;
    let (client, _, _) = app.client(&token, "No Create Co").await;
    let sync = app.wait_for_sync(&token, client, "failing").await;
    let reason = sync["lastError"].as_str().unwrap();
    assert!(
        reason.contains("permission denied to create database"),
        "{reason}"
    );
    assert_eq!(sync["schemaVersion"], 0);
    // Given the right, the next attempt creates the database where the template says.
    app.db
        .admin_sql(&format!("ALTER ROLE \"{role}\" CREATEDB"))
        .await;
    app.wait_for_sync(&token, client, "in_sync").await;
    let placed = format!("clientele_placed_{unique}_acc{client:03}");
    let owner: String = sqlx::query_scalar(
        "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
    )
    .bind(&placed)
    .fetch_one(&mut c)
    .await
    .unwrap_or_else(|e| panic!("no database {placed}: {e}"));
    assert_eq!(owner, role);
    drop(app);
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{placed}\" WITH (FORCE)"),
        format!("DROP ROLE IF EXISTS \"{role}\""),
    ] {
        sqlx::query(&sql).execute(&mut c).await.unwrap();
    }
}
