//! Maestro's integration tests: the real application on a random port, over a fresh database,
//! once on SQLite and once on PostgreSQL (see `harness`).

mod harness;
mod peers;
mod support;

mod accounts;
mod avatars;
mod browser;
mod cli;
mod crud;
mod demo;
mod filters;
mod filters_refs;
mod identity;
mod listing;
mod meta;
mod recovery;
mod settings;
mod sharing;
mod teams;
mod web;
