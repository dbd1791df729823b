//! Placeholder: the engine is being written.
