//! Mapping offsets in normalised text back to the text as received.
//!
//! Normalisation only deletes characters (column line breaks, spaces around numbers) or replaces
//! one character by one (full-width forms), so the map is a sorted list of anchors: from
//! `norm` on, characters run one to one from `raw` until the next anchor.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Piecewise map from character offsets in normalised text to character offsets in the raw text.
/// Serialised as `[[norm, raw], ...]`, sorted by `norm`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct OffsetMap(pub Vec<[u32; 2]>);

impl OffsetMap {
    /// The identity map (text received already normalised).
    pub fn identity() -> Self {
        Self(Vec::new())
    }

    /// Record that normalised offset `norm` corresponds to raw offset `raw`. Calls must come in
    /// increasing `norm`; an anchor that the current run already implies is not stored.
    pub fn push(&mut self, norm: usize, raw: usize) {
        let (norm, raw) = (norm as u32, raw as u32);
        if let Some(&[n, r]) = self.0.last() {
            if raw.wrapping_sub(r) == norm.wrapping_sub(n) {
                return;
            }
            if n == norm {
                self.0.pop();
            }
        } else if norm == raw {
            return;
        }
        self.0.push([norm, raw]);
    }

    /// The raw offset of normalised offset `norm`.
    pub fn to_raw(&self, norm: usize) -> usize {
        let i = self.0.partition_point(|&[n, _]| n as usize <= norm);
        match i.checked_sub(1).map(|i| self.0[i]) {
            Some([n, r]) => r as usize + (norm - n as usize),
            None => norm,
        }
    }

    /// Compose: `self` maps a → b, `outer` maps b → c; the result maps a → c.
    pub fn then(&self, outer: &OffsetMap) -> OffsetMap {
        let mut points: Vec<usize> = self.0.iter().map(|&[n, _]| n as usize).collect();
        // Every anchor of the outer map, pulled back into a-coordinates, starts a new run too.
        for &[b, _] in &outer.0 {
            if let Some(a) = self.norm_of_raw(b as usize) {
                points.push(a);
            }
        }
        points.sort_unstable();
        points.dedup();
        let mut out = OffsetMap::identity();
        for a in points {
            out.push(a, outer.to_raw(self.to_raw(a)));
        }
        out
    }

    /// The normalised offset that maps to `raw`, if a run covers it.
    fn norm_of_raw(&self, raw: usize) -> Option<usize> {
        let mut best = None;
        let mut prev = [0u32, 0u32];
        for &[n, r] in self.0.iter() {
            if (prev[1] as usize) <= raw && raw < r as usize {
                best = Some(prev[0] as usize + (raw - prev[1] as usize));
            }
            prev = [n, r];
        }
        if (prev[1] as usize) <= raw {
            best = Some(prev[0] as usize + (raw - prev[1] as usize));
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_characters_shift_every_later_offset() {
        // raw "11 月 5 日" → normalised "11月5日": the spaces at raw 2 and 4 are gone.
        let mut m = OffsetMap::identity();
        for (n, r) in [(0, 0), (1, 1), (2, 3), (3, 5), (4, 6)] {
            m.push(n, r);
        }
        assert_eq!(m.to_raw(0), 0);
        assert_eq!(m.to_raw(2), 3);
        assert_eq!(m.to_raw(3), 5);
        assert_eq!(m.to_raw(4), 6);
        assert_eq!(
            m.0.len(),
            2,
            "only the anchors where the shift changes are kept"
        );
    }

    #[test]
    fn composing_two_maps_maps_through_both() {
        let mut inner = OffsetMap::identity();
        inner.push(5, 7); // two chars deleted before 5
        let mut outer = OffsetMap::identity();
        outer.push(0, 100); // the article starts at 100 in the page
        let both = inner.then(&outer);
        for a in [0usize, 3, 5, 9] {
            assert_eq!(both.to_raw(a), outer.to_raw(inner.to_raw(a)), "offset {a}");
        }
    }
}
