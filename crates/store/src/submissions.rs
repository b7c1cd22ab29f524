//! The e-tjänst's intake queue: every submission's state (no free text), by id, with the
//! receipt numbers given so far (a new one must be unique). Folded by `Projections`.

use skyndsam_domain::events::{Payload, RecordedEvent};
use skyndsam_domain::ids::{SubmissionId, UnitId};
use skyndsam_domain::submission::Submission;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default)]
pub struct SubmissionQueue {
    by_id: HashMap<SubmissionId, Submission>,
    receipts: HashSet<String>,
}

impl SubmissionQueue {
    /// Applies an event of a `submission/<id>` stream.
    pub fn apply(&mut self, e: &RecordedEvent) {
        if let Payload::WebReportSubmitted(w) = &e.payload {
            if let Some(s) = Submission::start(e) {
                self.receipts.insert(w.receipt.clone());
                self.by_id.insert(s.id, s);
            }
            return;
        }
        let id = e.stream.strip_prefix("submission/").and_then(|s| SubmissionId::parse(s).ok());
        if let Some(s) = id.and_then(|id| self.by_id.get_mut(&id)) {
            s.apply(e);
        }
    }

    pub fn get(&self, id: &SubmissionId) -> Option<&Submission> {
        self.by_id.get(id)
    }

    pub fn receipt_taken(&self, receipt: &str) -> bool {
        self.receipts.contains(receipt)
    }

    /// The open submissions received by `units`, oldest first.
    pub fn open_in(&self, units: &[UnitId]) -> Vec<&Submission> {
        let mut v: Vec<&Submission> = self.by_id.values().filter(|s| s.is_open() && units.contains(&s.unit)).collect();
        v.sort_by_key(|s| (s.received_at, s.id));
        v
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
