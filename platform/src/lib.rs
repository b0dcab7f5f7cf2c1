//! Running application code.
