//! Whom a caller reaches and what it may grant: operator staff and a client's
//! admins, each in its own scope; nobody changes its own role, permissions or
//! standing. (A user above the caller: `users_above`; every role on every
//! endpoint: `users_authz`; concurrent changes: `races`.)

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(scope_and_grant_rules, self_changes_are_refused,);

async fn scope_and_grant_rules(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, created) = app.client(&sa, "Scope A").await;
    let (b_id, owner_b, _) = app.client(&sa, "Scope B").await;
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let (_, admin) = app
        .user_with_token(
            &sa,
            json!({"name": "Ops", "username": "ops", "role": "admin", "permissions": [1, 2, 3, 5]}),
        )
        .await;

    // Only a super admin creates operator staff; admins cannot grant 60 or what they lack.
    let staff = |u: &str, role: &str| json!({"name": "S", "username": u, "password": INITIAL_PASSWORD, "role": role});
    json_of(
        app.create_user(&admin, &staff("staff1", "admin")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.create_user(&admin, &staff("staff2", "super_admin"))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.create_user(&sa, &staff("staff3", "admin")).await,
        StatusCode::CREATED,
    )
    .await;
    let mut with_60 = staff("staff4", "admin");
    with_60["permissions"] = json!([1, 60]);
    json_of(
        app.create_user(&admin, &with_60).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let created_60 = json_of(app.create_user(&sa, &with_60).await, StatusCode::CREATED).await;
    assert_eq!(created_60["user"]["permissions"], json!([1, 60]));
    let client_user = |u: &str, perms: Value| json!({"name": "C", "username": u, "password": INITIAL_PASSWORD, "companyId": a, "permissions": perms});
    let err = json_of(
        app.create_user(&admin, &client_user("cli1", json!([1, 20])))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("20"), "{err}");
    // 60 never goes to a client's user, even from a super admin.
    json_of(
        app.create_user(&sa, &client_user("cli2", json!([60])))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    // companyId is required for client users and refused for staff.
    let mut no_company = client_user("cli3", json!([]));
    no_company.as_object_mut().unwrap().remove("companyId");
    let err = json_of(
        app.create_user(&sa, &no_company).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["details"]["companyId"].is_array());
    let mut staff_company = staff("staff5", "admin");
    staff_company["companyId"] = json!(a);
    json_of(
        app.create_user(&sa, &staff_company).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    json_of(app.create_user(&sa, &json!({"name": "C", "username": "cli4", "password": INITIAL_PASSWORD, "companyId": 999999})).await, StatusCode::NOT_FOUND).await;
    // Roles are checked.
    let err = json_of(app.create_user(&sa, &json!({"name": "T", "username": "tec1", "password": INITIAL_PASSWORD, "role": "technician"})).await, StatusCode::BAD_REQUEST).await;
    assert!(err["details"]["role"].is_array());

    // A client admin: its own company only, whatever companyId it sends.
    let mine = json_of(
        app.create_user(
            &owner,
            &json!({"name": "Mine", "username": "mine", "password": INITIAL_PASSWORD}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(mine["user"]["companyId"], a);
    json_of(app.create_user(&owner, &json!({"name": "X", "username": "xx1", "password": INITIAL_PASSWORD, "companyId": b_id})).await, StatusCode::NOT_FOUND).await;
    for role in ["admin", "super_admin"] {
        json_of(app.create_user(&owner, &json!({"name": "X", "username": format!("x{role}"), "password": INITIAL_PASSWORD, "role": role})).await, StatusCode::FORBIDDEN).await;
    }
    // It may make another client admin (its own role), but grant nothing it lacks.
    json_of(app.create_user(&owner, &json!({"name": "Co", "username": "coadmin", "password": INITIAL_PASSWORD, "role": "client_admin", "permissions": [1, 2]})).await, StatusCode::CREATED).await;
    json_of(app.create_user(&owner, &json!({"name": "X", "username": "x30", "password": INITIAL_PASSWORD, "permissions": [30]})).await, StatusCode::FORBIDDEN).await;
    // Another company's users are "not found", exactly like missing ones.
    let foreign = json_of(app.get_user(&owner, owner_b).await, StatusCode::NOT_FOUND).await;
    let missing = json_of(app.get_user(&owner, 999999).await, StatusCode::NOT_FOUND).await;
    assert_eq!(foreign, missing);
    let list = json_of(app.list_users(&owner, "limit=100").await, StatusCode::OK).await;
    assert!(list["users"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["companyId"] == a));
    let other = json_of(
        app.list_users(&owner, &format!("companyId={b_id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(other["pagination"]["total"], 0);
    // It cannot move a user to another company, nor touch a super admin.
    let mine_id = mine["user"]["id"].as_i64().unwrap();
    json_of(
        app.update_user(&owner, mine_id, &json!({"companyId": b_id}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Admins cannot change other staff or promote anyone to staff.
    let sa_id = 1;
    json_of(
        app.update_user(&admin, sa_id, &json!({"name": "Taken Over"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.update_user(
            &admin,
            mine_id,
            &json!({"role": "admin", "companyId": null}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Permissions: an admin may change only permissions it holds.
    json_of(
        app.replace_user_permissions(&admin, mine_id, &json!({"permissions": [1, 20]}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.add_user_permissions(&admin, mine_id, &json!({"permissions": [3]}))
            .await,
        StatusCode::OK,
    )
    .await;
    // The owner of a client cannot be moved away from it.
    let owner_id = created["client"]["ownerId"].as_i64().unwrap();
    json_of(
        app.update_user(&sa, owner_id, &json!({"companyId": b_id}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    // A super admin may move an ordinary user; its email must be free there.
    let moved = json_of(
        app.update_user(&sa, mine_id, &json!({"companyId": b_id}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["user"]["companyId"], b_id);
    json_of(app.get_user(&owner, mine_id).await, StatusCode::NOT_FOUND).await;
}

async fn self_changes_are_refused(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (id, admin) = app
        .user_with_token(
            &sa,
            json!({"name": "Ops", "username": "ops", "role": "admin", "permissions": [1, 2, 3, 5]}),
        )
        .await;
    for body in [
        json!({"role": "super_admin"}),
        json!({"permissions": [1, 2, 3, 5, 20]}),
        json!({"isActive": false}),
        json!({"companyId": 1}),
        json!({"password": "Another-Passw0rd!"}),
    ] {
        let err = json_of(
            app.update_user(&admin, id, &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert!(err["error"].as_str().unwrap().contains("your own"), "{err}");
    }
    json_of(
        app.replace_user_permissions(&admin, id, &json!({"permissions": [1]}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    json_of(
        app.add_user_permissions(&admin, id, &json!({"permissions": [20]}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Its name, though, it may change here as well as through /api/auth/me.
    let res = json_of(
        app.update_user(&admin, id, &json!({"name": "Ops Lead"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["user"]["name"], "Ops Lead");
    assert_eq!(res["user"]["permissions"], json!([1, 2, 3, 5]));
    // Fields no caller may set are refused, not ignored.
    for field in [
        "id",
        "createdAt",
        "passwordHash",
        "mustChangePassword",
        "lastLogin",
        "createdBy",
    ] {
        let mut body = json!({"name": "X"});
        body[field] = json!(1);
        json_of(
            app.update_user(&sa, id, &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let err = json_of(app.create_user(&sa, &json!({"name": "X", "username": "xxx", "password": INITIAL_PASSWORD, "role": "admin", "createdBy": 999})).await, StatusCode::BAD_REQUEST).await;
    assert!(err["details"]["createdBy"].is_array());
    json_of(
        app.replace_user_permissions(&sa, 2, &json!({"permissions": [1], "updatedBy": 999}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}
