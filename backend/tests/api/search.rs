//! The users list: search, filters, sorts and pages, its capped totals, and
//! a page that reads back exactly as written. (The clients list: `clients`.)

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const UM: &str = "/api/users-management";

on_both_stores!(
    the_search_index_is_merged_in_steps_and_finds_the_same_users,
    list_searches_filters_sorts_and_pages,
    search_totals_stop_at_a_thousand,
    search_pages_agree_whether_matches_are_new_or_old,
    a_listed_user_reads_back_exactly_as_written,
);

/// A search counts its matches up to 1,000 and then says "at least"; whether
/// more follow is always exact. A long term is looked up by a part of it and
/// checked whole.
async fn search_totals_stop_at_a_thousand(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (company, _, _) = app.client(&sa, "Capped Co").await;
    // 1,100 users straight into the table: creating them one by one would
    // hash 1,100 passwords.
    let seq = match b {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)"
        }
        Backend::Postgres => "WITH n(i) AS (SELECT generate_series(1, 1100))",
    };
    app.exec_sql(&format!(
        "{seq} INSERT INTO users (company_id, name, username, email, role, permissions, \
         password_hash, is_active, must_change_password, created_at, updated_at) \
         SELECT {company}, 'Capped Person ' || i, 'capped' || i, 'capped' || i || '@cap.example', \
         'user', 0, 'x', TRUE, FALSE, 1700000000000 + i, 1700000000000 + i FROM n"
    ))
    .await;
    let get = |q: &str| {
        let q = q.to_owned();
        let (app, sa) = (&app, &sa);
        async move { json_of(app.list_users(sa, &q).await, StatusCode::OK).await }
    };
    let first = get("search=capped&limit=50").await;
    assert_eq!(first["users"].as_array().unwrap().len(), 50);
    assert_eq!(first["users"][0]["username"], "capped1100");
    assert_eq!(
        first["pagination"],
        json!({"total": 1000, "limit": 50, "offset": 0, "hasMore": true, "totalExact": false})
    );
    // Past the cap the total grows with what has been seen.
    let past = get("search=capped&limit=50&offset=1000").await;
    assert_eq!(past["users"][0]["username"], "capped100");
    assert_eq!(
        past["pagination"],
        json!({"total": 1051, "limit": 50, "offset": 1000, "hasMore": true, "totalExact": false})
    );
    // The last page knows the exact total (the client's owner matches too).
    let last = get("search=capped&limit=50&offset=1080").await;
    assert_eq!(last["users"].as_array().unwrap().len(), 21);
    assert_eq!(
        last["pagination"],
        json!({"total": 1101, "limit": 50, "offset": 1080, "hasMore": false, "totalExact": true})
    );
    // The same in one company (served by its own index) and oldest first.
    let oldest = get(&format!(
        "companyId={company}&search=CAPPED&sort=createdAt&limit=10"
    ))
    .await;
    assert!(oldest["users"][0]["username"]
        .as_str()
        .unwrap()
        .starts_with("cappedco"));
    assert_eq!(oldest["users"][1]["username"], "capped1");
    assert_eq!(oldest["pagination"]["totalExact"], false);
    // Filters without a search are counted exactly (the owner is one more).
    let all = get(&format!("companyId={company}&limit=10")).await;
    assert_eq!(
        all["pagination"],
        json!({"total": 1101, "limit": 10, "offset": 0, "hasMore": true, "totalExact": true})
    );
    // A long term: found by its digits, then checked whole, in any field.
    for (term, expected) in [
        ("capped1099%40cap.example", vec!["capped1099"]),
        ("capped1099%40elsewhere", vec![]),
        ("person%201099", vec!["capped1099"]),
        // Looked up where a number ends its word (`d109@` on PostgreSQL, the
        // window itself is checked in the unit tests): nothing is lost, and
        // nothing is found that only the window matches.
        ("d109%40cap", vec!["capped109"]),
        ("capped109.", vec![]),
        (
            "Person%2010",
            vec!["capped1099", "capped1098", "capped1097"],
        ),
    ] {
        let found = get(&format!("search={term}&limit=3")).await;
        let names: Vec<&str> = found["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{term}");
    }
}

async fn list_searches_filters_sorts_and_pages(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "List A").await;
    let (b_id, _, _) = app.client(&sa, "List B").await;
    let mk = |name: &str, u: &str, email: &str, company: i64, perms: Value, active: bool| {
        json!({"name": name, "username": u, "password": INITIAL_PASSWORD, "email": email,
               "companyId": company, "permissions": perms, "isActive": active})
    };
    for body in [
        mk("Zara Khan", "zkh", "zara@shop.in", a, json!([1]), true),
        mk(
            "arjun Mehta",
            "arjun.m",
            "am@shop.in",
            a,
            json!([1, 2]),
            true,
        ),
        mk(
            "Priya 100% Sharma",
            "priya_s",
            "ps@other.in",
            b_id,
            json!([]),
            false,
        ),
        mk("Émile Zola", "ezola", "ez@shop.in", b_id, json!([3]), true),
    ] {
        json_of(app.create_user(&sa, &body).await, StatusCode::CREATED).await;
    }
    let names = |v: &Value| -> Vec<String> {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |q: String| {
        let app = &app;
        let sa = sa.clone();
        async move { json_of(app.list_users(&sa, &q).await, StatusCode::OK).await }
    };
    // Search: part of the name, username or e-mail; any case; wildcards literal.
    assert_eq!(names(&get("search=ARJUN".into()).await), vec!["arjun.m"]);
    assert_eq!(names(&get("search=zkh".into()).await), vec!["zkh"]);
    assert_eq!(names(&get("search=other.in".into()).await), vec!["priya_s"]);
    assert_eq!(names(&get("search=100%25".into()).await), vec!["priya_s"]);
    // A long term looked up by a number and the wildcard that ends its word.
    assert_eq!(
        names(&get("search=ya%20100%25%20sh".into()).await),
        vec!["priya_s"]
    );
    assert_eq!(names(&get("search=_s".into()).await), vec!["priya_s"]);
    // Long terms without a number, looked up on PostgreSQL by their words'
    // three-character parts: only the whole term answers, never a row holding
    // just those parts, and wildcards stay literal.
    assert_eq!(
        names(&get("search=Arjun%20MEHTA".into()).await),
        vec!["arjun.m"]
    );
    assert_eq!(names(&get("search=sharma".into()).await), vec!["priya_s"]);
    assert_eq!(names(&get("search=Priya_S".into()).await), vec!["priya_s"]);
    for only_the_letters in [
        "mehta%20arjun",
        "zara.khan",
        "shaxrma",
        "arjun%20mehtab",
        "priya%25s",
        "priya__",
    ] {
        assert_eq!(
            names(&get(format!("search={only_the_letters}")).await),
            Vec::<String>::new(),
            "{only_the_letters}"
        );
    }
    assert_eq!(
        get("search=nobody-here".into()).await["pagination"]["total"],
        0
    );
    // Filters.
    assert_eq!(
        get(format!("companyId={b_id}&sort=username")).await["users"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        names(&get(format!("companyId={a}&role=user&sort=username")).await),
        vec!["arjun.m", "zkh"]
    );
    assert_eq!(names(&get("isActive=false".into()).await), vec!["priya_s"]);
    assert_eq!(
        names(&get("permission=2&role=user".into()).await),
        vec!["arjun.m"]
    );
    let admins = get("permission=60".into()).await;
    assert_eq!(names(&admins), vec!["admin"]);
    assert_eq!(names(&get("role=super_admin".into()).await), vec!["admin"]);
    // Sorts.
    let by_name = names(&get("role=user&sort=name".into()).await);
    assert_eq!(by_name, vec!["arjun.m", "priya_s", "zkh", "ezola"]);
    let by_name_desc = names(&get("role=user&sort=-name".into()).await);
    assert_eq!(by_name_desc, vec!["ezola", "zkh", "priya_s", "arjun.m"]);
    assert_eq!(
        names(&get("role=user&sort=username".into()).await),
        vec!["arjun.m", "ezola", "priya_s", "zkh"]
    );
    assert_eq!(
        names(&get("role=user&sort=createdAt".into()).await),
        vec!["zkh", "arjun.m", "priya_s", "ezola"]
    );
    assert_eq!(
        names(&get("role=user".into()).await),
        vec!["ezola", "priya_s", "arjun.m", "zkh"]
    );
    app.login_ok("zkh", INITIAL_PASSWORD).await;
    assert_eq!(
        names(&get("role=user&sort=-lastLogin".into()).await)[0],
        "zkh"
    );
    assert_eq!(
        names(&get("role=user&sort=lastLogin".into()).await)[0],
        "zkh"
    );
    // Pages.
    let p1 = get("role=user&sort=username&limit=3".into()).await;
    let p2 = get("role=user&sort=username&limit=3&offset=3".into()).await;
    assert_eq!(names(&p1), vec!["arjun.m", "ezola", "priya_s"]);
    assert_eq!(
        p1["pagination"],
        json!({"total": 4, "limit": 3, "offset": 0, "hasMore": true, "totalExact": true})
    );
    assert_eq!(names(&p2), vec!["zkh"]);
    assert_eq!(p2["pagination"]["hasMore"], false);
    // The search index follows changes.
    let zid = get("search=zara".into()).await["users"][0]["id"]
        .as_i64()
        .unwrap();
    json_of(
        app.update_user(&sa, zid, &json!({"name": "Zainab Khan"}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        get("search=zara%20khan".into()).await["pagination"]["total"],
        0
    );
    assert_eq!(names(&get("search=zainab".into()).await), vec!["zkh"]);
    // Totals of full pages are counted (and remembered briefly): a change shows at once.
    let total = get("limit=1".into()).await["pagination"]["total"]
        .as_i64()
        .unwrap();
    assert_eq!(get("limit=1".into()).await["pagination"]["total"], total);
    json_of(
        app.create_user(
            &sa,
            &mk("Newest", "newest", "n@shop.in", a, json!([]), true),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        get("limit=1".into()).await["pagination"]["total"],
        total + 1
    );
    json_of(
        app.update_user(&sa, zid, &json!({"isActive": false})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        get("limit=1&isActive=false".into()).await["pagination"]["total"],
        2
    );
}

/// A search fills its page from the newest users when the term is common, and
/// from the index when the matches are older than the first few thousand; the
/// answers must be the same either way.
async fn search_pages_agree_whether_matches_are_new_or_old(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    app.exec_sql(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 6000) \
         INSERT INTO users (company_id, name, username, email, role, permissions, password_hash, \
         is_active, must_change_password, created_at, updated_at) \
         SELECT NULL, CASE WHEN i <= 60 THEN 'Needle ' || i WHEN i % 10 = 0 THEN 'Common ' || i \
         ELSE 'Other ' || i END, 'seed' || i, NULL, 'admin', 0, 'x', TRUE, FALSE, i, i FROM seq",
    )
    .await;
    let ids = |v: &Value| -> Vec<String> {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |q: &str| {
        let app = &app;
        let sa = sa.clone();
        let q = q.to_owned();
        async move { json_of(app.list_users(&sa, &q).await, StatusCode::OK).await }
    };
    // Matches only among the oldest 60: the index answers.
    let old = get("search=needle&limit=50").await;
    let expected: Vec<String> = (11..=60).rev().map(|i| format!("seed{i}")).collect();
    assert_eq!(ids(&old), expected);
    assert_eq!(old["pagination"]["total"], 60);
    let rest = get("search=needle&limit=50&offset=50").await;
    assert_eq!(
        ids(&rest),
        (1..=10)
            .rev()
            .map(|i| format!("seed{i}"))
            .collect::<Vec<_>>()
    );
    // Common matches: the newest users answer, in the same order the index would give.
    let common = get("search=common&limit=50&offset=100").await;
    let expected: Vec<String> = (0..50)
        .map(|k| format!("seed{}", 6000 - 10 * (100 + k)))
        .collect();
    assert_eq!(ids(&common), expected);
    assert_eq!(common["pagination"]["total"], 594);
    let by_name = get("search=COMMON&limit=3&sort=name").await;
    assert_eq!(ids(&by_name), vec!["seed100", "seed1000", "seed1010"]);
}

/// Every field of a user comes back from a list as it was written, quotes,
/// backslashes, accents and emoji included (SQLite reads a page as one JSON
/// array: decision 0014), and a list's page equals the user's own record.
async fn a_listed_user_reads_back_exactly_as_written(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (company, _, _) = app.client(&sa, "Exact Co").await;
    let name = "Zoë \"Q\" O'Brien \\ 𝄞 😀";
    let created = json_of(
        app.create_user(
            &sa,
            &json!({"name": name, "username": "zoe.exact", "email": "zoe@exact.example",
                    "password": "secure_password", "companyId": company, "isActive": false,
                    "permissions": [1, 20, 40]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created["user"]["id"].as_i64().unwrap();
    let own = json_of(app.get_user(&sa, id).await, StatusCode::OK).await;
    for query in [
        "search=O%27Brien",
        "search=zoe%40exact",
        "isActive=false&limit=5",
    ] {
        let page = json_of(app.list_users(&sa, query).await, StatusCode::OK).await;
        let listed = page["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap_or_else(|| panic!("{query}: {page}"))
            .clone();
        assert_eq!(listed, own["user"], "{query}");
        assert_eq!(listed["name"], name);
        assert_eq!(listed["isActive"], false);
        assert_eq!(listed["mustChangePassword"], true);
    }
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
    let store = &app.state.store.search;
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
