//! Teams: membership and roles, team-owned entities, history of access changes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::backends;
use crate::harness::{TestApp, id};

backends!(team_lifecycle_and_membership, entities_owned_by_a_team);

async fn team_lifecycle_and_membership(app: &TestApp) {
    let _admin = app.user("Admin").await;
    let lead = app.user("Lead").await;
    let dev = app.user("Dev").await;
    let outsider = app.user("Outsider").await;
    let (status, team) = app.post(&lead.token, "/api/v1/teams", json!({"name": "Payments", "email": "pay@example.com", "url": "https://pay.example.com"})).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    assert_eq!(team["role"], "admin");
    let tid = id(&team);
    let path = format!("/api/v1/teams/{tid}");
    let (status, _) = app
        .post(
            &lead.token,
            "/api/v1/teams",
            json!({"name": "", "colour": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Outsiders do not learn the team exists.
    assert_eq!(
        app.get(&outsider.token, &path).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = app.get(&outsider.token, "/api/v1/teams").await;
    assert_eq!(list["total"], 0);

    let (status, m) = app
        .post(
            &lead.token,
            &format!("{path}/members"),
            json!({"user": dev.id, "role": "read"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let (status, _) = app
        .post(
            &lead.token,
            &format!("{path}/members"),
            json!({"user": "nope", "role": "boss"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, got) = app.get(&dev.token, &path).await;
    assert_eq!(got["role"], "read");
    assert_eq!(got["members"].as_array().unwrap().len(), 2);
    // The members list pages like every list.
    let (_, page2) = app
        .get(&dev.token, &format!("{path}/members?limit=1&page=2"))
        .await;
    assert_eq!(
        (
            page2["total"].clone(),
            page2["limit"].clone(),
            page2["page"].clone()
        ),
        (json!(2), json!(1), json!(2))
    );
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .get(&dev.token, &format!("{path}/members?role=admin"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, mine) = app.get(&dev.token, "/api/v1/teams").await;
    assert_eq!(mine["items"][0]["name"], "Payments");

    // A read member cannot rename or manage members.
    assert_eq!(
        app.patch(&dev.token, &path, json!({"name": "Hijacked"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &dev.token,
            &format!("{path}/members"),
            json!({"user": outsider.id, "role": "admin"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, renamed) = app
        .patch(&lead.token, &path, json!({"name": "Payments EU"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "Payments EU");

    // The last administrator can neither leave nor be demoted.
    let (status, _) = app
        .delete(&lead.token, &format!("{path}/members/{}", lead.id))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post(
            &lead.token,
            &format!("{path}/members"),
            json!({"user": lead.id, "role": "read"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Members may leave on their own.
    assert_eq!(
        app.delete(&dev.token, &format!("{path}/members/{}", dev.id))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&dev.token, &path).await.0, StatusCode::NOT_FOUND);

    let (_, history) = app.get(&lead.token, &format!("{path}/history")).await;
    let ops: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, vec!["grant", "update", "grant", "create"], "{history}");

    assert_eq!(
        app.delete(&lead.token, &path).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&lead.token, &path).await.0, StatusCode::NOT_FOUND);
}

async fn entities_owned_by_a_team(app: &TestApp) {
    let admin = app.user("Admin").await;
    // Names are one line, for teams, schedules and accounts as for entities.
    for (path, body) in [
        ("/api/v1/teams", json!({"name": "te\nam"})),
        (
            "/api/v1/schedules",
            json!({"name": "a\u{2028}b", "url": "http://127.0.0.1:9/",
            "interval": {"every": 1, "period": "days"}}),
        ),
    ] {
        let (status, problem) = app.post(&admin.token, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {problem}");
    }
    assert_eq!(
        app.patch(&admin.token, "/api/v1/me", json!({"name": "Eve\tX"}))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let lead = app.user("Lead").await;
    let reader = app.user("Reader").await;
    let writer = app.user("Writer").await;
    let outsider = app.user("Outsider").await;
    let (_, team) = app
        .post(&lead.token, "/api/v1/teams", json!({"name": "Platform"}))
        .await;
    let tid = id(&team);
    app.post(
        &lead.token,
        &format!("/api/v1/teams/{tid}/members"),
        json!({"user": reader.id, "role": "read"}),
    )
    .await;
    app.post(
        &lead.token,
        &format!("/api/v1/teams/{tid}/members"),
        json!({"user": writer.id, "role": "write"}),
    )
    .await;

    let (status, server) = app
        .post(
            &writer.token,
            &format!("/api/v1/teams/{tid}/servers"),
            json!({"name": "team-box"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{server}");
    assert_eq!(
        server["owner"],
        json!({"kind": "team", "id": tid, "name": "Platform"})
    );
    let spath = format!("/api/v1/servers/{}", id(&server));
    // A read member cannot create for the team; an outsider cannot even see the team.
    assert_eq!(
        app.post(
            &reader.token,
            &format!("/api/v1/teams/{tid}/servers"),
            json!({"name": "x"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &outsider.token,
            &format!("/api/v1/teams/{tid}/servers"),
            json!({"name": "x"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    assert_eq!(app.get(&reader.token, &spath).await.0, StatusCode::OK);
    assert_eq!(
        app.patch(&reader.token, &spath, json!({"cpu": 2})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch(&writer.token, &spath, json!({"cpu": 2})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.delete(&writer.token, &spath).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&outsider.token, &spath).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = app.get(&reader.token, "/api/v1/servers").await;
    assert_eq!(list["total"], 1);
    assert_eq!(
        app.delete(&lead.token, &spath).await.0,
        StatusCode::NO_CONTENT
    );

    // A team that still owns something is not deleted: nobody would be left to see it.
    let (_, other) = app
        .post(
            &writer.token,
            &format!("/api/v1/teams/{tid}/servers"),
            json!({"name": "team-box-2"}),
        )
        .await;
    let tpath = format!("/api/v1/teams/{tid}");
    let (status, problem) = app.delete(&lead.token, &tpath).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("owns 1 entity"),
        "{problem}"
    );
    let opath = format!("/api/v1/servers/{}", id(&other));
    // What it owns is listed by owner, and handed over by a team admin.
    let (_, owned) = app
        .get(&lead.token, &format!("/api/v1/servers?owner.id={tid}"))
        .await;
    assert_eq!(owned["total"], 1, "{owned}");
    let (status, problem) = app
        .call(
            Method::PUT,
            &format!("{opath}/owner"),
            Some(&reader.token),
            Some(&json!({"user": reader.id})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, problem) = app
        .call(
            Method::PUT,
            &format!("{opath}/owner"),
            Some(&lead.token),
            Some(&json!({"team": uuid::Uuid::now_v7()})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, grants) = app
        .call(
            Method::PUT,
            &format!("{opath}/owner"),
            Some(&lead.token),
            Some(&json!({"user": lead.id})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{grants}");
    assert_eq!(grants["owner"]["id"], lead.id.as_str());
    assert_eq!(
        app.get(&reader.token, &opath).await.0,
        StatusCode::NOT_FOUND,
        "the team no longer gives access to it"
    );
    let (_, history) = app.get(&lead.token, &format!("{opath}/history")).await;
    assert_eq!(history["items"][0]["op"], "owner");
    assert_eq!(history["items"][0]["changes"][0]["new"]["name"], "Lead");
    assert_eq!(
        app.delete(&lead.token, &opath).await.0,
        StatusCode::NO_CONTENT
    );
    // Deleting the team ends the access its grants gave, and they are no longer listed.
    let mine = app
        .create(&lead.token, "servers", json!({"name": "lead-box"}))
        .await;
    let mpath = format!("/api/v1/servers/{}", id(&mine));
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("{mpath}/grants"),
            Some(&lead.token),
            Some(&json!({"grants": [{"team": tid, "role": "read"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&reader.token, &mpath).await.0, StatusCode::OK);
    assert_eq!(
        app.delete(&lead.token, &tpath).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&reader.token, &mpath).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, grants) = app.get(&lead.token, &format!("{mpath}/grants")).await;
    assert_eq!(grants["grants"], json!([]), "{grants}");
    // Nothing new is owned by a deleted team, not even by an administrator's hand.
    let (status, _) = app
        .post(
            &admin.token,
            &format!("{tpath}/servers"),
            json!({"name": "orphan"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = app
        .post(
            &admin.token,
            "/api/v1/schedules",
            json!({"name": "orphan", "url": "http://127.0.0.1:9/", "team": tid,
                   "interval": {"every": 1, "period": "days"}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
}
