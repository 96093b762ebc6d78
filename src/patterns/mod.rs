//! Failure signatures: placeholder until the signature library lands.
