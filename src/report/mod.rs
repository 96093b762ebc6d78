//! Reports: the writers that render results for people and machines. Log-derived text always
//! goes through [`escape`] first.

pub mod escape;
pub mod html;
pub mod md;
pub mod model;
pub mod redact;
pub mod svg;
pub mod text;
