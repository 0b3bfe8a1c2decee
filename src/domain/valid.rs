//! `Valid<T>`: a draft that passed its rules. Only the domain makes one
//! (each draft's `validate`), and the store's writes take only this type,
//! so nothing reaches the database unchecked.

use std::ops::Deref;

#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T>(T);

impl<T> Valid<T> {
    /// Marks a value as checked; callable from the domain only, by the
    /// rules that did the checking.
    pub(in crate::domain) fn new(value: T) -> Valid<T> {
        Valid(value)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
