//! What an activity was about: the object of its activity verb.

use super::{Parser, Work};
use crate::lexicon::ACTION_TRIGGERS;
use crate::lexicon::grammar::COMMA;
use crate::lexicon::grammar::{DONE, LAUNCH, OF, PLUS, move_or_lead_heads};
use crate::text::{clause_end, string, word_at};

impl Parser<'_> {
    /// The object of the activity verb in the first sentence, up to the end of its clause:
    /// 调研林长制工作 → 林长制工作, 开展巡林工作 → 巡林工作.
    pub(super) fn topic(&self, w: &Work) -> Option<String> {
        let t = self.t;
        let (_, e) = self.sents[w.first_anchor];
        let mut i = w.actor_pos;
        while i < e {
            if let Some(l) = ACTION_TRIGGERS.longest_at(t, i)
                && !self.in_title(i)
                && !move_or_lead_heads(t[i])
            {
                let a = i + l;
                let b = clause_end(t, a, e);
                let mut a2 = a;
                while a2 < b && matches!(t[a2], DONE | PLUS | COMMA) {
                    a2 += 1;
                }
                let clean = b > a2 + 2
                    && b - a2 <= 24
                    && t[a2] != OF
                    && self.mentions_in(a2, b).is_empty()
                    && ACTION_TRIGGERS.longest_at(t, a2).is_none();
                if clean {
                    return Some(string(&self.doc.norm[a2..b]));
                }
                i = a;
                continue;
            }
            if word_at(t, i, LAUNCH) {
                let b = clause_end(t, i + 2, e);
                if b > i + 3 && b - i <= 26 {
                    return Some(string(&self.doc.norm[i + 2..b]));
                }
            }
            i += 1;
        }
        None
    }
}
