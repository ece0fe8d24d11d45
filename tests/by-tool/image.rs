//! The minimal image: a static `rootbox` runs a container built by its own tools.
