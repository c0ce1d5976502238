//! The web UI's HTML routes over HTTP: sign-in redirects and the session cookie, CSRF
//! rejection, list pages with filters, schema-driven forms (create, inline errors, edit with the
//! UI as history source), references, delete/restore, settings, themes, assets, the HTML 404,
//! password recovery — and the identity pages: the access dialog, teams, profile, API tokens
//! and administrators' account pages — and discovery: connection forms with write-only
//! credentials, the task table, "Sync now", the datacenter's badge and discovered entities'
//! origin.

mod access;
mod admin;
mod client;
mod connections;
mod discovery;
mod pages;
mod profile;
mod recovery;
mod related;
mod schedules;
mod session;
mod settings;
mod teams;
