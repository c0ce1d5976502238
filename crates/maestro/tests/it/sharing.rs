//! Grants: for every kind and every operation, a user with no grant, read, write or admin —
//! directly or through a team — is allowed exactly what the role says.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::backends;
use crate::harness::{TestApp, User, id};

backends!(
    grant_matrix_for_every_kind,
    grants_are_validated_and_recorded,
    unreadable_entities_never_appear_as_related,
    linking_to_an_entity_that_shows_the_link_needs_write_on_it,
    sharing_with_a_team_takes_belonging_to_it
);

/// A minimal valid body for each collection (`dc` is a datacenter id for connections).
fn body(collection: &str, n: usize, dc: &str) -> Value {
    let name = format!("{collection}-{n}");
    match collection {
        "resources" => {
            json!({"name": name, "family": "Cache", "tags": [{"key": "matrix", "value": "yes"}]})
        }
        "datacenters" => json!({"name": format!("dc-{n}"), "provider": "AWS"}),
        "volumes" => json!({"name": name, "size": 10, "unique_id": format!("vol-{n}")}),
        "networks" => json!({"name": name, "family": "Vpc"}),
        "connections" => {
            json!({"name": name, "provider": "aws", "datacenter": dc, "endpoint_url": "http://127.0.0.1:9",
            "regions": ["us-east-1"], "credentials": {"access_key_id": "x", "secret_access_key": "y"}})
        }
        "snapshots" | "flavors" | "systems" | "clients" => {
            json!({"name": format!("{}-{n}", &collection[..4])})
        }
        _ => json!({"name": name}),
    }
}

const COLLECTIONS: &[&str] = &[
    "servers",
    "applications",
    "databases",
    "loadbalancers",
    "resources",
    "systems",
    "clients",
    "datacenters",
    "volumes",
    "snapshots",
    "images",
    "networks",
    "flavors",
    "connections",
];

#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
enum Level {
    None,
    Read,
    Write,
    Admin,
}

async fn check(app: &TestApp, who: &User, level: Level, coll: &str, eid: &str, name: &str) {
    let path = format!("/api/v1/{coll}/{eid}");
    let ctx = format!("{coll} as {level:?}");
    let read = level >= Level::Read;
    let hidden = if read {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    assert_eq!(app.get(&who.token, &path).await.0, hidden, "get {ctx}");
    for sub in ["history", "relations", "grants"] {
        assert_eq!(
            app.get(&who.token, &format!("{path}/{sub}")).await.0,
            hidden,
            "{sub} {ctx}"
        );
    }
    let (_, list) = app
        .get(&who.token, &format!("/api/v1/{coll}?limit=500"))
        .await;
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == eid);
    assert_eq!(listed, read, "list {ctx}");
    let (_, found) = app
        .get(&who.token, &format!("/api/v1/{coll}?q={name}"))
        .await;
    assert_eq!(found["total"] == 1, read, "search {ctx}: {found}");
    let (_, filtered) = app
        .get(&who.token, &format!("/api/v1/{coll}?name={name}"))
        .await;
    assert_eq!(filtered["total"] == 1, read, "filter {ctx}");
    // Patch: a harmless change of tags.
    let expected = match level {
        Level::None => StatusCode::NOT_FOUND,
        Level::Read => StatusCode::FORBIDDEN,
        _ => StatusCode::OK,
    };
    let (status, body) = app
        .patch(
            &who.token,
            &path,
            json!({"tags": [{"key": "touched", "value": format!("{level:?}")}]}),
        )
        .await;
    assert_eq!(status, expected, "patch {ctx}: {body}");
    let grants_expected = match level {
        Level::None => StatusCode::NOT_FOUND,
        Level::Read | Level::Write => StatusCode::FORBIDDEN,
        Level::Admin => StatusCode::OK,
    };
    let (current, _) = app.get(&who.token, &format!("{path}/grants")).await;
    let put = app
        .call(
            reqwest::Method::PUT,
            &format!("{path}/grants"),
            Some(&who.token),
            Some(&json!({"grants": []})),
        )
        .await;
    assert_eq!(put.0, grants_expected, "put grants {ctx}: {}", put.1);
    let _ = current;
}

async fn grant_matrix_for_every_kind(app: &TestApp) {
    let _admin = app.user("Root").await;
    let owner = app.user("Owner").await;
    let users = [
        app.user("Nobody").await,
        app.user("Reader").await,
        app.user("Writer").await,
        app.user("Boss").await,
    ];
    let via_team = app.user("Member").await;
    let (_, team) = app
        .post(&owner.token, "/api/v1/teams", json!({"name": "Matrix"}))
        .await;
    let tid = id(&team);
    // The member has write in the team; the team gets write on each entity → write.
    app.post(
        &owner.token,
        &format!("/api/v1/teams/{tid}/members"),
        json!({"user": via_team.id, "role": "write"}),
    )
    .await;
    let (_, dc) = app
        .post(
            &owner.token,
            "/api/v1/datacenters",
            json!({"name": "dc-base", "provider": "AWS"}),
        )
        .await;
    let dc = id(&dc);
    for (n, coll) in COLLECTIONS.iter().enumerate() {
        let entity = app.create(&owner.token, coll, body(coll, n, &dc)).await;
        let eid = id(&entity);
        let name = entity["name"].as_str().unwrap().to_owned();
        let grants = json!({"grants": [
            {"user": users[1].id, "role": "read"},
            {"user": users[2].id, "role": "write"},
            {"user": users[3].id, "role": "admin"},
            {"team": tid, "role": "write"},
        ]});
        let (status, g) = app
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/{coll}/{eid}/grants"),
                Some(&owner.token),
                Some(&grants),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{g}");
        assert_eq!(g["grants"].as_array().unwrap().len(), 4);
        for (user, level) in users.iter().zip([Level::None, Level::Read, Level::Write]) {
            check(app, user, level, coll, &eid, &name).await;
        }
        check(app, &via_team, Level::Write, coll, &eid, &name).await;
        // The admin grantee's PUT (last, it empties the grants) is allowed.
        check(app, &users[3], Level::Admin, coll, &eid, &name).await;
        // Grants are gone now: the former reader sees nothing; the owner still has admin.
        assert_eq!(
            app.get(&users[1].token, &format!("/api/v1/{coll}/{eid}"))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.delete(&owner.token, &format!("/api/v1/{coll}/{eid}"))
                .await
                .0,
            StatusCode::NO_CONTENT,
            "{coll}"
        );
    }
}

async fn grants_are_validated_and_recorded(app: &TestApp) {
    let _admin = app.user("Root").await;
    let owner = app.user("Owner").await;
    let friend = app.user("Friend").await;
    let member = app.user("Member").await;
    let s = app
        .create(&owner.token, "servers", json!({"name": "shared"}))
        .await;
    let path = format!("/api/v1/servers/{}/grants", id(&s));
    let put = |token: String, body: Value| {
        let path = path.clone();
        async move {
            app.call(reqwest::Method::PUT, &path, Some(&token), Some(&body))
                .await
        }
    };
    let bad = json!({"grants": [
        {"user": "not-an-id", "role": "read"},
        {"user": friend.id, "role": "owner"},
        {"user": friend.id, "team": friend.id, "role": "read"},
        {"user": "01a21c27-b045-72bc-b9cf-3aab55a0b0aa", "role": "read"},
    ]});
    let (status, body) = put(owner.token.clone(), bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"].as_array().unwrap().len(), 4, "{body}");
    let (status, _) = put(owner.token.clone(), json!({"grants": [{"user": friend.id, "role": "read"}, {"user": friend.id, "role": "write"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A grant naming the owner is accepted and changes nothing.
    let (status, g) = put(owner.token.clone(), json!({"grants": [{"user": owner.id, "role": "read"}, {"user": friend.id, "role": "read"}]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(g["owner"]["id"], owner.id);
    assert_eq!(
        g["grants"],
        json!([{"user": friend.id, "name": "Friend", "role": "read"}])
    );
    assert_eq!(
        app.patch(
            &owner.token,
            &format!("/api/v1/servers/{}", id(&s)),
            json!({"cpu": 1})
        )
        .await
        .0,
        StatusCode::OK
    );
    // A team with read membership for the member, write grant: the member gets read only.
    let (_, team) = app
        .post(&owner.token, "/api/v1/teams", json!({"name": "Ops"}))
        .await;
    app.post(
        &owner.token,
        &format!("/api/v1/teams/{}/members", id(&team)),
        json!({"user": member.id, "role": "read"}),
    )
    .await;
    put(
        owner.token.clone(),
        json!({"grants": [{"team": id(&team), "role": "write"}]}),
    )
    .await;
    assert_eq!(
        app.get(&member.token, &format!("/api/v1/servers/{}", id(&s)))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        app.patch(
            &member.token,
            &format!("/api/v1/servers/{}", id(&s)),
            json!({"cpu": 2})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, history) = app
        .get(&owner.token, &format!("/api/v1/servers/{}/history", id(&s)))
        .await;
    let grant_ops: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["op"] == "grant")
        .collect();
    assert_eq!(grant_ops.len(), 2);
    assert_eq!(
        grant_ops[0]["changes"][0]["new"],
        json!([{"team": id(&team), "name": "Ops", "role": "write"}])
    );
    // The services catalog is shared with everyone: no grants there.
    let (_, catalog) = app.get(&owner.token, "/api/v1/services?limit=1").await;
    let sid = catalog["items"][0]["id"].as_str().unwrap();
    let root = app.user("Catalog Admin").await; // not the first account: not an administrator
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/services/{sid}/grants"),
            Some(&root.token),
            Some(&json!({"grants": []})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn unreadable_entities_never_appear_as_related(app: &TestApp) {
    let _admin = app.user("Root").await;
    let owner = app.user("Owner").await;
    let viewer = app.user("Viewer").await;
    let secret_db = app
        .create(&owner.token, "databases", json!({"name": "secret-db"}))
        .await;
    let secret_srv = app
        .create(&owner.token, "servers", json!({"name": "secret-srv"}))
        .await;
    let web = app
        .create(
            &owner.token,
            "applications",
            json!({"name": "web", "deps": [{"id": id(&secret_db)}], "servers": [id(&secret_srv)]}),
        )
        .await;
    let wpath = format!("/api/v1/applications/{}", id(&web));
    app.call(
        reqwest::Method::PUT,
        &format!("{wpath}/grants"),
        Some(&owner.token),
        Some(&json!({"grants": [{"user": viewer.id, "role": "write"}]})),
    )
    .await;
    let (_, seen) = app.get(&viewer.token, &wpath).await;
    assert_eq!(seen["deps"], json!([]));
    assert_eq!(seen["servers"], json!([]));
    let (_, rel) = app.get(&viewer.token, &format!("{wpath}/relations")).await;
    assert_eq!(
        rel,
        json!({"outgoing": [], "incoming": [], "totals": {"outgoing": {}, "incoming": {}}})
    );
    // Nor as an id in the history: the creation names them "(hidden)" for the viewer only.
    let (_, history) = app.get(&viewer.token, &format!("{wpath}/history")).await;
    let text = history.to_string();
    assert!(
        !text.contains(&id(&secret_db)) && !text.contains(&id(&secret_srv)),
        "{text}"
    );
    assert!(text.contains("(hidden)"), "{text}");
    let (_, history) = app.get(&owner.token, &format!("{wpath}/history")).await;
    assert!(history.to_string().contains(&id(&secret_db)));
    // Editing what they can see keeps what they cannot.
    let extra = app
        .create(&viewer.token, "databases", json!({"name": "viewer-db"}))
        .await;
    let (status, after) = app
        .patch(
            &viewer.token,
            &wpath,
            json!({"deps": [{"id": id(&extra), "endpoint": "tcp/ip"}], "servers": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let (_, full) = app.get(&owner.token, &wpath).await;
    let deps: Vec<&str> = full["deps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(deps.len(), 1, "owner cannot see viewer-db: {full}");
    assert_eq!(deps[0], "secret-db");
    assert_eq!(full["servers"][0]["name"], "secret-srv");
    // The history records what the application became, not the viewer's part of it: `deps`
    // gained viewer-db beside secret-db, and `servers` (secret-srv kept) did not change.
    let (_, history) = app.get(&owner.token, &format!("{wpath}/history")).await;
    let update = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["op"] == "update")
        .unwrap_or_else(|| panic!("an update entry: {history}"));
    let changes = update["changes"].as_array().unwrap();
    let paths: Vec<&str> = changes.iter().filter_map(|c| c["path"].as_str()).collect();
    assert_eq!(paths, ["deps"], "{update}");
    assert!(
        changes[0]["old"].to_string().contains(&id(&secret_db)),
        "{update}"
    );
    let new = changes[0]["new"].to_string();
    assert!(new.contains(&id(&secret_db)), "{update}");
    assert!(
        !new.contains(&id(&extra)),
        "viewer-db is hidden from the owner: {update}"
    );
    assert!(new.contains("(hidden)"), "{update}");
    let (_, history) = app.get(&viewer.token, &format!("{wpath}/history")).await;
    let text = history.to_string();
    assert!(!text.contains(&id(&secret_db)), "{text}");
    assert!(text.contains(&id(&extra)), "{text}");
    // The viewer cannot reference what they cannot read.
    let (status, body) = app
        .patch(
            &viewer.token,
            &wpath,
            json!({"deps": [{"id": id(&secret_db)}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

async fn linking_to_an_entity_that_shows_the_link_needs_write_on_it(app: &TestApp) {
    let _admin = app.user("Root").await;
    let owner = app.user("Owner").await;
    let reader = app.user("Reader").await;
    let srv = app
        .create(&owner.token, "servers", json!({"name": "shared-srv"}))
        .await;
    let db = app
        .create(&owner.token, "databases", json!({"name": "shared-db"}))
        .await;
    let spath = format!("/api/v1/servers/{}", id(&srv));
    grant(app, &owner, &spath, &reader, "read").await;
    grant(
        app,
        &owner,
        &format!("/api/v1/databases/{}", id(&db)),
        &reader,
        "read",
    )
    .await;
    // The server's own `applications` would change: read is not enough, and nothing is created.
    let (status, problem) = app
        .post(
            &reader.token,
            "/api/v1/applications",
            json!({"name": "reader-app", "servers": [id(&srv)]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("applications of server shared-srv"),
        "{detail}"
    );
    let (_, apps) = app
        .get(&reader.token, "/api/v1/applications?name=reader-app")
        .await;
    assert_eq!(apps["total"], 0);
    let (_, history) = app.get(&owner.token, &format!("{spath}/history")).await;
    let ops: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["grant", "create"], "{history}");
    // A dependency shows only on the application: read on the database is enough.
    let created = app
        .create(
            &reader.token,
            "applications",
            json!({"name": "reader-app", "deps": [{"id": id(&db)}]}),
        )
        .await;
    let apath = format!("/api/v1/applications/{}", id(&created));
    // With write on the server the link is made, and unmade only with it.
    grant(app, &owner, &spath, &reader, "write").await;
    let (status, body) = app
        .patch(&reader.token, &apath, json!({"servers": [id(&srv)]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, server) = app.get(&reader.token, &spath).await;
    assert_eq!(server["applications"][0]["name"], "reader-app");
    grant(app, &owner, &spath, &reader, "read").await;
    let (status, _) = app
        .patch(&reader.token, &apath, json!({"servers": []}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, server) = app.get(&reader.token, &spath).await;
    assert_eq!(server["applications"][0]["name"], "reader-app");
}

/// `owner` gives `to` the `role` on the entity at `path` (its only grant).
async fn grant(app: &TestApp, owner: &User, path: &str, to: &User, role: &str) {
    let body = json!({"grants": [{"user": to.id, "role": role}]});
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &format!("{path}/grants"),
            Some(&owner.token),
            Some(&body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn sharing_with_a_team_takes_belonging_to_it(app: &TestApp) {
    let _admin = app.user("Root").await;
    let bob = app.user("Bob").await;
    let eve = app.user("Eve").await;
    let (_, team) = app
        .post(
            &eve.token,
            "/api/v1/teams",
            json!({"name": "Eve's secret team"}),
        )
        .await;
    let srv = app
        .create(&bob.token, "servers", json!({"name": "bob-srv"}))
        .await;
    let path = format!("/api/v1/servers/{}/grants", id(&srv));
    // A team Bob is not in answers as an unknown one: no name learnt, nothing shared.
    for team_id in [id(&team).to_owned(), uuid::Uuid::now_v7().to_string()] {
        let body = json!({"grants": [{"team": team_id, "role": "read"}]});
        let (status, problem) = app
            .call(reqwest::Method::PUT, &path, Some(&bob.token), Some(&body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(!problem.to_string().contains("secret team"), "{problem}");
        assert_eq!(
            problem["errors"][0]["message"],
            "no such team among yours (share with a team you belong to)"
        );
    }
    let (_, list) = app.get(&eve.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 0);
}
