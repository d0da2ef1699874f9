use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(
    login_answers_tokens_and_the_user,
    login_accepts_email_and_any_case,
    wrong_password_and_unknown_user_answer_identically,
    me_needs_a_valid_token,
    forged_and_expired_tokens_are_refused,
    refresh_rotates_and_reuse_ends_the_session,
    logout_ends_the_session,
    update_me_changes_only_profile_fields,
    update_me_conflicting_email_is_409,
    change_password_rules,
    first_login_tokens_are_limited,
    deactivated_users_are_locked_out_at_once,
    client_login_refuses_operator_staff,
    bootstrap_admin_with_generated_password,
    bootstrap_runs_only_once,
    activity_log_records_logins_and_changes,
    a_login_records_its_bookkeeping_and_rehashes_an_old_hash,
    tokens_from_the_future_are_refused,
    every_other_session_ends_on_request,
);

/// `logout-others` ends every other session of the caller at once (issue
/// #28's profile), and only those: the caller's own goes on, and another
/// user's sessions are untouched.
async fn every_other_session_ends_on_request(b: Backend) {
    let app = spawn(b).await;
    let here = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let elsewhere = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let (_, pw) = app
        .create_operator("bystander", Some("Bystand3r-Pass!"))
        .await;
    let bystander = app.login_ok("bystander", &pw).await;
    let token = here["accessToken"].as_str().unwrap();
    let res = app.logout_other_sessions(token).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_session_ended(&app, &elsewhere).await;
    json_of(app.get_me(token).await, StatusCode::OK).await;
    json_of(
        app.get_me(bystander["accessToken"].as_str().unwrap()).await,
        StatusCode::OK,
    )
    .await;
}

/// A token signed with the service's own key for a live session, but not
/// valid yet (`nbf`) or issued in the future (`iat`), is refused (issue #24).
async fn tokens_from_the_future_are_refused(b: Backend) {
    use jsonwebtoken::{encode, EncodingKey, Header};
    use secrecy::ExposeSecret;
    let app = spawn(b).await;
    let session = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let token = session["accessToken"].as_str().unwrap();
    let claims: serde_json::Value = {
        use base64::Engine;
        let payload = token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let key = EncodingKey::from_secret(app.state.settings.jwt_secret.expose_secret().as_bytes());
    let now = chrono::Utc::now().timestamp();
    let signed = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut c = claims.clone();
        change(&mut c);
        encode(&Header::default(), &c, &key).unwrap()
    };
    // The same claims re-signed work: the key is right.
    let same = signed(&|_| {});
    json_of(app.get_me(&same).await, StatusCode::OK).await;
    let later = signed(&|c| c["nbf"] = json!(now + 120));
    json_of(app.get_me(&later).await, StatusCode::UNAUTHORIZED).await;
    let issued_later = signed(&|c| {
        c["iat"] = json!(now + 120);
        c.as_object_mut().unwrap().remove("nbf");
    });
    json_of(app.get_me(&issued_later).await, StatusCode::UNAUTHORIZED).await;
}

async fn login_answers_tokens_and_the_user(b: Backend) {
    let app = spawn(b).await;
    let res = app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let body = json_of(res, StatusCode::OK).await;
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], 900);
    assert_eq!(body["mustChangePassword"], false);
    assert!(body["accessToken"].as_str().unwrap().split('.').count() == 3);
    assert!(body["refreshToken"].as_str().unwrap().len() >= 40);
    let user = &body["user"];
    assert_eq!(user["username"], "admin");
    assert_eq!(user["role"], "super_admin");
    assert_eq!(user["companyId"], serde_json::Value::Null);
    assert_eq!(user["isActive"], true);
    assert!(user["lastLogin"].is_string());
    let text = body.to_string().to_lowercase();
    assert!(!text.contains("hash") && !text.contains("argon2"), "{text}");
    assert!(!text.contains(&ADMIN_PASSWORD.to_lowercase()));
}

async fn login_accepts_email_and_any_case(b: Backend) {
    let app = spawn(b).await;
    app.login_ok("admin@example.com", ADMIN_PASSWORD).await;
    app.login_ok("ADMIN", ADMIN_PASSWORD).await;
    app.login_ok("  Admin@Example.com ", ADMIN_PASSWORD).await;
}

async fn wrong_password_and_unknown_user_answer_identically(b: Backend) {
    let app = spawn(b).await;
    let wrong = app.login_response(ADMIN_USERNAME, "not-the-password").await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.bytes().await.unwrap();
    let unknown = app.login_response("nobody-here", "not-the-password").await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), wrong_status);
    assert_eq!(unknown.bytes().await.unwrap(), wrong_body);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&wrong_body).unwrap(),
        json!({"error": "Invalid username or password"})
    );
    // A megabyte-long password is refused the same way, unhashed (the body
    // limit is raised so the password, not the limit, is what is tested).
    let app = spawn_with(b, |s| s.body_limit = 4 << 20).await;
    let huge = "x".repeat(1 << 20);
    let res = app.login_response(ADMIN_USERNAME, &huge).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.bytes().await.unwrap(), wrong_body);
}

async fn me_needs_a_valid_token(b: Backend) {
    let app = spawn(b).await;
    let res = app.get("/api/auth/me", None).await;
    assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
    let body = json_of(res, StatusCode::UNAUTHORIZED).await;
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("Authentication required"));
    json_of(app.get_me("garbage").await, StatusCode::UNAUTHORIZED).await;
    let token = app.admin_token().await;
    let me = json_of(app.get_me(&token).await, StatusCode::OK).await;
    assert_eq!(me["user"]["username"], "admin");
    // Basic auth or another scheme is not a bearer token.
    let res = app
        .client
        .get(app.url("/api/auth/me"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

async fn forged_and_expired_tokens_are_refused(b: Backend) {
    use jsonwebtoken::{encode, EncodingKey, Header};
    use secrecy::ExposeSecret;
    let app = spawn(b).await;
    let good = app.admin_token().await;
    let claims: serde_json::Value = {
        use base64::Engine;
        let payload = good.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    let now = chrono::Utc::now().timestamp();
    let secret = app.state.settings.jwt_secret.expose_secret().to_owned();
    let sign = |c: &serde_json::Value, key: &str| {
        encode(
            &Header::default(),
            c,
            &EncodingKey::from_secret(key.as_bytes()),
        )
        .unwrap()
    };
    let mut expired = claims.clone();
    expired["iat"] = json!(now - 3600);
    expired["exp"] = json!(now - 1800);
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut wrong_iss = claims.clone();
    wrong_iss["iss"] = json!("someone-else");
    let mut other_user = claims.clone();
    other_user["sub"] = json!("999");
    let none_alg = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&claims.to_string())
    );
    let mut parts: Vec<&str> = good.split('.').collect();
    let tampered_payload = {
        let mut c = claims.clone();
        c["sub"] = json!("2");
        b64(&c.to_string())
    };
    parts[1] = &tampered_payload;
    let tampered = parts.join(".");
    let hs512 = encode(
        &Header::new(jsonwebtoken::Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    let cases = [
        ("expired", sign(&expired, &secret)),
        ("foreign key", sign(&claims, &"k".repeat(40))),
        ("wrong audience", sign(&wrong_aud, &secret)),
        ("wrong issuer", sign(&wrong_iss, &secret)),
        ("unknown user", sign(&other_user, &secret)),
        ("alg none", none_alg),
        ("tampered", tampered),
        ("HS512", hs512),
    ];
    for (what, token) in cases {
        let res = app.get_me(&token).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{what} token was accepted"
        );
    }
    // The genuine token, re-signed by us with the real key, still works.
    json_of(app.get_me(&sign(&claims, &secret)).await, StatusCode::OK).await;
}

async fn refresh_rotates_and_reuse_ends_the_session(b: Backend) {
    let app = spawn(b).await;
    let first = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let r1 = first["refreshToken"].as_str().unwrap();
    let second = json_of(
        app.refresh(&json!({"refreshToken": r1})).await,
        StatusCode::OK,
    )
    .await;
    let r2 = second["refreshToken"].as_str().unwrap();
    let a2 = second["accessToken"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(second["tokenType"], "Bearer");
    json_of(app.get_me(a2).await, StatusCode::OK).await;
    // Presenting r1 again: refused, and the whole session ends.
    let reuse = json_of(
        app.refresh(&json!({"refreshToken": r1})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(reuse["error"].as_str().unwrap().contains("already used"));
    json_of(
        app.refresh(&json!({"refreshToken": r2})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    json_of(app.get_me(a2).await, StatusCode::UNAUTHORIZED).await;
    // Another session of the same user is untouched.
    app.admin_token().await;
    // Garbage and missing tokens.
    json_of(
        app.refresh(&json!({"refreshToken": "nope"})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    json_of(app.refresh(&json!({})).await, StatusCode::BAD_REQUEST).await;
}

async fn logout_ends_the_session(b: Backend) {
    let app = spawn(b).await;
    let s = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let access = s["accessToken"].as_str().unwrap();
    let other = app.admin_token().await;
    let res = app.logout(access).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_session_ended(&app, &s).await;
    json_of(app.get_me(&other).await, StatusCode::OK).await;
    json_of(
        app.post("/api/auth/logout", &json!({}), None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn update_me_changes_only_profile_fields(b: Backend) {
    let app = spawn(b).await;
    let token = app.admin_token().await;
    let body = json_of(
        app.update_me(
            &token,
            &json!({"name": "  Ada Admin ", "email": "Ada@Example.com"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["user"]["name"], "Ada Admin");
    assert_eq!(body["user"]["email"], "ada@example.com");
    for (field, value) in [
        ("role", json!("user")),
        ("permissions", json!([1])),
        ("companyId", json!(1)),
        ("isActive", json!(false)),
        ("passwordHash", json!("x")),
        ("id", json!(5)),
        ("createdAt", json!("2020-01-01T00:00:00Z")),
        ("somethingElse", json!(1)),
    ] {
        let res = app
            .update_me(&token, &json!({"name": "Changed", field: value}))
            .await;
        let err = json_of(res, StatusCode::BAD_REQUEST).await;
        assert!(err["details"][field].is_array(), "{field}: {err}");
    }
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"email": "not-an-email"}), "email"),
        (json!({"name": 5}), "name"),
    ] {
        let res = app.update_me(&token, &body).await;
        let err = json_of(res, StatusCode::BAD_REQUEST).await;
        assert!(err["error"].is_string(), "{err}");
        if field != "name" || body["name"].is_string() {
            assert!(err["details"][field].is_array(), "{err}");
        }
    }
    // Nothing above changed anything.
    let me = json_of(app.get_me(&token).await, StatusCode::OK).await;
    assert_eq!(me["user"]["name"], "Ada Admin");
    assert_eq!(me["user"]["role"], "super_admin");
    assert_eq!(me["user"]["isActive"], true);
    // Null removes the e-mail address.
    let body = json_of(
        app.update_me(&token, &json!({"email": null})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["user"]["email"], serde_json::Value::Null);
}

async fn update_me_conflicting_email_is_409(b: Backend) {
    let app = spawn(b).await;
    app.create_operator("second", Some("Sec0nd-Passw0rd!"))
        .await;
    let token = app.admin_token().await;
    let err = json_of(
        app.update_me(&token, &json!({"email": "second@example.com"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("Email"));
}

async fn change_password_rules(b: Backend) {
    let app = spawn(b).await;
    let a = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let other = app.login_ok(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let token = a["accessToken"].as_str().unwrap();
    let change = |current: &str, new: &str| json!({"currentPassword": current, "newPassword": new});
    let err = json_of(
        app.change_password(token, &change("wrong-password", "N3w-Passw0rd!x"))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["details"]["currentPassword"].is_array());
    for weak in [
        "short",
        "password123",
        "x".repeat(129).as_str(),
        ADMIN_PASSWORD,
    ] {
        let err = json_of(
            app.change_password(token, &change(ADMIN_PASSWORD, weak))
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(err["details"]["newPassword"].is_array(), "{weak}: {err}");
    }
    let ok = json_of(
        app.change_password(token, &change(ADMIN_PASSWORD, "N3w-Passw0rd!x"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["message"], "Password changed");
    // This session goes on; the other one has ended; the old password is gone.
    json_of(app.get_me(token).await, StatusCode::OK).await;
    assert_session_ended(&app, &other).await;
    assert_eq!(
        app.login_response(ADMIN_USERNAME, ADMIN_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.login_ok(ADMIN_USERNAME, "N3w-Passw0rd!x").await;
}

async fn first_login_tokens_are_limited(b: Backend) {
    let app = spawn(b).await;
    let (_, generated) = app.create_operator("fresh", None).await;
    assert!(generated.len() >= 12);
    let s = app.login_ok("fresh", &generated).await;
    assert_eq!(s["mustChangePassword"], true);
    let token = s["accessToken"].as_str().unwrap();
    let me = json_of(app.get_me(token).await, StatusCode::OK).await;
    assert_eq!(me["user"]["mustChangePassword"], true);
    let err = json_of(app.list_permissions(token).await, StatusCode::FORBIDDEN).await;
    assert!(err["error"].as_str().unwrap().contains("change-password"));
    json_of(
        app.change_password(
            token,
            &json!({"currentPassword": generated, "newPassword": "Fr3sh-Passw0rd!"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // The same token is now good everywhere.
    let cat = json_of(app.list_permissions(token).await, StatusCode::OK).await;
    assert_eq!(cat["permissions"].as_array().unwrap().len(), 20);
    assert_eq!(
        cat["permissions"][0],
        json!({"id": 1, "name": "View Users", "description": "Can view user information"})
    );
    let again = app.login_ok("fresh", "Fr3sh-Passw0rd!").await;
    assert_eq!(again["mustChangePassword"], false);
}

async fn deactivated_users_are_locked_out_at_once(b: Backend) {
    let app = spawn(b).await;
    let (id, pw) = app
        .create_operator("leaver", Some("Le4ver-Passw0rd!"))
        .await;
    let s = app.login_ok("leaver", &pw).await;
    let token = s["accessToken"].as_str().unwrap();
    json_of(app.get_me(token).await, StatusCode::OK).await;
    app.exec_sql(&format!(
        "UPDATE users SET is_active = FALSE WHERE id = {id}"
    ))
    .await;
    assert_session_ended(&app, &s).await;
    let err = json_of(
        app.login_response("leaver", &pw).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(err["error"], "This account is deactivated");
    // A wrong password for a deactivated user says nothing about its state.
    json_of(
        app.login_response("leaver", "wrong-password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

async fn client_login_refuses_operator_staff(b: Backend) {
    let app = spawn(b).await;
    let staff = app
        .client_login(&json!({"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}))
        .await;
    assert_eq!(staff.status(), StatusCode::UNAUTHORIZED);
    let staff_body = staff.bytes().await.unwrap();
    let wrong = app
        .client_login(&json!({"username": ADMIN_USERNAME, "password": "wrong-password"}))
        .await;
    assert_eq!(wrong.bytes().await.unwrap(), staff_body);
}

async fn bootstrap_admin_with_generated_password(b: Backend) {
    let app = spawn_with(b, |s| {
        s.admin_password = None;
        s.admin_email = None;
    })
    .await;
    let pw = app
        .bootstrap_password
        .clone()
        .expect("a generated password");
    assert!(pw.len() >= 12);
    let s = app.login_ok("admin", &pw).await;
    assert_eq!(s["mustChangePassword"], true);
    assert_eq!(s["user"]["role"], "super_admin");
}

async fn bootstrap_runs_only_once(b: Backend) {
    let app = spawn(b).await;
    assert!(
        app.bootstrap_password.is_none(),
        "the configured password is not generated"
    );
    // A second start on the same database creates nobody.
    let mut settings =
        clientele::config::Settings::for_tests(app.database_url.clone(), std::env::temp_dir());
    settings.admin_password = None;
    let again = clientele::startup::Application::build(settings)
        .await
        .unwrap();
    assert!(again.bootstrap_password.is_none());
}

async fn activity_log_records_logins_and_changes(b: Backend) {
    let app = spawn(b).await;
    let _ = app.login_response(ADMIN_USERNAME, "wrong-password").await;
    let token = app.admin_token().await;
    app.update_me(&token, &json!({"name": "Renamed"})).await;
    app.change_password(
        &token,
        &json!({"currentPassword": ADMIN_PASSWORD, "newPassword": "N3w-Passw0rd!x"}),
    )
    .await;
    let rows = activity_rows(&app).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        ["login_failed", "login", "update", "change_password"]
    );
    assert_eq!(
        rows[2].1.as_deref(),
        Some(r#"{"name":{"from":"Administrator","to":"Renamed"}}"#)
    );
    let all = format!("{rows:?}");
    assert!(
        !all.contains("N3w-Passw0rd") && !all.contains(ADMIN_PASSWORD) && !all.contains("argon2")
    );
    assert!(all.contains("[redacted]"));
}

pub async fn activity_rows(app: &TestApp) -> Vec<(String, Option<String>)> {
    use sqlx::Connection;
    let sql = "SELECT action, changes FROM activity_log ORDER BY id";
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
    }
}

/// Everything a login writes, in one go: the user's and its client's last
/// login, a session whose refresh token works, the `login` entry, and a new
/// hash when the stored one was made with other parameters.
async fn a_login_records_its_bookkeeping_and_rehashes_an_old_hash(b: Backend) {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (client_id, _, created) = app.client(&sa, "Bookkeeping Co").await;
    let username = created["credentials"]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let password = created["credentials"]["password"]
        .as_str()
        .unwrap()
        .to_owned();
    // The stored hash was made with other (older) parameters.
    let old = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(32, 2, 1, None).unwrap(),
    )
    .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
    .unwrap()
    .to_string();
    app.exec_sql(&format!(
        "UPDATE users SET password_hash = '{old}' WHERE username = '{username}'"
    ))
    .await;
    let session = app.login_ok(&username, &password).await;
    let hash = app
        .fetch_text(&format!(
            "SELECT password_hash FROM users WHERE username = '{username}'"
        ))
        .await;
    assert_ne!(hash, old);
    assert!(hash.contains("m=64,t=1,p=1"), "{hash}");
    // The old password still opens the account, through the new hash.
    app.login_ok(&username, &password).await;
    assert!(session["user"]["lastLogin"].is_string());
    let client = json_of(app.get_client(&sa, client_id).await, StatusCode::OK).await;
    assert!(client["client"]["lastLogin"].is_string(), "{client}");
    let refreshed = app
        .refresh(&json!({"refreshToken": session["refreshToken"]}))
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let entries = json_of(
        app.list_activity(&sa, &format!("action=login&companyId={client_id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(entries["pagination"]["total"], json!(2), "{entries}");
}

/// On PostgreSQL a login's updates (the user's and its client's last login, a
/// rehash) change no indexed column and find room on the row's page, so they
/// are heap-only: no entry in any index (decision 0015). An index over one of
/// those columns would bring back an entry in every index of the table per login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_writes_no_index_entries_on_postgres() {
    if !postgres_available("auth::a_login_writes_no_index_entries_on_postgres") {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let indexed = app
        .fetch_text(
            "SELECT COALESCE(string_agg(indexrelid::regclass::text, ', '), '') FROM pg_index \
             WHERE indrelid IN ('users'::regclass, 'clients'::regclass) \
             AND pg_get_indexdef(indexrelid) ~ '(last_login|password_hash)'",
        )
        .await;
    assert_eq!(indexed, "", "indexes over a column a login writes");
    for table in ["users", "clients"] {
        let options = app
            .fetch_text(&format!(
                "SELECT COALESCE(array_to_string(reloptions, ','), '') FROM pg_class \
                 WHERE oid = '{table}'::regclass"
            ))
            .await;
        assert!(options.contains("fillfactor=90"), "{table}: {options}");
    }
    // Sorting by last login still works without the index.
    let sa = app.admin_token().await;
    let (_, _, created) = app.client(&sa, "Sorted Co").await;
    let username = created["credentials"]["username"].as_str().unwrap();
    app.login_ok(
        username,
        created["credentials"]["password"].as_str().unwrap(),
    )
    .await;
    let page = json_of(
        app.list_users(&sa, "sort=-lastLogin&limit=2").await,
        StatusCode::OK,
    )
    .await;
    let first = page["users"][0]["username"].as_str().unwrap_or_default();
    assert_eq!(first, username, "{page}");
}
