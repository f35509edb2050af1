//! Pure domain core of motcua.
//!
//! Everything here is plain Rust: no database, no HTTP, no file system. Types
//! validate on construction (a [`codes::UnitCode`] is always a valid unit code),
//! parsing functions take bytes and a file name so that errors can name the file
//! and line, and the storage, web and CLI crates build on these types.

pub mod access;
pub mod agency;
pub mod calendar;
pub mod catalogue;
pub mod causes;
pub mod codes;
pub mod dossier;
pub mod federation;
pub mod generate;
pub mod import;
pub mod index766;
pub mod news;
pub mod rating;
pub mod report;
pub mod stats;
pub mod text;
pub mod units;
pub mod visits;
