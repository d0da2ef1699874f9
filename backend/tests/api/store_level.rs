// Moves to a store test binary with the store rebuild (issue 25).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    store_import_transaction_is_atomic,
    store_create_user_writes_the_user_its_modules_and_its_entry_together,
    the_search_index_is_merged_in_steps_and_finds_the_same_users,
);

const UM: &str = "/api/users-management";

async fn store_import_transaction_is_atomic(b: Backend) {
    use clientele::domain::{PermissionSet, Role, Timestamp};
    use clientele::store::NewUser;
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let before = count_users(&app, &sa).await;
    let new = |u: &str| NewUser {
        company_id: None,
        name: "T".into(),
        username: u.into(),
        email: None,
        role: Role::Admin,
        permissions: PermissionSet::empty(),
        password_hash: "not-a-real-hash".into(),
        is_active: true,
        must_change_password: true,
        created_by: None,
        modules: None,
        now: Timestamp::now(),
    };
    // The second row breaks a unique rule inside the transaction: the first must go too.
    let err = app
        .state
        .store
        .create_users(&[new("tx.first"), new("admin")])
        .await;
    assert!(
        matches!(err, Err(clientele::store::StoreError::Conflict(ref f)) if f == "username"),
        "{err:?}"
    );
    assert_eq!(count_users(&app, &sa).await, before);
    assert_eq!(
        app.state
            .store
            .taken_usernames(&["tx.first".into()])
            .await
            .unwrap(),
        Vec::<String>::new()
    );
}

/// A new user, its modules and the entry about it are one write (one trip to
/// the database): all of it or, when any part fails, none of it, and the store
/// writes on normally afterwards (no transaction left open on SQLite).
async fn store_create_user_writes_the_user_its_modules_and_its_entry_together(b: Backend) {
    use clientele::domain::{PermissionSet, Role, Timestamp};
    use clientele::store::{NewActivity, NewUser};
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (company, _, _) = app.client(&sa, "One Write").await;
    json_of(
        app.put(
            &format!("/api/clients/{company}/modules"),
            &json!({"modules": ["crm", "billing", "reports"]}),
            Some(&sa),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let active = app.state.store.client_modules(company).await.unwrap();
    assert_eq!(active, ["billing", "crm", "reports"]);
    let new = |u: &str, modules: Option<Vec<String>>| NewUser {
        company_id: Some(company),
        name: "T".into(),
        username: u.into(),
        email: None,
        role: Role::User,
        permissions: PermissionSet::empty(),
        password_hash: "not-a-real-hash".into(),
        is_active: true,
        must_change_password: true,
        created_by: None,
        modules,
        now: Timestamp::now(),
    };
    let entry = |label: &str| NewActivity {
        at: Some(Timestamp::now()),
        action: "create".into(),
        target_type: Some("user".into()),
        target_label: Some(label.into()),
        company_id: Some(company),
        ..NewActivity::default()
    };
    let entries_about = |label: &'static str| {
        let app = &app;
        let sa = sa.clone();
        async move {
            created_entries(app, &sa)
                .await
                .into_iter()
                .filter(|e| e["targetLabel"] == label)
                .collect::<Vec<Value>>()
        }
    };
    let before = count_users(&app, &sa).await;
    // A module outside the catalogue breaks the write after the user's row.
    for _ in 0..3 {
        let err = app
            .state
            .store
            .create_user(
                &new("one.broken", Some(vec!["no-such-module".into()])),
                Some(&entry("one.broken")),
            )
            .await;
        assert!(err.is_err(), "{err:?}");
    }
    assert_eq!(count_users(&app, &sa).await, before);
    assert!(entries_about("one.broken").await.is_empty());
    assert!(app
        .state
        .store
        .taken_usernames(&["one.broken".into()])
        .await
        .unwrap()
        .is_empty());
    // A taken username: nothing written either.
    let err = app
        .state
        .store
        .create_user(&new("admin", None), Some(&entry("admin")))
        .await;
    assert!(
        matches!(err, Err(clientele::store::StoreError::Conflict(ref f)) if f == "username"),
        "{err:?}"
    );
    assert!(entries_about("admin").await.is_empty());

    // And then writes go on: a chosen module, the client's modules, none.
    let chosen = vec![active[1].clone()];
    let cases = [
        ("one.chosen", Some(chosen.clone()), chosen),
        ("one.default", None, active.clone()),
        ("one.none", Some(vec![]), vec![]),
    ];
    for (username, modules, expected) in cases {
        let created = app
            .state
            .store
            .create_user(&new(username, modules), Some(&entry(username)))
            .await
            .unwrap();
        assert_eq!(created.user.username, username);
        assert_eq!(created.modules, expected, "{username}");
        let read = json_of(
            app.get(&format!("{UM}/{}", created.user.id), Some(&sa))
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(read["user"]["modules"], json!(expected), "{username}");
        let logged = entries_about(username).await;
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(logged[0]["targetId"], created.user.id.to_string());
    }
    // Without an entry (the command line's first admin), only the user.
    let admin = app
        .state
        .store
        .create_user(
            &NewUser {
                company_id: None,
                role: Role::Admin,
                ..new("one.staff", None)
            },
            None,
        )
        .await
        .unwrap();
    assert!(admin.modules.is_empty());
    assert!(entries_about("one.staff").await.is_empty());
    assert_eq!(count_users(&app, &sa).await, before + 4);
}

/// The search index's upkeep (decisions 0013): on SQLite every write adds a
/// part to the FTS5 index and a merge step rewrites some of it into one part;
/// steps go on while they find work, then find none, and a search answers the
/// same before and after (a renamed user by its new name only). PostgreSQL has
/// nothing to merge.
async fn the_search_index_is_merged_in_steps_and_finds_the_same_users(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (company, _, _) = app.client(&sa, "Merge Co").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let created = json_of(
            app.post(
                UM,
                &json!({"name": format!("Mergeable Person{i}"), "username": format!("mergeable{i}"),
                        "email": format!("mergeable{i}@merge.example"), "password": "secure_password",
                        "companyId": company}),
                Some(&sa),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        ids.push(created["user"]["id"].as_i64().unwrap());
    }
    json_of(
        app.put(
            &format!("{UM}/{}", ids[3]),
            &json!({"name": "Renamed Quokka"}),
            Some(&sa),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let search = |term: &'static str| {
        let (app, sa) = (&app, sa.clone());
        async move {
            let page = json_of(
                app.get(&format!("{UM}?search={term}&limit=50"), Some(&sa))
                    .await,
                StatusCode::OK,
            )
            .await;
            page["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    let terms = [
        "Mergeable",
        "able Pers",
        "mergeable1",
        "@merge.example",
        "Quokka",
    ];
    let mut before = Vec::new();
    for t in terms {
        before.push(search(t).await);
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    // The renamed user keeps "mergeable" in its username and e-mail.
    assert_eq!(before[0], newest_first);
    let others: Vec<i64> = newest_first
        .iter()
        .copied()
        .filter(|&id| id != ids[3])
        .collect();
    assert_eq!(before[1], others);
    assert_eq!(before[2], vec![ids[11], ids[10], ids[1]]);
    assert_eq!(before[4], vec![ids[3]]);

    // On SQLite, the number of segments in the index's structure record: a
    // cookie, then varints (levels, segments), each one byte here.
    let parts = || async {
        let hex = app
            .fetch_text("SELECT hex(block) FROM users_search_data WHERE id = 10")
            .await;
        u8::from_str_radix(&hex[10..12], 16).unwrap()
    };
    if b == Backend::Sqlite {
        assert!(parts().await > 1, "one part per write");
    }
    let store = &app.state.store;
    let mut steps = 0;
    while store.merge_search_index(1).await.unwrap() {
        steps += 1;
        assert!(steps < 10_000, "merging never ends");
    }
    assert!(!store.merge_search_index(500).await.unwrap());
    match b {
        Backend::Sqlite => {
            assert!(steps >= 1);
            assert_eq!(parts().await, 1);
        }
        Backend::Postgres => assert_eq!(steps, 0),
    }
    for (t, found) in terms.iter().zip(&before) {
        assert_eq!(&search(t).await, found, "search {t}");
    }
    // The merged index takes new writes and finds them.
    json_of(
        app.post(
            UM,
            &json!({"name": "Mergeable Latecomer", "username": "mergeable-late",
                    "password": "secure_password", "companyId": company}),
            Some(&sa),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(search("Mergeable").await.len(), 13);
}
