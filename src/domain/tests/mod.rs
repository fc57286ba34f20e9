// Tests across the whole core: the shared personas, and the properties instrument.md
// promises (deterministic, monotone, total).

mod personas;
mod properties;
