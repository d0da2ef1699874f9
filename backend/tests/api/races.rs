//! Concurrent changes of one user's or one client's lists lose nothing
//! (issue #24, 2 and 3): every answer is true afterwards, a revoke is never
//! undone by an add that read the list before it, and the activity log's
//! `from → to` entries chain exactly to what was stored.

use crate::helpers::*;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    concurrent_permission_adds_all_land,
    a_revoke_racing_with_adds_is_never_undone,
    concurrent_module_changes_chain_in_the_log,
);

const UM: &str = "/api/users-management";

async fn permissions_of(app: &TestApp, token: &str, id: i64) -> Vec<i64> {
    let res = app
        .get(&format!("{UM}/{id}/permissions"), Some(token))
        .await;
    json_of(res, StatusCode::OK).await["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_i64().unwrap())
        .collect()
}

/// The activity log's entries about `target` with a change of `field`, oldest
/// first: each must start where the one before it ended, and the last must
/// end at `now`.
async fn assert_log_chains(app: &TestApp, token: &str, target: &str, field: &str, now: &Value) {
    let (kind, id) = target.split_once(':').unwrap();
    let res = app
        .get(
            &format!("/api/activity?targetType={kind}&targetId={id}&limit=100"),
            Some(token),
        )
        .await;
    let mut entries: Vec<Value> = json_of(res, StatusCode::OK).await["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["changes"][field].is_null())
        .cloned()
        .collect();
    entries.reverse();
    assert!(!entries.is_empty(), "no entry changes {field}");
    for pair in entries.windows(2) {
        assert_eq!(
            pair[0]["changes"][field]["to"], pair[1]["changes"][field]["from"],
            "the log's {field} does not chain: {} then {}",
            pair[0]["changes"], pair[1]["changes"]
        );
    }
    assert_eq!(&entries.last().unwrap()["changes"][field]["to"], now);
}

async fn concurrent_permission_adds_all_land(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Race Co").await;
    let adds = [1, 2, 3, 4, 5, 10, 11, 12, 13, 14];
    for trial in 0..3 {
        let (id, _) = app
            .user_with_token(
                &sa,
                json!({"name": "Target", "username": format!("target{trial}"), "companyId": a}),
            )
            .await;
        let answers = join_all(adds.iter().map(|p| {
            let path = format!("{UM}/{id}/permissions");
            let body = json!({"permissions": [p]});
            let (app, sa) = (&app, &sa);
            async move { json_of(app.post(&path, &body, Some(sa)).await, StatusCode::OK).await }
        }))
        .await;
        let held = permissions_of(&app, &sa, id).await;
        assert_eq!(held, adds.to_vec(), "trial {trial}");
        for (answer, p) in answers.iter().zip(adds) {
            assert!(
                answer["permissions"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(p)),
                "an add answered without its own permission: {answer}"
            );
        }
        assert_log_chains(
            &app,
            &sa,
            &format!("user:{id}"),
            "permissions",
            &json!(adds),
        )
        .await;
    }
}

async fn a_revoke_racing_with_adds_is_never_undone(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Revoke Co").await;
    for trial in 0..6 {
        let (id, _) = app
            .user_with_token(
                &sa,
                json!({"name": "Target", "username": format!("revoked{trial}"), "companyId": a,
                       "permissions": [20, 21, 22, 23]}),
            )
            .await;
        let path = format!("{UM}/{id}/permissions");
        let revoke = async {
            json_of(
                app.put(&path, &json!({"permissions": [1]}), Some(&sa))
                    .await,
                StatusCode::OK,
            )
            .await
        };
        let adds = join_all([2, 3, 4, 5, 10].map(|p| {
            let path = path.clone();
            let (app, sa) = (&app, &sa);
            async move {
                json_of(
                    app.post(&path, &json!({"permissions": [p]}), Some(sa))
                        .await,
                    StatusCode::OK,
                )
                .await
            }
        }));
        let (_, _) = futures_util::join!(revoke, adds);
        let held = permissions_of(&app, &sa, id).await;
        assert!(
            held.contains(&1),
            "trial {trial}: the replace is lost: {held:?}"
        );
        assert!(
            !held.iter().any(|p| (20..=23).contains(p)),
            "trial {trial}: revoked permissions came back: {held:?}"
        );
        assert_log_chains(
            &app,
            &sa,
            &format!("user:{id}"),
            "permissions",
            &json!(held),
        )
        .await;
    }
}

/// A user's modules and a client's modules, each set by several callers at
/// once: the log chains to what is stored.
async fn concurrent_module_changes_chain_in_the_log(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Modules Co").await;
    let all = ["billing", "crm", "inventory", "reports", "whatsapp_reports"];
    json_of(
        app.put(
            &format!("/api/clients/{a}/modules"),
            &json!({"modules": all}),
            Some(&sa),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (id, _) = app
        .user_with_token(
            &sa,
            json!({"name": "Target", "username": "modules.target", "companyId": a}),
        )
        .await;
    let choices: Vec<Value> = (0..8)
        .map(|i| json!({"modules": all.iter().skip(i % 5).take(1 + i % 3).collect::<Vec<_>>()}))
        .collect();
    join_all(choices.iter().map(|body| {
        let path = format!("{UM}/{id}");
        let (app, sa) = (&app, &sa);
        async move { json_of(app.put(&path, body, Some(sa)).await, StatusCode::OK).await }
    }))
    .await;
    let now = json_of(
        app.get(&format!("{UM}/{id}"), Some(&sa)).await,
        StatusCode::OK,
    )
    .await;
    assert_log_chains(
        &app,
        &sa,
        &format!("user:{id}"),
        "modules",
        &now["user"]["modules"],
    )
    .await;

    let lists: Vec<Value> = (0..8)
        .map(|i| json!({"modules": all.iter().skip(i % 4).take(1 + i % 2).collect::<Vec<_>>()}))
        .collect();
    join_all(lists.iter().map(|body| {
        let path = format!("/api/clients/{a}/modules");
        let (app, sa) = (&app, &sa);
        async move { json_of(app.put(&path, body, Some(sa)).await, StatusCode::OK).await }
    }))
    .await;
    let now = json_of(
        app.get(&format!("/api/clients/{a}/modules"), Some(&sa))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_log_chains(
        &app,
        &sa,
        &format!("client:{a}"),
        "modules",
        &now["modules"],
    )
    .await;
}
