//! Modules (seed 000): the catalogue, a client's active modules, and a
//! user's, which default to the client's and never exceed them.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(modules_default_to_the_clients_and_never_exceed_them);

async fn modules_default_to_the_clients_and_never_exceed_them(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let cat = json_of(app.list_modules(&sa).await, StatusCode::OK).await;
    let names: Vec<&str> = cat["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["billing", "crm", "inventory", "reports", "whatsapp_reports"]
    );
    let (a, owner, _) = app.client(&sa, "Mod Co").await;
    assert_eq!(
        json_of(app.get_client_modules(&sa, a).await, StatusCode::OK).await,
        json!({"clientId": a, "modules": []})
    );
    let set = json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["crm", "billing", "crm"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(set["modules"], json!(["billing", "crm"]));
    json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["payroll"]}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    json_of(
        app.set_client_modules(&sa, 999999, &json!({"modules": ["crm"]}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The owner has every active module by default.
    let o = json_of(app.get_user(&sa, owner).await, StatusCode::OK).await;
    assert_eq!(o["user"]["modules"], json!(["billing", "crm"]));
    // A chosen subset; outside the active ones is refused.
    let user = |u: &str, modules: Value| json!({"name": "M", "username": u, "password": INITIAL_PASSWORD, "companyId": a, "modules": modules});
    let chosen = json_of(
        app.create_user(&sa, &user("m.one", json!(["crm"]))).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(chosen["user"]["modules"], json!(["crm"]));
    let err = json_of(
        app.create_user(&sa, &user("m.two", json!(["crm", "inventory"])))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["details"]["modules"][0]
        .as_str()
        .unwrap()
        .contains("inventory"));
    let id = chosen["user"]["id"].as_i64().unwrap();
    // Activating a module reaches users on the default, not those with a choice.
    json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["billing", "crm", "reports"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    let o = json_of(app.get_user(&sa, owner).await, StatusCode::OK).await;
    assert_eq!(o["user"]["modules"], json!(["billing", "crm", "reports"]));
    let c = json_of(app.get_user(&sa, id).await, StatusCode::OK).await;
    assert_eq!(c["user"]["modules"], json!(["crm"]));
    // Deactivating one removes it from everyone.
    json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["billing"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    let c = json_of(app.get_user(&sa, id).await, StatusCode::OK).await;
    assert_eq!(c["user"]["modules"], json!([]));
    // Set through update; null goes back to the default.
    let upd = json_of(
        app.update_user(&sa, id, &json!({"modules": ["billing"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(upd["user"]["modules"], json!(["billing"]));
    json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["billing", "crm"]}))
            .await,
        StatusCode::OK,
    )
    .await;
    let back = json_of(
        app.update_user(&sa, id, &json!({"modules": null})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(back["user"]["modules"], json!(["billing", "crm"]));
    // A page of users carries the same modules as each user's own answer: the
    // client's by default (in name order), its own choice, none for the staff.
    json_of(
        app.update_user(&sa, id, &json!({"modules": ["crm"]})).await,
        StatusCode::OK,
    )
    .await;
    let page = json_of(app.list_users(&sa, "limit=100").await, StatusCode::OK).await;
    let listed = page["users"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{page}");
    for u in listed {
        let one = json_of(app.get_user(&sa, &u["id"]).await, StatusCode::OK).await;
        assert_eq!(u["modules"], one["user"]["modules"], "{u}");
        if u["companyId"].is_null() {
            assert_eq!(u["modules"], json!([]), "{u}");
        }
    }
    let modules_of =
        |role: &str| listed.iter().find(|u| u["role"] == json!(role)).unwrap()["modules"].clone();
    assert_eq!(modules_of("user"), json!(["crm"]));
    assert_eq!(modules_of("client_admin"), json!(["billing", "crm"]));
    assert_eq!(modules_of("super_admin"), json!([]));
    // Staff have no modules.
    let staff = json!({"name": "S", "username": "staffer", "password": INITIAL_PASSWORD, "role": "admin", "modules": ["crm"]});
    json_of(app.create_user(&sa, &staff).await, StatusCode::BAD_REQUEST).await;
    // The catalogue grows with permission 60 only.
    let added = json_of(
        app.create_module(&sa, &json!({"name": "payroll", "label": "Payroll"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["module"]["name"], "payroll");
    json_of(
        app.create_module(&sa, &json!({"name": "payroll", "label": "Again"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    json_of(
        app.create_module(&sa, &json!({"name": "Bad Name", "label": "X"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    json_of(
        app.set_client_modules(&sa, a, &json!({"modules": ["payroll"]}))
            .await,
        StatusCode::OK,
    )
    .await;
}
