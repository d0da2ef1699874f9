//! The users-management API's contract (seed 003), operation by operation:
//! create, list, get, update, the disabled delete, a user's permissions and
//! the catalogue; what bad input, taken names, a password set by an admin and
//! a deactivation do.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_stores!(
    seed_003_contract_field_by_field,
    bad_input_changes_nothing,
    usernames_and_emails_are_unique_where_they_should_be,
    admin_set_password_forces_a_change_and_ends_sessions,
    deactivated_user_is_locked_out_at_once,
    whole_numbers_written_as_floats_are_integers,
);

async fn seed_003_contract_field_by_field(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let (company, _, _) = app.client(&t, "Contract Co").await;
    let admin_id = json_of(app.get_me(&t).await, StatusCode::OK).await["user"]["id"]
        .as_i64()
        .unwrap();

    // 2. Create
    let res = json_of(
        app.create_user(
            &t,
            &json!({"name": "John Doe", "username": "john.doe", "password": "secure_password",
                    "companyId": company, "createdBy": admin_id, "isActive": true,
                    "permissions": [1, 2, 3]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(res["message"], "User created successfully");
    let u = &res["user"];
    let id = u["id"].as_i64().unwrap();
    assert_eq!(u["companyId"], company);
    assert_eq!(u["name"], "John Doe");
    assert_eq!(u["username"], "john.doe");
    assert_eq!(u["createdBy"], admin_id);
    assert_eq!(u["isActive"], true);
    assert_eq!(u["permissions"], json!([1, 2, 3]));
    assert!(u["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(u["updatedAt"].is_string());
    assert_eq!(u["role"], "user");
    assert_eq!(u["mustChangePassword"], true);
    for secret in ["password", "passwordHash", "password_hash"] {
        assert!(u.get(secret).is_none(), "{secret} leaked");
    }
    assert!(!res.to_string().contains("secure_password"));
    assert!(!res.to_string().contains("$argon2"));

    // 1. List, with pagination {total, limit, offset, hasMore} and search.
    let list = json_of(app.list_users(&t, "limit=1&offset=0").await, StatusCode::OK).await;
    assert_eq!(list["users"].as_array().unwrap().len(), 1);
    let p = &list["pagination"];
    assert_eq!(p["limit"], 1);
    assert_eq!(p["offset"], 0);
    assert!(p["total"].as_i64().unwrap() >= 3); // admin, the owner, John
    assert_eq!(p["hasMore"], true);
    let defaults = json_of(app.list_users(&t, "").await, StatusCode::OK).await;
    assert_eq!(defaults["pagination"]["limit"], 10);
    assert_eq!(defaults["pagination"]["offset"], 0);
    let found = json_of(app.list_users(&t, "search=John").await, StatusCode::OK).await;
    assert_eq!(found["pagination"]["total"], 1);
    assert_eq!(found["pagination"]["hasMore"], false);
    assert_eq!(found["users"][0]["id"], id);
    let by_username = json_of(app.list_users(&t, "search=n.do").await, StatusCode::OK).await;
    assert_eq!(by_username["users"][0]["username"], "john.doe");

    // 3. Get by id
    let got = json_of(app.get_user(&t, id).await, StatusCode::OK).await;
    assert_eq!(got["user"]["username"], "john.doe");
    assert_eq!(got["user"]["permissions"], json!([1, 2, 3]));
    json_of(app.get_user(&t, 999999).await, StatusCode::NOT_FOUND).await;

    // 4. Update: only the fields sent change.
    let res = json_of(
        app.update_user(
            &t,
            id,
            &json!({"name": "John Smith", "username": "john.smith", "permissions": [1, 2, 3, 4]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["message"], "User updated successfully");
    assert_eq!(res["user"]["name"], "John Smith");
    assert_eq!(res["user"]["username"], "john.smith");
    assert_eq!(res["user"]["permissions"], json!([1, 2, 3, 4]));
    assert_eq!(res["user"]["companyId"], company);
    assert_eq!(res["user"]["isActive"], true);
    assert_ne!(res["user"]["updatedAt"], u["updatedAt"]);

    // 5. Delete is disabled.
    let err = json_of(app.delete_user(&t, id).await, StatusCode::FORBIDDEN).await;
    assert_eq!(
        err,
        json!({"error": "Delete user functionality has been disabled"})
    );
    json_of(app.get_user(&t, id).await, StatusCode::OK).await;

    // 6. Get permissions
    let perms = json_of(app.get_user_permissions(&t, id).await, StatusCode::OK).await;
    assert_eq!(perms["userId"], id);
    assert_eq!(perms["username"], "john.smith");
    assert_eq!(perms["name"], "John Smith");
    assert_eq!(perms["permissions"], json!([1, 2, 3, 4]));
    assert_eq!(
        perms["permissionDetails"][0],
        json!({"id": 1, "name": "View Users", "valid": true})
    );
    assert_eq!(
        perms["permissionDetails"][1],
        json!({"id": 2, "name": "Create Users", "valid": true})
    );
    assert_eq!(
        perms["permissionDetails"][3],
        json!({"id": 4, "name": "Delete Users", "valid": true})
    );
    assert!(perms.get("message").is_none());

    // 7. Replace permissions
    let res = json_of(
        app.replace_user_permissions(
            &t,
            id,
            &json!({"permissions": [1, 2, 3, 4, 5], "updatedBy": admin_id}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["message"], "User permissions updated successfully");
    assert_eq!(res["userId"], id);
    assert_eq!(res["username"], "john.smith");
    assert_eq!(res["permissions"], json!([1, 2, 3, 4, 5]));
    assert_eq!(
        res["permissionDetails"][4],
        json!({"id": 5, "name": "Manage User Permissions", "valid": true})
    );
    assert!(res.get("addedPermissions").is_none());
    let res = json_of(
        app.replace_user_permissions(&t, id, &json!({"permissions": [1, 2, 3]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["permissions"], json!([1, 2, 3]));

    // 8. Add permissions: keeps the existing ones.
    let res = json_of(
        app.add_user_permissions(
            &t,
            id,
            &json!({"permissions": [4, 5], "updatedBy": admin_id}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["message"], "Permissions added successfully");
    assert_eq!(res["permissions"], json!([1, 2, 3, 4, 5]));
    assert_eq!(res["addedPermissions"], json!([4, 5]));
    assert_eq!(res["permissionDetails"].as_array().unwrap().len(), 5);
    let again = json_of(
        app.add_user_permissions(&t, id, &json!({"permissions": [5, 10]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["addedPermissions"], json!([10]));

    // Unknown permission ids → 400, nothing changes.
    for method in ["PUT", "POST"] {
        let body = json!({"permissions": [1, 7, 99]});
        let res = if method == "PUT" {
            app.replace_user_permissions(&t, id, &body).await
        } else {
            app.add_user_permissions(&t, id, &body).await
        };
        let err = json_of(res, StatusCode::BAD_REQUEST).await;
        assert!(
            err["details"]["permissions"][0]
                .as_str()
                .unwrap()
                .contains("7, 99"),
            "{err}"
        );
    }
    let err = json_of(
        app.create_user(
            &t,
            &json!({"name": "X", "username": "xperm", "password": "secure_password",
                            "companyId": company, "permissions": [3, 42]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["details"]["permissions"].is_array());
    let perms = json_of(app.get_user_permissions(&t, id).await, StatusCode::OK).await;
    assert_eq!(perms["permissions"], json!([1, 2, 3, 4, 5, 10]));

    // 409 for a taken username.
    let err = json_of(
        app.create_user(&t, &json!({"name": "Dup", "username": "John.Smith", "password": "secure_password", "companyId": company}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(err["error"], "Username already exists");

    // The catalogue.
    let cat = json_of(app.list_permissions(&t).await, StatusCode::OK).await;
    assert_eq!(cat["permissions"].as_array().unwrap().len(), 20);
    assert_eq!(cat["permissions"][19]["id"], 60);
}

async fn bad_input_changes_nothing(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Bad Input").await;
    let before = count_users(&app, &sa).await;
    let bad = [
        json!({"name": "", "username": "ok.name", "password": INITIAL_PASSWORD, "companyId": a}),
        json!({"name": "N", "username": "x", "password": INITIAL_PASSWORD, "companyId": a}),
        json!({"name": "N", "username": "bad name", "password": INITIAL_PASSWORD, "companyId": a}),
        json!({"name": "N", "username": "okname", "password": "short", "companyId": a}),
        json!({"name": "N", "username": "okname", "password": "Sev3n-x", "companyId": a}),
        json!({"name": "N", "username": "okname", "password": "x".repeat(129), "companyId": a}),
        json!({"name": "N", "username": "okname", "password": "password123", "companyId": a}),
        json!({"name": "N", "username": "okname", "password": "x".repeat(1_000_000), "companyId": a}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": a, "email": "not-an-email"}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": a, "modules": ["NOPE"]}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": a, "modules": ["billing"]}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": "one"}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": a as f64 + 0.5}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": 1e300}),
        // 2^63, and 2^53 + 2: whole, but past what a float holds exactly.
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": 9_223_372_036_854_775_808.0_f64}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": 9_007_199_254_740_994.0_f64}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": a, "permissions": [1.5]}),
        json!({"name": "N", "username": "okname", "password": INITIAL_PASSWORD, "companyId": a, "unknown": 1}),
        json!({"username": "okname", "password": INITIAL_PASSWORD, "companyId": a}),
        json!([1, 2]),
    ];
    for body in &bad {
        let res = app.create_user(&sa, body).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::PAYLOAD_TOO_LARGE,
            "{body:.200}: {status} {text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["error"].is_string());
    }
    assert_eq!(count_users(&app, &sa).await, before);
    // Updates: nothing changes either.
    let (id, _) = app.user_with_token(&sa, json!({"name": "Keep", "username": "keep", "companyId": a, "email": "keep@example.com"})).await;
    let snapshot = json_of(app.get_user(&sa, id).await, StatusCode::OK).await;
    for body in [
        json!({"name": "Changed", "username": "no way"}),
        json!({"name": "Changed", "email": "nope"}),
        json!({"name": "Changed", "role": "owner"}),
        json!({"name": "Changed", "permissions": [1, 1000]}),
        json!({"name": "Changed", "isActive": "yes"}),
        json!({"name": "Changed", "modules": ["crm"]}),
        json!({"name": "Changed", "password": "123"}),
    ] {
        let res = app.update_user(&sa, id, &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    for q in [
        "limit=0",
        "limit=101",
        "offset=-1",
        "sort=age",
        "role=owner",
        "permission=7",
        "isActive=maybe",
        "companyId=x",
    ] {
        let res = app.list_users(&sa, q).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{q}");
    }
    let after = json_of(app.get_user(&sa, id).await, StatusCode::OK).await;
    assert_eq!(snapshot, after);
}

async fn usernames_and_emails_are_unique_where_they_should_be(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Uniq A").await;
    let (b_id, _, _) = app.client(&sa, "Uniq B").await;
    let user = |u: &str, email: &str, company: i64| json!({"name": "U", "username": u, "password": INITIAL_PASSWORD, "email": email, "companyId": company});
    json_of(
        app.create_user(&sa, &user("same.mail", "s@example.com", a))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let err = json_of(
        app.create_user(&sa, &user("other", "s@example.com", a))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("email"), "{err}");
    // Free across clients.
    json_of(
        app.create_user(&sa, &user("other", "s@example.com", b_id))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Usernames are unique everywhere, case-insensitively.
    let err = json_of(
        app.create_user(&sa, &user("SAME.MAIL", "t@example.com", b_id))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(err["error"], "Username already exists");
    let id = json_of(
        app.create_user(&sa, &user("third", "t@example.com", a))
            .await,
        StatusCode::CREATED,
    )
    .await["user"]["id"]
        .as_i64()
        .unwrap();
    json_of(
        app.update_user(&sa, id, &json!({"username": "Other"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    json_of(
        app.update_user(&sa, id, &json!({"email": "s@example.com"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}

async fn admin_set_password_forces_a_change_and_ends_sessions(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Pw Co").await;
    let (id, _) = app
        .user_with_token(
            &sa,
            json!({"name": "P", "username": "pw.user", "companyId": a}),
        )
        .await;
    let session = app.login_ok("pw.user", CHANGED_PASSWORD).await;
    assert_eq!(session["mustChangePassword"], false);
    let res = json_of(
        app.update_user(&sa, id, &json!({"password": "Admin-Set-Passw0rd"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["user"]["mustChangePassword"], true);
    assert!(!res.to_string().contains("Admin-Set-Passw0rd"));
    assert_session_ended(&app, &session).await;
    assert_eq!(
        app.login_response("pw.user", CHANGED_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.login_ok("pw.user", "Admin-Set-Passw0rd").await;
    assert_eq!(fresh["mustChangePassword"], true);
    let token = fresh["accessToken"].as_str().unwrap();
    json_of(app.list_users(token, "").await, StatusCode::FORBIDDEN).await;
    // The hash is stored, never the password.
    let rows = crate::auth::activity_rows(&app).await;
    assert!(!format!("{rows:?}").contains("Admin-Set-Passw0rd"));
}

async fn deactivated_user_is_locked_out_at_once(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Lock Co").await;
    let (id, token) = app
        .user_with_token(
            &sa,
            json!({"name": "L", "username": "lock.me", "companyId": a, "permissions": [1]}),
        )
        .await;
    json_of(app.list_users(&token, "").await, StatusCode::OK).await;
    let res = json_of(
        app.update_user(&sa, id, &json!({"isActive": false})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["user"]["isActive"], false);
    json_of(app.list_users(&token, "").await, StatusCode::UNAUTHORIZED).await;
    assert_ne!(
        app.login_response("lock.me", CHANGED_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    json_of(
        app.update_user(&sa, id, &json!({"isActive": true})).await,
        StatusCode::OK,
    )
    .await;
    app.login_ok("lock.me", CHANGED_PASSWORD).await;
}

/// JSON Schema, and so the OpenAPI document, counts `5.0` as the integer 5: a
/// client that writes its ids as floats (Python's `float`, say) is understood.
async fn whole_numbers_written_as_floats_are_integers(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let (company, _, _) = app.client(&t, "Float Co").await;
    let body = json!({"name": "Flo At", "username": "flo.at", "password": INITIAL_PASSWORD,
                      "companyId": company as f64, "permissions": [1.0, 2.0]});
    assert!(body.to_string().contains(".0"), "{body}");
    let res = json_of(app.create_user(&t, &body).await, StatusCode::CREATED).await;
    let u = &res["user"];
    assert_eq!(u["companyId"], company);
    assert_eq!(u["permissions"], json!([1, 2]));
    let id = u["id"].as_i64().unwrap();
    let res = json_of(
        app.replace_user_permissions(&t, id, &json!({"permissions": [3.0]}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(res["permissions"], json!([3]), "{res}");
}
