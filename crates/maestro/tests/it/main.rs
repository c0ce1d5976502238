//! Maestro's integration tests: the real application on a random port, over a fresh database,
//! once on SQLite and once on PostgreSQL (see `harness`).

mod harness;

mod accounts;
mod cli;
mod crud;
mod demo;
mod meta;
mod settings;
