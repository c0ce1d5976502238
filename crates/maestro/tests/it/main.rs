//! Maestro's integration tests: the real application on a random port, over a fresh database,
//! once on SQLite and once on PostgreSQL (see `harness`).

mod harness;
mod hooks;
mod peers;
mod support;

mod access_basic;
mod accounts;
mod avatars;
mod browser;
mod cli;
mod cluster;
mod connections;
mod crud;
mod dashboard;
mod demo;
mod discovery;
mod discovery_e2e;
mod events;
mod families;
mod family_fields;
mod filters;
mod filters_refs;
mod group_commit;
mod history;
mod identity;
mod jobs;
mod listing;
mod meta;
mod recovery;
mod references;
mod relations;
mod relations_pages;
mod relations_placement;
mod schedules;
mod settings;
mod sharing;
mod teams;
mod web;
